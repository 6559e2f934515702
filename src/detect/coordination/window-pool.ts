/**
 * The window phase on worker threads: time segments (each with its context) are independent, so
 * `workers` threads pair them at once while the main thread reads the next segment from disk.
 * Results are handed back in segment order; at most two segments are queued per worker.
 */
import type { Worker } from 'node:worker_threads';
import { startTsWorker } from '../../util/ts-worker.ts';
import { pairsFromFeatures, type AllFeatures } from './engine.ts';
import { PairStore, type PairColumns } from './networks.ts';
import type { CoordinationOptions } from './options.ts';

export interface SegmentTask {
  f: AllFeatures;
  context: number;
}

export interface SegmentResult {
  cols: PairColumns;
  posts: number;
  candidates: number;
  verified: number;
}

/** Pairs every segment of `tasks` on `workers` threads (0 = this thread), calling `onResult` in segment order. */
export async function pairSegments(tasks: Iterable<SegmentTask>, opts: CoordinationOptions, workers: number, onResult: (r: SegmentResult) => void): Promise<void> {
  if (workers <= 0) {
    for (const t of tasks) {
      const r = pairsFromFeatures(t.f, opts, new PairStore(), t.context);
      onResult({ cols: r.pairs.columns(), posts: r.posts, candidates: r.candidates, verified: r.verified });
    }
    return;
  }
  const pool: Worker[] = Array.from({ length: workers }, () => startTsWorker(new URL('./window-worker.ts', import.meta.url), null));
  const ready = new Map<number, SegmentResult>();
  const inFlight = new Array<number>(workers).fill(0);
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  pool.forEach((w, wi) => {
    w.on('message', (msg: SegmentResult & { seq: number }) => {
      ready.set(msg.seq, msg);
      inFlight[wi]--;
      wake?.();
    });
    w.on('error', (err) => {
      failure = err;
      wake?.();
    });
  });
  const nextEvent = () => new Promise<void>((resolve) => { wake = () => { wake = null; resolve(); }; });
  let seq = 0;
  let next = 0;
  const drain = () => {
    while (ready.has(next)) {
      onResult(ready.get(next)!);
      ready.delete(next++);
    }
  };
  try {
    for (const t of tasks) {
      while (inFlight.reduce((a, x) => a + x, 0) >= 2 * workers) {
        if (failure) throw failure;
        await nextEvent();
        drain();
      }
      if (failure) throw failure;
      const wi = inFlight.indexOf(Math.min(...inFlight));
      inFlight[wi]++;
      const f = t.f;
      const transfer = [f.id, f.account, f.time, f.usable, f.keys, f.offsets, f.pool, f.evStart, f.evType, f.evKey].map((a) => a.buffer as ArrayBuffer);
      pool[wi].postMessage({ seq: seq++, f, context: t.context, opts }, transfer);
      drain();
    }
    while (next < seq) {
      drain();
      if (next >= seq) break;
      if (failure) throw failure;
      await nextEvent();
    }
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
}
