/**
 * Near-duplicate text groups of a campaign's posts, by the detector's own measure, so that what
 * a reader sees grouped is what the detector called "the same text": texts are normalised
 * (normalise.ts); posts whose normalised texts are equal are one variant; variants whose shingle
 * sets (shingle.ts) have exact Jaccard ≥ the similarity threshold are linked, candidates found
 * by the same MinHash/LSH banding (minhash.ts, lsh.ts); a group is a connected component of
 * those links. Each group is represented by its medoid variant: the one most similar, post by
 * post, to the rest of its group.
 */
import { normaliseText } from './normalise.ts';
import { jaccard, shingles } from './shingle.ts';
import { bandKeys, signature } from './minhash.ts';
import { lshCandidates } from './lsh.ts';
import type { CoordinationOptions } from './options.ts';

/** One post to group. */
export interface GroupPost {
  id: number;
  text: string;
  account: number;
  /** Epoch ms. */
  time: number;
}

/** A group of near-duplicate posts. */
export interface TextGroup {
  /** The post whose text represents the group (the earliest post of the medoid variant). */
  representative: number;
  /** Every post of the group, earliest first. */
  postIds: number[];
  /** One post per variant (its earliest), the representative first, then larger variants: each post once. */
  examples: number[];
  /** Distinct normalised texts in the group. */
  variants: number;
  /** Distinct accounts that posted it. */
  accounts: number;
  first: number;
  last: number;
}

export type GroupOptions = Pick<CoordinationOptions, 'similarity' | 'minShingles' | 'minExactLength' | 'k' | 'bands' | 'maxBucket'>;

/** Medoid candidates per group: the most frequent variants (a group of 10,000 distinct texts stays linear). */
const MEDOID_CANDIDATES = 64;
/** Variants shown per group. */
const MAX_EXAMPLES = 5;

interface Variant {
  posts: GroupPost[];
  shingles: Uint32Array | null;
}

/** Groups posts into near-duplicate groups, largest first (then most accounts, then earliest). */
export function groupTexts(posts: GroupPost[], o: GroupOptions): TextGroup[] {
  const byKey = new Map<string, Variant>();
  for (const p of posts) {
    const norm = normaliseText(p.text).text;
    // Too short to be matched as text by the detector: only an identical raw text is the same.
    const key = norm.length >= o.minExactLength ? `n:${norm}` : `r:${p.text.trim()}`;
    let v = byKey.get(key);
    if (!v) {
      const s = norm.length >= o.minExactLength ? shingles(norm) : null;
      v = { posts: [], shingles: s && s.length >= o.minShingles ? s : null };
      byKey.set(key, v);
    }
    v.posts.push(p);
  }
  const variants = [...byKey.values()];
  const parent = variants.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  const usable = variants.map((v, i) => (v.shingles ? i : -1)).filter((i) => i >= 0);
  if (usable.length > 1) {
    const rows = o.k / o.bands;
    const keys = new Uint32Array(variants.length * o.bands);
    const sig = new Uint32Array(o.k);
    for (const i of usable) {
      signature(variants[i]!.shingles!, o.k, sig, 0);
      bandKeys(sig, o.bands, rows, keys, i * o.bands, 0);
    }
    // Variants have no time or account here: one instant, each its own "account", so every
    // band-mate is a candidate (as posts in one window from different accounts would be).
    const time = new Float64Array(variants.length);
    const self = Int32Array.from(variants, (_, i) => i);
    lshCandidates(Int32Array.from(usable), time, self, keys, { bands: o.bands, windowMs: 0, maxBucket: o.maxBucket }, (i, j) => {
      if (jaccard(variants[i]!.shingles!, variants[j]!.shingles!) < o.similarity) return;
      const a = find(i);
      const b = find(j);
      if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
    });
  }
  const members = new Map<number, number[]>();
  variants.forEach((_, i) => {
    const r = find(i);
    const list = members.get(r);
    if (list) list.push(i);
    else members.set(r, [i]);
  });
  const groups: TextGroup[] = [];
  for (const idx of members.values()) {
    const vs = idx.map((i) => variants[i]!);
    const all = vs.flatMap((v) => v.posts).sort((a, b) => a.time - b.time || a.id - b.id);
    const medoid = medoidOf(vs);
    const earliestOf = (v: Variant) => v.posts.reduce((m, p) => (p.time < m.time || (p.time === m.time && p.id < m.id) ? p : m));
    const rep = earliestOf(medoid);
    const others = vs.filter((v) => v !== medoid).sort((a, b) => b.posts.length - a.posts.length || earliestOf(a).time - earliestOf(b).time);
    groups.push({
      representative: rep.id,
      postIds: all.map((p) => p.id),
      examples: [rep.id, ...others.slice(0, MAX_EXAMPLES - 1).map((v) => earliestOf(v).id)],
      variants: vs.length,
      accounts: new Set(all.map((p) => p.account)).size,
      first: all[0]!.time,
      last: all.at(-1)!.time,
    });
  }
  return groups.sort((a, b) => b.postIds.length - a.postIds.length || b.accounts - a.accounts || a.first - b.first || a.representative - b.representative);
}

/** The variant with the largest post-weighted similarity to its group (ties: more posts, earlier post). */
function medoidOf(vs: Variant[]): Variant {
  if (vs.length === 1) return vs[0]!;
  const earliest = (v: Variant) => v.posts.reduce((m, p) => Math.min(m, p.time), Infinity);
  const candidates = [...vs].sort((a, b) => b.posts.length - a.posts.length || earliest(a) - earliest(b)).slice(0, MEDOID_CANDIDATES);
  let best = candidates[0]!;
  let bestScore = -1;
  for (const c of candidates) {
    let score = 0;
    for (const v of vs) {
      if (v === c) score += v.posts.length;
      else if (c.shingles && v.shingles) score += v.posts.length * jaccard(c.shingles, v.shingles);
    }
    // Candidates are already in tie-break order: only a strictly better score wins.
    if (score > bestScore + 1e-9) {
      best = c;
      bestScore = score;
    }
  }
  return best;
}
