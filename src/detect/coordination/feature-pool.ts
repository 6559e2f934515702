/**
 * Feature extraction (normalise, shingle, MinHash) is most of the detector's CPU time and is
 * independent per post, so batches are spread over worker threads. Where the threads can open
 * the store themselves, each also reads its own pages of posts (turning rows into strings is the
 * next largest cost, and the main thread is busy spilling); otherwise the main thread reads and
 * sends the posts. Results come back as transferred typed arrays, in page order.
 */
import { inOrder } from '../../util/ordered-pool.ts';
import { computeFeatures, type FeatureBatch, type FeatureOptions } from './features.ts';
import { idSpan, readPosts, type PostBatch } from './read.ts';
import type { FeatureRequest } from './feature-worker.ts';
import type { Store } from '../../store/open.ts';
import type { CoordinationOptions } from './options.ts';

const WORKER = new URL('./feature-worker.ts', import.meta.url);

/** Features of every post of the store in id order, read by the feature threads where they can open the store. */
export function storeFeatures(store: Store, opts: CoordinationOptions, workers: number, onBatch?: (n: number) => void): AsyncGenerator<FeatureBatch> {
  if (workers <= 0 || !store.location) return featureStream(readPosts(store, opts.chunkSize), opts, workers, onBatch);
  return featurePages(store, opts, workers, onBatch);
}

/** Pages of `chunkSize` consecutive ids, each read and turned into features on a thread. */
async function* featurePages(store: Store, opts: CoordinationOptions, workers: number, onBatch?: (n: number) => void): AsyncGenerator<FeatureBatch> {
  const span = await idSpan(store);
  if (!span) return;
  const location = store.location!;
  const fo = featureOptions(opts);
  function* pages(): Generator<number> {
    for (let from = span!.first; from <= span!.last; from += opts.chunkSize) yield from;
  }
  const answers = inOrder<number, { seq: number; f: FeatureBatch }>(WORKER, workers, pages(), (from) => {
    const request: FeatureRequest = { page: { location, from, to: from + opts.chunkSize }, opts: fo };
    return { message: request };
  }, 2, { farewell: true });
  for await (const { f } of answers) {
    onBatch?.(f.n);
    yield f;
  }
}

function featureOptions(opts: FeatureOptions): FeatureOptions {
  return { types: opts.types, k: opts.k, bands: opts.bands, minShingles: opts.minShingles, minExactLength: opts.minExactLength };
}

/**
 * Yields the features of every batch in batch order, computed on `workers` threads (0 = on this
 * thread). At most two batches are queued per worker, so memory stays a few batches however
 * large the store.
 */
export async function* featureStream(batches: AsyncIterable<PostBatch>, opts: FeatureOptions, workers: number, onBatch?: (n: number) => void): AsyncGenerator<FeatureBatch> {
  const fo = featureOptions(opts);
  if (workers <= 0) {
    for await (const b of batches) {
      const f = computeFeatures(b, fo);
      onBatch?.(b.length);
      yield f;
    }
    return;
  }
  const answers = inOrder<PostBatch, { seq: number; f: FeatureBatch }>(WORKER, workers, batches, (batch) => ({ message: { batch, opts: fo } satisfies FeatureRequest }));
  for await (const { f } of answers) {
    onBatch?.(f.n);
    yield f;
  }
}

/** Computes the features of every batch and returns them all (the in-memory path). */
export async function featuresOf(batches: AsyncIterable<PostBatch>, opts: FeatureOptions, workers: number, onBatch?: (n: number) => void): Promise<FeatureBatch[]> {
  const parts: FeatureBatch[] = [];
  for await (const f of featureStream(batches, opts, workers, onBatch)) parts.push(f);
  return parts;
}
