/**
 * Worker thread: computes feature batches for the main thread (see features.ts), from posts it is
 * sent or from a page of ids it reads itself through its own store connection (feature-pool.ts).
 */
import { parentPort } from 'node:worker_threads';
import { computeFeatures, type FeatureOptions } from './features.ts';
import { readIdRange, type PostBatch } from './read.ts';
import { openStoreConnection } from '../../store/open.ts';
import type { Backend, StoreLocation } from '../../store/backend.ts';

/** Posts to compute features of, or a page of ids [from, to) to read first. */
export type FeatureRequest = { batch: PostBatch; opts: FeatureOptions } | { page: { location: StoreLocation; from: number; to: number }; opts: FeatureOptions };

let store: Promise<Backend> | null = null;

parentPort!.on('message', async (msg: (FeatureRequest & { seq: number }) | { farewell: true }) => {
  if ('farewell' in msg) {
    if (store) await (await store).close();
    parentPort!.close();
    return;
  }
  let batch: PostBatch;
  if ('page' in msg) {
    store ??= openStoreConnection(msg.page.location);
    batch = await readIdRange((await store).db, msg.page.from, msg.page.to);
  } else {
    batch = msg.batch;
  }
  const f = computeFeatures(batch, msg.opts);
  const transfer = [f.id, f.account, f.time, f.usable, f.keys, f.offsets, f.pool, f.evPost, f.evType, f.evKey].map((a) => a.buffer as ArrayBuffer);
  parentPort!.postMessage({ seq: msg.seq, f }, transfer);
});
