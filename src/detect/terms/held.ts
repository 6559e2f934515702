/**
 * The fast path of a term analysis: the posts are read once, in id order (a sequential scan,
 * several times cheaper than reading them author by author through an index), and held in
 * memory as compact term ids — a repeated text shares one array — with their author, time and
 * outcome. They are then counted author by author exactly as the store-ordered pass would count
 * them (same authors' order, same posts' order, same order of terms within a post, so slots are
 * created, pruned and summed in the same sequence), recounted from memory after pruning, and
 * the timelines are built from memory too. When the posts would not fit in the limits, reading
 * stops and the caller falls back to the store-ordered passes (passes.ts).
 */
import type { Store } from '../../store/open.ts';
import type { Progress } from '../../util/progress.ts';
import { outcomePosts, type OutcomeRule } from './read.ts';
import type { TermCounts } from './count.ts';
import { TextTermCache } from './cache.ts';
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
  const texts = new TextTermCache();
  const ids: Int32Array[] = [];
  const account: number[] = [];
  const created: number[] = [];
  const removed: number[] = [];
  let held = 0;
  const idsOf = (list: string[]) => {
    const a = new Int32Array(list.length);
    for (let i = 0; i < list.length; i++) a[i] = dict.id(list[i]!);
    return a;
  };
  for await (const page of outcomePosts(store, rule)) {
    // One cache look-up a post: what it found is kept for the counting loop below.
    const found = page.map((p) => texts.get(p.text, 0));
    const missing = [...new Set(page.filter((_, i) => !found[i]).map((p) => p.text))];
    const cut = await tokenizer.terms(missing);
    const fresh = new Map(missing.map((t, i) => [t, cut[i]!]));
    for (let i = 0; i < page.length; i++) {
      const p = page[i]!;
      let a = found[i] ?? texts.get(p.text, 0);
      if (!a) {
        // Cut above unless the cache started over since (then cut again from the page's batch).
        const list = fresh.get(p.text) ?? (await tokenizer.terms([p.text]))[0]!;
        a = idsOf(list);
        texts.set(p.text, a);
        held += a.length;
      }
      ids.push(a);
      account.push(p.accountId ?? Number.NaN);
      created.push(p.createdAt ?? Number.NaN);
      removed.push(p.removed ? 1 : 0);
    }
    progress?.tick(page.length);
    if (held > limits.ids || dict.size > limits.terms) return null;
  }
  return { terms: dict.terms, ids, account: Float64Array.from(account), created: Float64Array.from(created), removed: Uint8Array.from(removed) };
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
 * Counts the held posts in `order` into `counts`, exactly as countPass counts the store's: the
 * same calls in the same sequence, with each term's slot looked up once per pruning generation.
 */
export function countHeld(held: HeldPosts, order: Int32Array, counts: TermCounts): PassTotals {
  const totals: PassTotals = { posts: 0, removed: 0, loosePosts: 0, looseRemoved: 0, stratifiedAuthors: 0 };
  const slotOf = new Int32Array(held.terms.length);
  const slotGen = new Int32Array(held.terms.length).fill(-1);
  let scratch = new Int32Array(256);
  const slots = (a: Int32Array): Int32Array => {
    if (a.length > scratch.length) scratch = new Int32Array(a.length * 2);
    const gen = counts.generation;
    let k = 0;
    for (let j = 0; j < a.length; j++) {
      const d = a[j]!;
      if (slotGen[d] !== gen) {
        slotOf[d] = counts.slot(held.terms[d]!);
        slotGen[d] = gen;
      }
      const s = slotOf[d]!;
      if (s >= 0) scratch[k++] = s;
    }
    return scratch.subarray(0, k);
  };
  let author = Number.NaN;
  let removedHere = 0;
  const close = () => {
    const n = counts.endAuthor();
    if (n === 1) {
      totals.loosePosts++;
      totals.looseRemoved += removedHere;
    } else if (n > 1) totals.stratifiedAuthors++;
    removedHere = 0;
  };
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    const removed = held.removed[i] === 1;
    totals.posts++;
    if (removed) totals.removed++;
    const a = held.account[i]!;
    if (Number.isNaN(a)) {
      counts.addIds(slots(held.ids[i]!), removed);
      totals.loosePosts++;
      if (removed) totals.looseRemoved++;
      continue;
    }
    if (a !== author) {
      close();
      author = a;
    }
    counts.addAuthorPostIds(slots(held.ids[i]!), removed);
    if (removed) removedHere++;
  }
  close();
  return totals;
}

/** Calls `onPost` for every held post with a time that holds one of the `chosen` terms (term → index). */
export function timelineHeld(held: HeldPosts, chosen: Map<string, number>, onPost: (i: number, createdAt: number, removed: boolean) => void): void {
  const pick = new Int32Array(held.terms.length).fill(-1);
  held.terms.forEach((t, d) => {
    const i = chosen.get(t);
    if (i !== undefined) pick[d] = i;
  });
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
