/**
 * Feature extraction (normalise, shingle, MinHash) is most of the detector's CPU time and is
 * independent per post, so batches are spread over worker threads while the main thread keeps
 * reading the store. Results come back as transferred typed arrays, in batch order.
 */
import type { Worker } from 'node:worker_threads';
import { startTsWorker } from '../../util/ts-worker.ts';
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
  const pool: Worker[] = Array.from({ length: workers }, () => startTsWorker(new URL('./feature-worker.ts', import.meta.url), null));
  const ready = new Map<number, FeatureBatch>();
  const inFlight = new Array<number>(workers).fill(0);
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  pool.forEach((w, wi) => {
    w.on('message', (msg: { seq: number; f: FeatureBatch }) => {
      ready.set(msg.seq, msg.f);
      inFlight[wi]--;
      onBatch?.(msg.f.n);
      wake?.();
    });
    w.on('error', (err) => {
      failure = err;
      wake?.();
    });
  });
  // State is re-checked after every wake-up, so a message that lands while nobody waits is not lost.
  const nextEvent = () => new Promise<void>((resolve) => { wake = () => { wake = null; resolve(); }; });
  let seq = 0;
  let next = 0;
  try {
    for await (const b of batches) {
      if (failure) throw failure;
      while (inFlight.reduce((a, x) => a + x, 0) >= 2 * workers) {
        if (failure) throw failure;
        await nextEvent();
        while (ready.has(next)) {
          const f = ready.get(next)!;
          ready.delete(next++);
          yield f;
        }
      }
      const wi = inFlight.indexOf(Math.min(...inFlight));
      inFlight[wi]++;
      pool[wi].postMessage({ seq: seq++, batch: b, opts: fo });
      while (ready.has(next)) {
        const f = ready.get(next)!;
        ready.delete(next++);
        yield f;
      }
    }
    while (next < seq) {
      if (ready.has(next)) {
        const f = ready.get(next)!;
        ready.delete(next++);
        yield f;
      } else {
        if (failure) throw failure;
        await nextEvent();
      }
    }
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
}

/** Computes the features of every batch and returns them all (the in-memory path). */
export async function featuresOf(batches: AsyncIterable<PostBatch>, opts: FeatureOptions, workers: number, onBatch?: (n: number) => void): Promise<FeatureBatch[]> {
  const parts: FeatureBatch[] = [];
  for await (const f of featureStream(batches, opts, workers, onBatch)) parts.push(f);
  return parts;
}
