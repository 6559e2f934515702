/**
 * The window phase on worker threads: time segments (each with its context) are independent, so
 * `workers` threads pair them at once while the main thread reads the next segment from disk.
 * Results are handed back in segment order; at most two segments are queued per worker.
 */
import { inOrder } from '../../util/ordered-pool.ts';
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
  const answers = inOrder<SegmentTask, SegmentResult & { seq: number }>(new URL('./window-worker.ts', import.meta.url), workers, tasks, (t) => {
    const f = t.f;
    const transfer = [f.id, f.account, f.time, f.usable, f.keys, f.offsets, f.pool, f.evStart, f.evType, f.evKey].map((a) => a.buffer as ArrayBuffer);
    return { message: { f, context: t.context, opts }, transfer };
  });
  for await (const r of answers) onResult(r);
}
