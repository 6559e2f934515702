/**
 * Feature extraction (normalise, shingle, MinHash) is most of the detector's CPU time and is
 * independent per post, so batches are spread over worker threads while the main thread keeps
 * reading the store. Results come back as transferred typed arrays, in batch order.
 */
import type { Worker } from 'node:worker_threads';
import { startTsWorker } from '../../util/ts-worker.ts';
import { computeFeatures, type FeatureBatch, type FeatureOptions } from './features.ts';
import type { PostBatch } from './read.ts';

/** Computes the features of every batch, on `workers` threads (0 = on this thread). */
export async function featuresOf(batches: AsyncIterable<PostBatch>, opts: FeatureOptions, workers: number, onBatch?: (n: number) => void): Promise<FeatureBatch[]> {
  const parts: FeatureBatch[] = [];
  const fo: FeatureOptions = { types: opts.types, k: opts.k, bands: opts.bands, minShingles: opts.minShingles, minExactLength: opts.minExactLength };
  if (workers <= 0) {
    for await (const b of batches) {
      parts.push(computeFeatures(b, fo));
      onBatch?.(b.length);
    }
    return parts;
  }
  const pool: Worker[] = Array.from({ length: workers }, () => startTsWorker(new URL('./feature-worker.ts', import.meta.url), null));
  const pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  const inFlight = new Array<number>(workers).fill(0);
  let failure: Error | null = null;
  pool.forEach((w, wi) => {
    w.on('message', (msg: { seq: number; f: FeatureBatch }) => {
      parts[msg.seq] = msg.f;
      inFlight[wi]--;
      onBatch?.(msg.f.n);
      pending.get(msg.seq)?.resolve();
      pending.delete(msg.seq);
    });
    w.on('error', (err) => {
      failure = err;
      for (const p of pending.values()) p.reject(err);
      pending.clear();
    });
  });
  try {
    const done: Promise<void>[] = [];
    let seq = 0;
    let oldest = 0;
    for await (const b of batches) {
      if (failure) throw failure;
      // Back-pressure: at most two batches queued per worker, so memory stays a few batches.
      while (inFlight.reduce((a, x) => a + x, 0) >= 2 * workers) await done[oldest++];
      const wi = inFlight.indexOf(Math.min(...inFlight));
      const s = seq++;
      const p = new Promise<void>((resolve, reject) => pending.set(s, { resolve, reject }));
      p.catch(() => undefined); // surfaced through Promise.all / the await above, not as unhandled
      done.push(p);
      inFlight[wi]++;
      pool[wi].postMessage({ seq: s, batch: b, opts: fo });
    }
    await Promise.all(done);
    return parts;
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
}
