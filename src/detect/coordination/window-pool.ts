/**
 * The window phase on worker threads: time segments (each with its context) are independent, so
 * `workers` threads read and pair them at once while the main thread takes the next context.
 * Results are handed back in segment order; at most two segments are queued per worker.
 */
import { inOrder } from '../../util/ordered-pool.ts';
import { FeatureArena, mergeFeatures, pairsFromFeatures } from './engine.ts';
import { PairStore, type PairColumns } from './networks.ts';
import type { CoordinationOptions } from './options.ts';
import type { FeatureBatch } from './features.ts';
import { readSpillFile, type ReadScratch } from './spill.ts';

/** A time segment: its spill file and its context (the previous segment's last window, in time order). */
export interface SegmentTask {
  context: FeatureBatch;
  file: string;
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
    const mem = segmentMemory();
    for (const t of tasks) onResult(pairSegment(t, opts, mem));
    return;
  }
  const answers = inOrder<SegmentTask, SegmentResult & { seq: number }>(new URL('./window-worker.ts', import.meta.url), workers, tasks, (t) => {
    const c = t.context;
    const transfer = [c.id, c.account, c.time, c.usable, c.keys, c.offsets, c.pool, c.evPost, c.evType, c.evKey].map((a) => a.buffer as ArrayBuffer);
    return { message: { context: c, file: t.file, opts }, transfer };
  });
  for await (const r of answers) onResult(r);
}

/** Memory a thread's segments reuse one after another (it pairs one segment at a time). */
export interface SegmentMemory {
  scratch: ReadScratch;
  arena: FeatureArena;
}

/** Empty memory for one thread's segments. */
export function segmentMemory(): SegmentMemory {
  return { scratch: { buf: new Uint8Array(0) }, arena: new FeatureArena() };
}

/** Reads a segment (deleting its file), merges it after its context and pairs its posts, on whichever thread runs it. */
export function pairSegment(t: SegmentTask, opts: CoordinationOptions, mem: SegmentMemory): SegmentResult {
  const f = mergeFeatures([t.context, ...readSpillFile(t.file, mem.scratch)], opts.bands, mem.arena);
  const r = pairsFromFeatures(f, opts, new PairStore(), t.context.n);
  return { cols: r.pairs.columns(), posts: r.posts, candidates: r.candidates, verified: r.verified };
}
