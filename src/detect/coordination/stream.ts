/**
 * The streaming engine. Phase 1 takes the posts' features in primary-key order (feature-pool.ts)
 * and spills them by time segment (spill.ts). Phase 2 takes the segments in time
 * order: each is joined with the previous segment's last window (the context: posts at most Δt
 * before the segment starts), sorted by time and paired exactly as the in-memory engine pairs the
 * whole corpus, reporting only pairs whose later post is in the segment. Pairs depend only on
 * posts within Δt of their later post and on the order (time, id), so the result is the same pair
 * set as the in-memory path's; memory is one segment plus its window, not the corpus.
 */
import { mergeFeatures, type PairCollection } from './engine.ts';
import { pairSegments, type SegmentTask } from './window-pool.ts';
import { PairStore } from './networks.ts';
import { SegmentSpill } from './spill.ts';
import { PairSpill } from './pair-spill.ts';
import { evStartOf, pickFeatures } from './segment.ts';
import type { FeatureBatch } from './features.ts';
import type { CoordinationOptions } from './options.ts';

/** The time span whose posts may be the later post of a pair, and roughly how many posts it holds. */
export interface PairSpan {
  /** First time (ms) of the span; posts before it are context only. */
  start: number;
  /** Last time (ms, inclusive). */
  end: number;
  posts: number;
}

/**
 * Runs every selected network over the posts' features (batches in any order; each post once)
 * and returns the pairs whose later post lies in `span`. With `reduce`, past `opts.spillPairs`
 * pairs go to disk and only those of groups heavy enough to be edges come back (pairTotal counts
 * all); without it (a split job, whose groups continue in other jobs) every pair is returned.
 */
export async function streamPairs(
  features: AsyncIterable<FeatureBatch>,
  opts: CoordinationOptions,
  span: PairSpan,
  workers = 0,
  reduce = false,
): Promise<PairCollection> {
  let pairs = new PairStore();
  let pairSpill = null as PairSpill | null;
  const t0 = performance.now();
  const W = opts.windowSeconds * 1000;
  const segments = Math.max(1, Math.ceil(span.posts / opts.segmentPosts));
  const width = Math.max(1, Math.ceil((span.end - span.start + 1) / segments));
  const spill = new SegmentSpill(span.start, width, segments, opts.bands, W);
  try {
    for await (const f of features) spill.write(f);
    const t1 = performance.now();
    let carry = keepFrom(spill.readTail(-1), span.start - W, opts.bands);
    let posts = 0;
    let candidates = 0;
    let verified = 0;
    // Segment k's file with its context; the next context comes from the segment's tail, taken
    // here, while the threads read, merge and pair the segments (doing that here made this
    // thread the phase's bottleneck).
    function* tasks(): Generator<SegmentTask> {
      for (let k = 0; k < segments; k++) {
        const file = spill.segmentPath(k);
        const next = keepFrom([carry, ...spill.readTail(k)], spill.tailFrom(k), opts.bands);
        if (file) yield { context: carry, file };
        carry = next;
      }
    }
    // Starting threads costs more than it saves when there is one segment.
    await pairSegments(tasks(), opts, segments > 1 ? workers : 0, (r) => {
      pairs.append(r.cols);
      posts += r.posts;
      candidates += r.candidates;
      verified += r.verified;
      if (reduce && pairs.length >= opts.spillPairs) {
        pairSpill ??= new PairSpill();
        pairSpill.add(pairs);
        pairs = new PairStore();
      }
    });
    let pairTotal: number | undefined;
    if (pairSpill) {
      pairSpill.add(pairs);
      pairTotal = pairSpill.total;
      pairs = pairSpill.reduce(opts.minWeight);
    }
    return { pairs, pairTotal, posts, candidates, verified, featureSeconds: (t1 - t0) / 1000, windowSeconds: (performance.now() - t1) / 1000 };
  } finally {
    spill.close();
    pairSpill?.close();
  }
}

/** The posts of `parts` at or after `from` (the window the next segment needs), in time order. */
function keepFrom(parts: FeatureBatch[], from: number, bands: number): FeatureBatch {
  const late = parts.map((b) => {
    const idx: number[] = [];
    for (let i = 0; i < b.n; i++) if (b.time[i] >= from) idx.push(i);
    return pickFeatures({ ...b, evStart: evStartOf(b) }, idx, bands);
  });
  const all = mergeFeatures(late, bands);
  const idx = Array.from({ length: all.n }, (_, i) => i);
  idx.sort((a, b) => all.time[a] - all.time[b] || all.id[a] - all.id[b]);
  return pickFeatures(all, idx, bands);
}
