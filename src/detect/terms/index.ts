/**
 * Which words get censored: for every term in posts with known outcomes, how often posts
 * holding it were removed by the platform, against the baseline removal rate, with Wilson
 * intervals and per-day/week timelines that show when a term became sensitive. Stored as
 * finding kind 'terms', key 'latest'.
 *
 * Which test decides (ranks and flags): where authors are known, the author-stratified test —
 * a term's posts against the same authors' other posts (Cochran–Mantel–Haenszel strata, with an
 * exact tail bound rather than the normal approximation; see stratifiedUpper) — so an
 * account removed whatever it writes does not make its habitual words look censored. Posts with
 * no same-author comparison (unknown author, an author's only post) form one shared stratum,
 * compared with each other. Where no author has two posts with known outcomes, nothing can be
 * stratified and the exact one-sided binomial test against the baseline decides (`test:
 * "pooled"`). Both are reported; q-values are Benjamini–Hochberg over every tested term.
 */
import type { Detector } from '../detector.ts';
import type { Store } from '../../store/open.ts';
import type { Progress } from '../../util/progress.ts';
import type { Tokenizer } from './tokenize-pool.ts';
import type { PostStatus } from '../../store/schema.ts';
import { DEFAULT_REMOVED_AS, outcomeRule, type OutcomeRule } from './read.ts';
import { TermCounts } from './count.ts';
import { isWord } from './tokenize.ts';
import { TextTermCache } from './cache.ts';
import { createTokenizer, defaultTokenWorkers } from './tokenize-pool.ts';
import { countPass, timelinePass, PostLog, type CountContext, type PassTotals } from './passes.ts';
import { holdPosts, authorOrder, countHeld, timelineHeld, DEFAULT_HOLD_LIMITS, type HoldLimits } from './held.ts';
import { wilson, binomialUpperTail, benjaminiHochberg, stratifiedUpper } from './stats.ts';

/** The test that ranks and flags terms. */
export type TermsTest = 'author-stratified' | 'pooled';

export interface TermsOptions {
  /** Only terms in at least this many posts are tested (default 5). */
  minPosts?: number;
  /** False discovery rate for reporting (default 0.05). */
  fdr?: number;
  /** Report at most this many terms (default 100). */
  limit?: number;
  /** Timeline bucket shown in the result (the stored finding always has daily timelines). */
  by?: 'day' | 'week';
  /**
   * Distinct terms kept in memory before rare ones are pruned (default 2,000,000), when the posts
   * are too many to hold and are read from the store author by author; held posts are counted
   * exactly (their dictionary is bounded by `hold.terms`).
   */
  maxTerms?: number;
  /** Store the finding (default true). */
  save?: boolean;
  /** Force the unstratified test even where authors are known (the benchmark's baseline). */
  pooled?: boolean;
  /**
   * Statuses counted as a removal (default `removed_by_platform`). Adding `deleted` (gone, actor
   * unknown) analyses disappearances on platforms that never say who removed a post, such as
   * Mastodon: a term is then flagged when its posts disappear more often than the same authors'
   * other posts, which moderation and self-censorship can both cause.
   */
  removedAs?: PostStatus[];
  /** Threads that tokenise new texts (default: the cores, at most 4; 0 = this thread only). */
  workers?: number;
  /** Term ids the cache of seen texts holds at most (default 12,000,000, about 48 MB; 0 = no cache). */
  cacheIds?: number;
  /**
   * How much of the posts may be held in memory as term ids, for one sequential read (default
   * DEFAULT_HOLD_LIMITS, about 300 MB at most); false reads the store author by author instead.
   */
  hold?: HoldLimits | false;
}

export interface TimelinePoint { bucket: string; posts: number; removed: number; rate: number }

export interface TermRow {
  term: string;
  posts: number;
  removed: number;
  rate: number;
  low: number;
  high: number;
  /** p- and q-value of the test that decided (the result's `test`). */
  p: number;
  q: number;
  /** Unstratified: exact one-sided binomial test of the term's removals against the baseline. */
  pPooled: number;
  qPooled: number;
  /** Author-stratified (CMH): the term's posts against the same authors' other posts. */
  pAuthor: number;
  qAuthor: number;
  /** Removals expected from the term's authors' own removal rates (the stratified test's null). */
  expected: number;
  /** Authors with posts both holding and lacking the term (the informative strata). */
  authors: number;
  /** First bucket whose Wilson lower bound exceeds the baseline (when a timeline was built). */
  sensitiveSince: string | null;
  /** Overlapping n-grams with exactly the same counts, folded into this term. */
  variants: string[];
}

export interface TermsResult {
  baseline: number;
  posts: number;
  removed: number;
  tested: number;
  /** The test whose q ranks and flags the terms. */
  test: TermsTest;
  /** Why that test: a sentence for the reader. */
  testReason: string;
  /** The statuses counted as a removal. */
  removedAs: PostStatus[];
  /** Posts with no same-author comparison (unknown author, or the author's only post). */
  unstratifiedPosts: number;
  /** Rare terms were pruned to bound memory (counts of reported terms are still exact). */
  pruned: boolean;
  /** A term with at least minPosts posts may have been pruned away (raise maxTerms). */
  approximate: boolean;
  terms: TermRow[];
  timeline: Record<string, TimelinePoint[]>;
  by: 'day' | 'week';
}

const DAY = 86_400_000;

/** Bucket label of an epoch-ms time. */
export function bucketOf(ms: number, by: 'day' | 'week'): string {
  let start = Math.floor(ms / DAY) * DAY;
  if (by === 'week') {
    const dow = (new Date(start).getUTCDay() + 6) % 7; // Monday = 0
    start -= dow * DAY;
  }
  return new Date(start).toISOString().slice(0, 10);
}

/** Runs the term analysis over the store and (by default) stores it as a finding. */
export async function runTerms(store: Store, opts: TermsOptions = {}, progress?: Progress): Promise<TermsResult> {
  const minPosts = opts.minPosts ?? 5;
  const fdr = opts.fdr ?? 0.05;
  const limit = opts.limit ?? 100;
  const by = opts.by ?? 'day';
  const removedAs = opts.removedAs?.length ? [...opts.removedAs] : [...DEFAULT_REMOVED_AS];
  const rule = outcomeRule(removedAs);

  const tokenizer = createTokenizer(opts.workers ?? defaultTokenWorkers());
  try {
    return await analyse(store, opts, { minPosts, fdr, limit, by, removedAs, rule }, tokenizer, progress);
  } finally {
    await tokenizer.close();
  }
}

interface Settled { minPosts: number; fdr: number; limit: number; by: 'day' | 'week'; removedAs: PostStatus[]; rule: OutcomeRule }

/** The analysis proper, its options settled and its tokenizer started. */
async function analyse(store: Store, opts: TermsOptions, settled: Settled, tokenizer: Tokenizer, progress?: Progress): Promise<TermsResult> {
  const { minPosts, fdr, limit, by, removedAs, rule } = settled;
  const { counts, totals, pruned, approximate, timelines } = await countTerms(store, opts, settled, tokenizer, progress);
  const total = totals.posts;
  const removedTotal = totals.removed;
  const baseline = total ? removedTotal / total : 0;
  const { loosePosts: N0, looseRemoved: R0 } = totals;

  const stratified = !opts.pooled && totals.stratifiedAuthors > 0;
  const test: TermsTest = stratified ? 'author-stratified' : 'pooled';
  const testReason = opts.pooled
    ? 'The unstratified test was asked for: removals may follow prolific, often-removed accounts rather than the term.'
    : stratified
      ? `Author-stratified: each term's posts are compared with the same authors' other posts (${totals.stratifiedAuthors} authors with several posts); ${N0} posts without a same-author comparison (unknown author or the author's only post) are compared with each other.`
      : 'Pooled: no author has two posts with known outcomes, so removals cannot be separated from their authors; the exact binomial test against the baseline decides, and a flagged term may reflect who writes it.';

  const tested: Array<{ term: string; slot: number; posts: number; removed: number; pPooled: number; pAuthor: number; expected: number; authors: number }> = [];
  for (const [term, s] of counts.entries()) {
    const n = counts.posts[s]!;
    if (n < minPosts) continue;
    const x = counts.removed[s]!;
    // The shared stratum: this term's loose posts against all loose posts.
    const n0 = counts.loosePosts[s]!;
    const x0 = counts.looseRemoved[s]!;
    let expected = counts.expected[s]!;
    expected += n0 > 0 && N0 >= 2 ? (n0 * R0) / N0 : x0;
    const pAuthor = stratifiedUpper(x, n, expected);
    tested.push({ term, slot: s, posts: n, removed: x, pPooled: binomialUpperTail(x, n, baseline), pAuthor, expected, authors: counts.authors[s]! });
  }
  const qPooled = benjaminiHochberg(tested.map((t) => t.pPooled));
  const qAuthor = benjaminiHochberg(tested.map((t) => t.pAuthor));
  const decides = stratified ? qAuthor : qPooled;
  const ranked = tested
    .flatMap((t, i) => {
      // Only the flagged terms get a row object (hundreds of thousands are tested).
      if (!(decides[i]! <= fdr && (stratified ? t.removed > t.expected : t.removed / t.posts > baseline))) return [];
      return [{ ...t, p: stratified ? t.pAuthor : t.pPooled, q: decides[i]!, qPooled: qPooled[i]!, qAuthor: qAuthor[i]!, variants: [] as string[] }];
    })
    .sort((a, b) => a.q - b.q || a.p - b.p || b.removed / b.posts - a.removed / a.posts || b.posts - a.posts || (a.term < b.term ? -1 : 1));
  const significant = mergeVariants(ranked).slice(0, limit);

  // Pass 2: timelines, only for the reported terms.
  const chosen = new Map(significant.map((t, i) => [t.term, i]));
  const daily = significant.map(() => new Map<string, [number, number]>());
  const shown = significant.map(() => new Map<string, [number, number]>());
  const bump = (m: Map<string, [number, number]>, k: string, removed: boolean) => {
    const v = m.get(k) ?? [0, 0];
    v[0]++;
    if (removed) v[1]++;
    m.set(k, v);
  };
  if (chosen.size) {
    await timelines(chosen, significant.map((t) => t.slot), (i, createdAt, removed) => {
      bump(daily[i]!, bucketOf(createdAt, 'day'), removed);
      if (by === 'week') bump(shown[i]!, bucketOf(createdAt, 'week'), removed);
    });
  }
  const toPoints = (m: Map<string, [number, number]>): TimelinePoint[] =>
    [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([bucket, [n, x]]) => ({ bucket, posts: n, removed: x, rate: x / n }));
  const timeline: Record<string, TimelinePoint[]> = {};
  const rows: TermRow[] = significant.map((t, i) => {
    const points = toPoints(by === 'week' ? shown[i]! : daily[i]!);
    timeline[t.term] = points;
    const since = points.find((pt) => wilson(pt.removed, pt.posts).low > baseline);
    const w = wilson(t.removed, t.posts);
    return {
      term: t.term, posts: t.posts, removed: t.removed, rate: t.removed / t.posts, low: w.low, high: w.high, p: t.p, q: t.q,
      pPooled: t.pPooled, qPooled: t.qPooled, pAuthor: t.pAuthor, qAuthor: t.qAuthor, expected: t.expected, authors: t.authors,
      sensitiveSince: since?.bucket ?? null, variants: t.variants,
    };
  });
  const result: TermsResult = {
    baseline, posts: total, removed: removedTotal, tested: tested.length, test, testReason, removedAs, unstratifiedPosts: N0, pruned, approximate, terms: rows, timeline, by,
  };
  if (opts.save ?? true) await saveFinding(store, result, significant.map((_, i) => toPoints(daily[i]!)));
  return result;
}

/** Calls back once per post holding a chosen term (by index), with the post's time and outcome. */
type Timelines = (chosen: Map<string, number>, slots: number[], onPost: (i: number, createdAt: number, removed: boolean) => void) => Promise<void>;

interface Counted { counts: TermCounts; totals: PassTotals; pruned: boolean; approximate: boolean; timelines: Timelines }

/**
 * Pass 1, counts and author strata per term: exactly, from the posts held in memory when they
 * fit the limits; else from the store read author by author, with lossy pruning past maxTerms
 * (and an exact recount of the candidates when pruning happened). Both count the same posts in
 * the same order.
 */
async function countTerms(store: Store, opts: TermsOptions, settled: Settled, tokenizer: Tokenizer, progress?: Progress): Promise<Counted> {
  const { minPosts, rule } = settled;
  const maxTerms = opts.maxTerms ?? 2_000_000;
  const candidatesOf = (c: TermCounts) => {
    const candidates = new Set<string>();
    for (const [t, s] of c.entries()) if (c.posts[s]! + c.delta[s]! >= minPosts) candidates.add(t);
    return candidates;
  };
  const held = opts.hold === false ? null : await holdPosts(store, rule, tokenizer, opts.hold ?? DEFAULT_HOLD_LIMITS, progress);
  if (held) {
    // Held posts are counted exactly over their dictionary: no term is pruned, whatever maxTerms.
    const { counts, totals } = countHeld(held, authorOrder(held));
    return { counts, totals, pruned: false, approximate: false, timelines: async (_chosen, slots, onPost) => timelineHeld(held, slots, onPost) };
  }
  let ctx: CountContext = { counts: new TermCounts(maxTerms), cache: new TextTermCache(opts.cacheIds), tokenizer, log: new PostLog() };
  const totals = await countPass(store, rule, ctx, progress);
  const { pruned } = ctx.counts;
  const approximate = pruned && ctx.counts.maxEvicted >= minPosts;
  if (pruned) {
    // New slots: a new cache.
    ctx = { counts: new TermCounts(Number.MAX_SAFE_INTEGER, candidatesOf(ctx.counts)), cache: new TextTermCache(opts.cacheIds), tokenizer, log: new PostLog() };
    await countPass(store, rule, ctx);
  }
  const final = ctx;
  return {
    counts: final.counts, totals, pruned, approximate,
    timelines: (chosen, slots, onPost) => timelinePass(store, rule, chosen, new Map(slots.map((s, i) => [s, i])), final, onPost),
  };
}

interface Ranked { term: string; posts: number; removed: number; p: number; q: number; variants: string[] }

/**
 * Folds terms that overlap (one contains another, transitively) and have exactly the same
 * counts — the slices of one phrase, usually — into one row, represented by its longest
 * dictionary word (else its longest term), so the table lists phrases, not every n-gram.
 */
function mergeVariants<T extends Ranked>(ranked: T[]): T[] {
  const groups = new Map<string, number[]>();
  ranked.forEach((t, i) => {
    const key = `${t.posts}/${t.removed}`;
    const g = groups.get(key) ?? [];
    g.push(i);
    groups.set(key, g);
  });
  const parent = ranked.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  for (const g of groups.values()) {
    if (g.length < 2 || g.length > 2000) continue; // very large ties: not worth the quadratic pass
    for (let a = 0; a < g.length; a++) {
      for (let b = a + 1; b < g.length; b++) {
        const x = ranked[g[a]!]!.term;
        const y = ranked[g[b]!]!.term;
        if (x.includes(y) || y.includes(x)) parent[find(g[a]!)] = find(g[b]!);
      }
    }
  }
  const members = new Map<number, number[]>();
  ranked.forEach((_, i) => {
    const r = find(i);
    const m = members.get(r) ?? [];
    m.push(i);
    members.set(r, m);
  });
  const score = (term: string) => (isWord(term) ? 1000 : 0) + term.length;
  const out: T[] = [];
  const done = new Set<number>();
  ranked.forEach((_, i) => {
    const r = find(i);
    if (done.has(r)) return;
    done.add(r);
    const list = members.get(r)!.map((j) => ranked[j]!);
    const best = list.reduce((a, b) => (score(b.term) > score(a.term) ? b : a));
    out.push({ ...best, variants: list.filter((t) => t !== best).map((t) => t.term) });
  });
  return out;
}

async function saveFinding(store: Store, result: TermsResult, daily: TimelinePoint[][]): Promise<void> {
  const timeline: Record<string, TimelinePoint[]> = {};
  result.terms.forEach((t, i) => { timeline[t.term] = daily[i]!; });
  const evidence = { ...result, timeline, by: 'day' };
  const top = result.terms.slice(0, 3).map((t) => t.term).join(', ');
  const how = result.test === 'author-stratified' ? 'than their authors\' other posts (author-stratified test)' : `than the baseline ${(100 * result.baseline).toFixed(1)}% (pooled test: authors unknown)`;
  const summary = result.terms.length
    ? `${result.terms.length} terms are removed more often ${how} (top: ${top}).`
    : `No term is removed significantly more often ${how}.`;
  await store.db.transaction().execute(async (tx) => {
    await tx.deleteFrom('findings').where('kind', '=', 'terms').where('key', '=', 'latest').execute();
    await tx.insertInto('findings').values({
      kind: 'terms', key: 'latest', score: result.terms.length, summary, evidence: JSON.stringify(evidence), created_at: Date.now(),
    }).execute();
  });
}

/** The term detector, for scheduled runs. */
export const termsDetector: Detector<TermsOptions, TermsResult> = {
  name: 'terms',
  description: 'Terms whose posts are removed by the platform more often than their authors\' other posts (or than the baseline where authors are unknown).',
  defaults: { minPosts: 5, fdr: 0.05, limit: 100 },
  run: (store, options, progress) => runTerms(store, options, progress),
};
