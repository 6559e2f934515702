/** Worker thread: computes feature batches for the main thread (see features.ts). */
import { parentPort } from 'node:worker_threads';
import { computeFeatures, type FeatureOptions } from './features.ts';
import type { PostBatch } from './read.ts';

parentPort!.on('message', (msg: { seq: number; batch: PostBatch; opts: FeatureOptions }) => {
  const f = computeFeatures(msg.batch, msg.opts);
  const transfer = [f.id, f.account, f.time, f.usable, f.keys, f.offsets, f.pool, f.evPost, f.evType, f.evKey].map((a) => a.buffer as ArrayBuffer);
  parentPort!.postMessage({ seq: msg.seq, f }, transfer);
});
