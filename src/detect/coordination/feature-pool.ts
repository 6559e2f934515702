/**
 * Feature extraction (normalise, shingle, MinHash) is most of the detector's CPU time and is
 * independent per post, so batches are spread over worker threads while the main thread keeps
 * reading the store. Results come back as transferred typed arrays, in batch order.
 */
import { inOrder } from '../../util/ordered-pool.ts';
import { computeFeatures, type FeatureBatch, type FeatureOptions } from './features.ts';
import type { PostBatch } from './read.ts';

/**
 * Yields the features of every batch in batch order, computed on `workers` threads (0 = on this
 * thread). At most two batches are queued per worker, so memory stays a few batches however
 * large the store.
 */
export async function* featureStream(batches: AsyncIterable<PostBatch>, opts: FeatureOptions, workers: number, onBatch?: (n: number) => void): AsyncGenerator<FeatureBatch> {
  const fo: FeatureOptions = { types: opts.types, k: opts.k, bands: opts.bands, minShingles: opts.minShingles, minExactLength: opts.minExactLength };
  if (workers <= 0) {
    for await (const b of batches) {
      const f = computeFeatures(b, fo);
      onBatch?.(b.length);
      yield f;
    }
    return;
  }
  const answers = inOrder<PostBatch, { seq: number; f: FeatureBatch }>(new URL('./feature-worker.ts', import.meta.url), workers, batches, (batch) => ({ message: { batch, opts: fo } }));
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
