/**
 * The window phase on worker threads: time segments (each with its context) are independent, so
 * `workers` threads pair them at once while the main thread reads the next segment from disk.
 * Results are handed back in segment order; at most two segments are queued per worker.
 */
import { inOrder } from '../../util/ordered-pool.ts';
import { mergeFeatures, pairsFromFeatures } from './engine.ts';
import { PairStore, type PairColumns } from './networks.ts';
import type { CoordinationOptions } from './options.ts';
import type { FeatureBatch } from './features.ts';

/** A time segment's feature batches, the context (the previous segment's last window) first: `context` posts. */
export interface SegmentTask {
  parts: FeatureBatch[];
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
    for (const t of tasks) onResult(pairSegment(t, opts));
    return;
  }
  const answers = inOrder<SegmentTask, SegmentResult & { seq: number }>(new URL('./window-worker.ts', import.meta.url), workers, tasks, (t) => {
    // The parts read from one file share its buffer: each buffer is moved once.
    const transfer = new Set<ArrayBuffer>();
    for (const f of t.parts) for (const a of [f.id, f.account, f.time, f.usable, f.keys, f.offsets, f.pool, f.evPost, f.evType, f.evKey]) transfer.add(a.buffer as ArrayBuffer);
    return { message: { parts: t.parts, context: t.context, opts }, transfer: [...transfer] };
  });
  for await (const r of answers) onResult(r);
}

/** Merges a segment's parts and pairs its posts (on whichever thread runs it). */
export function pairSegment(t: SegmentTask, opts: CoordinationOptions): SegmentResult {
  const r = pairsFromFeatures(mergeFeatures(t.parts, opts.bands), opts, new PairStore(), t.context);
  return { cols: r.pairs.columns(), posts: r.posts, candidates: r.candidates, verified: r.verified };
}
