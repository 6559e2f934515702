/**
 * The fast path of a term analysis: the posts are read once, in id order (a sequential scan,
 * several times cheaper than reading them author by author through an index, and on a thread
 * of its own: text-pages.ts), and held in memory as compact term ids — a repeated text shares
 * one array — with their author, time and outcome. They are then counted exactly, author by
 * author in the order the store-ordered pass reads them (same authors' order, same posts'
 * order), so every sum is the same, and the timelines are built from memory too. When the posts
 * would not fit in the limits, reading stops and the caller falls back to the store-ordered
 * passes (passes.ts).
 */
import type { Store } from '../../store/open.ts';
import type { Progress } from '../../util/progress.ts';
import type { OutcomeRule } from './read.ts';
import { textPages } from './text-pages.ts';
import { TermCounts } from './count.ts';
import { TermDict } from './dict.ts';
import type { Tokenizer } from './tokenize-pool.ts';
import type { PassTotals } from './passes.ts';

/** How much the held posts may take before the analysis reads the store author by author. */
export interface HoldLimits {
  /** Term ids in all the distinct texts' arrays (4 bytes each). */
  ids: number;
  /** Distinct terms in the dictionary. */
  terms: number;
}

export const DEFAULT_HOLD_LIMITS: HoldLimits = { ids: 60_000_000, terms: 6_000_000 };

/** The posts of known outcome as dictionary ids, in id order. */
export interface HeldPosts {
  /** Dictionary: id → term. */
  terms: string[];
  /** Each post's distinct terms (dictionary ids, in the tokeniser's order). */
  ids: Int32Array[];
  /** Account id, NaN for none. */
  account: Float64Array;
  /** Creation time (epoch ms), NaN for none. */
  created: Float64Array;
  removed: Uint8Array;
}

/** Reads every post once into memory as term ids, or returns null when they exceed `limits`. */
export async function holdPosts(store: Store, rule: OutcomeRule, tokenizer: Tokenizer, limits: HoldLimits, progress?: Progress): Promise<HeldPosts | null> {
  const dict = new TermDict();
  /** Each text's ids, by text number (a repeated text shares one array). */
  const textIds: Int32Array[] = [];
  const ids: Int32Array[] = [];
  const account: Float64Array[] = [];
  const created: Float64Array[] = [];
  const removed: Uint8Array[] = [];
  let held = 0;
  const pages = textPages(store, rule);
  try {
    for await (const page of pages) {
      const cut = await tokenizer.terms(page.fresh);
      for (let j = 0; j < cut.length; j++) {
        const list = cut[j]!;
        const a = new Int32Array(list.length);
        for (let k = 0; k < list.length; k++) a[k] = dict.id(list[k]!);
        textIds[page.firstText + j] = a;
        held += a.length;
      }
      for (let i = 0; i < page.text.length; i++) ids.push(textIds[page.text[i]!]!);
      account.push(page.account);
      created.push(page.created);
      removed.push(page.removed);
      progress?.tick(page.text.length);
      if (held > limits.ids || dict.size > limits.terms) return null;
    }
  } finally {
    await pages.return(undefined);
  }
  return { terms: dict.terms, ids, account: concat(Float64Array, account), created: concat(Float64Array, created), removed: concat(Uint8Array, removed) };
}

/** The typed arrays `parts` one after another in one array. */
function concat<T extends Float64Array | Uint8Array>(kind: { new (n: number): T }, parts: T[]): T {
  const out = new kind(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p as never, at);
    at += p.length;
  }
  return out;
}

/**
 * The order the store-ordered pass reads posts in: those without an author first, then by
 * account id, each author's posts by id (held posts are in id order already).
 */
export function authorOrder(held: HeldPosts): Int32Array {
  const n = held.ids.length;
  const order = new Int32Array(n);
  let k = 0;
  let max = 0;
  let whole = true;
  for (let i = 0; i < n; i++) {
    const a = held.account[i]!;
    if (Number.isNaN(a)) order[k++] = i;
    else {
      if (a > max) max = a;
      if (!Number.isInteger(a) || a < 0) whole = false;
    }
  }
  // Bucket the rest by account (a counting sort keeps each author's posts in id order). Stored
  // account ids are small whole numbers, so a bucket is found by index; a Map serves otherwise.
  const dense = whole && max < 4 * n + 1024;
  const accounts = dense ? null : [...new Set(Array.from(held.account).filter((a) => !Number.isNaN(a)))].sort((a, b) => a - b);
  const map = accounts ? new Map(accounts.map((a, i) => [a, i])) : null;
  const buckets = accounts ? accounts.length : max + 1;
  const bucketOf = (a: number) => (map ? map.get(a)! : a);
  const start = new Int32Array(buckets + 1);
  for (let i = 0; i < n; i++) {
    const a = held.account[i]!;
    if (!Number.isNaN(a)) start[bucketOf(a) + 1]!++;
  }
  for (let b = 0; b < buckets; b++) start[b + 1]! += start[b]!;
  for (let i = 0; i < n; i++) {
    const a = held.account[i]!;
    if (!Number.isNaN(a)) order[k + start[bucketOf(a)]!++] = i;
  }
  return order;
}

/**
 * Counts the held posts in `order` exactly over their dictionary (a term's slot is its id): the
 * same authors in the same order, each author's posts in the same order, as countPass counts
 * the store's, so every floating-point sum is the same; nothing is pruned. One flat loop over
 * typed arrays, with each term's fields side by side (one cache line a term, not one an array):
 * it makes tens of millions of updates at a million posts.
 */
export function countHeld(held: HeldPosts, order: Int32Array): { counts: TermCounts; totals: PassTotals } {
  const m = held.terms.length;
  // Per term: posts, removed, authors, loose posts, loose removed (stride 5); expected apart (a double).
  const sums = new Int32Array(5 * m);
  const expected = new Float64Array(m);
  // Per term, the current author's: stamp, posts, removed (stride 3).
  const cur = new Int32Array(3 * m);
  const touched = new Int32Array(m);
  let nTouched = 0;
  let authorNo = 0;
  let authorPosts = 0;
  let authorRemoved = 0;
  const totals: PassTotals = { posts: 0, removed: 0, loosePosts: 0, looseRemoved: 0, stratifiedAuthors: 0 };
  const close = () => {
    const n = authorPosts;
    const r = authorRemoved;
    for (let t = 0; t < nTouched; t++) {
      const s = touched[t]!;
      const n1 = cur[3 * s + 1]!;
      const x1 = cur[3 * s + 2]!;
      const o = 5 * s;
      sums[o]! += n1;
      sums[o + 1]! += x1;
      if (n === 1) {
        sums[o + 3]! += n1;
        sums[o + 4]! += x1;
      } else {
        expected[s]! += (n1 * r) / n;
        if (n1 < n) sums[o + 2]!++;
      }
    }
    if (n === 1) {
      totals.loosePosts++;
      totals.looseRemoved += r;
    } else if (n > 1) totals.stratifiedAuthors++;
    nTouched = 0;
    authorPosts = 0;
    authorRemoved = 0;
  };
  let author = Number.NaN;
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    const removed = held.removed[i]!;
    totals.posts++;
    totals.removed += removed;
    const ids = held.ids[i]!;
    const a = held.account[i]!;
    if (Number.isNaN(a)) {
      // No author: straight to the shared stratum.
      for (let j = 0; j < ids.length; j++) {
        const o = 5 * ids[j]!;
        sums[o]!++;
        sums[o + 3]!++;
        sums[o + 1]! += removed;
        sums[o + 4]! += removed;
      }
      totals.loosePosts++;
      totals.looseRemoved += removed;
      continue;
    }
    if (a !== author) {
      close();
      author = a;
      authorNo++;
    }
    authorPosts++;
    authorRemoved += removed;
    for (let j = 0; j < ids.length; j++) {
      const s = ids[j]!;
      const c = 3 * s;
      if (cur[c] !== authorNo) {
        cur[c] = authorNo;
        cur[c + 1] = 0;
        cur[c + 2] = 0;
        touched[nTouched++] = s;
      }
      cur[c + 1]!++;
      cur[c + 2]! += removed;
    }
  }
  close();
  const column = (f: number) => {
    const out = new Int32Array(m);
    for (let s = 0; s < m; s++) out[s] = sums[5 * s + f]!;
    return out;
  };
  const counts = TermCounts.exact(held.terms, {
    posts: column(0), removed: column(1), authors: column(2), loosePosts: column(3), looseRemoved: column(4), expected,
  });
  return { counts, totals };
}

/**
 * Calls `onPost` for every held post with a time that holds a chosen term: `ids[i]` is chosen
 * term i's dictionary id (its slot in the exact count).
 */
export function timelineHeld(held: HeldPosts, ids: readonly number[], onPost: (i: number, createdAt: number, removed: boolean) => void): void {
  const pick = new Int32Array(held.terms.length).fill(-1);
  ids.forEach((d, i) => { pick[d] = i; });
  for (let j = 0; j < held.ids.length; j++) {
    const createdAt = held.created[j]!;
    if (Number.isNaN(createdAt)) continue;
    const a = held.ids[j]!;
    for (let k = 0; k < a.length; k++) {
      const i = pick[a[k]!]!;
      if (i >= 0) onPost(i, createdAt, held.removed[j] === 1);
    }
  }
}
