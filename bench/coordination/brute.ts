/**
 * The baseline: what the QUT toolkit's co_similar_tweet does — compare every pair of posts
 * inside the window by exact Jaccard, no LSH. Same normalisation and shingles, so the only
 * difference measured is candidate generation.
 */
import type { Store } from '../../src/store/open.ts';
import { readPosts } from '../../src/detect/coordination/read.ts';
import { normaliseText } from '../../src/detect/coordination/normalise.ts';
import { jaccard, shingles } from '../../src/detect/coordination/shingle.ts';
import type { CoordinationOptions } from '../../src/detect/coordination/options.ts';

/** All in-window cross-account pairs with Jaccard ≥ threshold ("postA:postB", A < B). */
export async function bruteForcePairs(store: Store, opts: CoordinationOptions): Promise<{ pairs: Set<string>; comparisons: number }> {
  const W = opts.windowSeconds * 1000;
  const posts: Array<{ t: number; acc: number; id: number; sh: Uint32Array }> = [];
  for await (const b of readPosts(store, opts.chunkSize)) {
    for (let r = 0; r < b.length; r++) {
      const sh = shingles(normaliseText(b.text[r]).text);
      if (sh.length >= opts.minShingles) posts.push({ t: b.time[r], acc: b.account[r], id: b.id[r], sh });
    }
  }
  posts.sort((x, y) => x.t - y.t || x.id - y.id);
  let head = 0;
  let comparisons = 0;
  const pairs = new Set<string>();
  for (let j = 0; j < posts.length; j++) {
    const q = posts[j];
    while (q.t - posts[head].t > W) head++;
    for (let i = head; i < j; i++) {
      const o = posts[i];
      if (o.acc === q.acc) continue;
      comparisons++;
      if (jaccard(o.sh, q.sh) >= opts.similarity) pairs.add(`${Math.min(o.id, q.id)}:${Math.max(o.id, q.id)}`);
    }
  }
  return { pairs, comparisons };
}
