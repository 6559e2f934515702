/**
 * The term analysis as it was before issue 16 (one thread, strings counted post by post), kept
 * only as the test oracle that the scaled implementation must match exactly. Not used by the CLI.
 */
import type { Store } from '../../../../src/store/open.ts';
import type { Progress } from '../../../../src/util/progress.ts';
import type { PostStatus } from '../../../../src/store/schema.ts';
import { DEFAULT_REMOVED_AS, outcomePosts, outcomeRule, postsByAuthor, type OutcomeRule } from '../../../../src/detect/terms/read.ts';
import { TermCounts } from './count.ts';
import { terms as tokenize, isWord } from '../../../../src/detect/terms/tokenize.ts';
import { AhoCorasick } from '../../../../src/detect/extract/aho.ts';
import { wilson, binomialUpperTail, benjaminiHochberg, stratifiedUpper } from '../../../../src/detect/terms/stats.ts';

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
  /** Distinct terms kept in memory before rare ones are pruned (default 2,000,000). */
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

interface PassTotals { posts: number; removed: number; loosePosts: number; looseRemoved: number; stratifiedAuthors: number }

/**
 * One pass over the store by author: each author's posts are counted together, then every term
 * they hold is credited with the author's own totals (an author's single post goes to the
 * shared stratum).
 */
async function countPass(store: Store, rule: OutcomeRule, counts: TermCounts, progress?: Progress): Promise<PassTotals> {
  const totals: PassTotals = { posts: 0, removed: 0, loosePosts: 0, looseRemoved: 0, stratifiedAuthors: 0 };
  let author: number | null = null;
  let removedHere = 0;
  const close = () => {
    const n = counts.endAuthor();
    if (n === 1) {
      totals.loosePosts++;
      totals.looseRemoved += removedHere;
    } else if (n > 1) totals.stratifiedAuthors++;
    removedHere = 0;
  };
  for await (const page of postsByAuthor(store, rule)) {
    for (const p of page) {
      totals.posts++;
      if (p.removed) totals.removed++;
      const terms = tokenize(p.text);
      if (p.accountId === null) {
        counts.add(terms, p.removed);
        totals.loosePosts++;
        if (p.removed) totals.looseRemoved++;
        continue;
      }
      if (p.accountId !== author) {
        close();
        author = p.accountId;
      }
      counts.addAuthorPost(terms, p.removed);
      if (p.removed) removedHere++;
    }
    progress?.tick(page.length);
  }
  close();
  return totals;
}

/** Runs the term analysis over the store and (by default) stores it as a finding. */
export async function runTerms(store: Store, opts: TermsOptions = {}, progress?: Progress): Promise<TermsResult> {
  const minPosts = opts.minPosts ?? 5;
  const fdr = opts.fdr ?? 0.05;
  const limit = opts.limit ?? 100;
  const by = opts.by ?? 'day';
  const removedAs = opts.removedAs?.length ? [...opts.removedAs] : [...DEFAULT_REMOVED_AS];
  const rule = outcomeRule(removedAs);

  // Pass 1: counts and author strata per term, with lossy pruning.
  let counts = new TermCounts(opts.maxTerms ?? 2_000_000);
  const totals = await countPass(store, rule, counts, progress);
  const pruned = counts.pruned;
  const approximate = counts.pruned && counts.maxEvicted >= minPosts;
  if (counts.pruned) {
    // Exact recount of the candidates that survived pruning.
    const candidates = new Set<string>();
    for (const [t, s] of counts.entries()) if (counts.posts[s]! + counts.delta[s]! >= minPosts) candidates.add(t);
    counts = new TermCounts(Number.MAX_SAFE_INTEGER, candidates);
    await countPass(store, rule, counts);
  }
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

  const tested: Array<{ term: string; posts: number; removed: number; pPooled: number; pAuthor: number; expected: number; authors: number }> = [];
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
    tested.push({ term, posts: n, removed: x, pPooled: binomialUpperTail(x, n, baseline), pAuthor, expected, authors: counts.authors[s]! });
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
    // A term is always a substring of its (lower-cased) post, so only posts the automaton
    // matches need tokenising again.
    const prefilter = new AhoCorasick([...chosen.keys()]);
    for await (const page of outcomePosts(store, rule)) {
      for (const p of page) {
        if (p.createdAt === null || !prefilter.present(p.text.toLowerCase()).size) continue;
        for (const t of tokenize(p.text)) {
          const i = chosen.get(t);
          if (i === undefined) continue;
          bump(daily[i]!, bucketOf(p.createdAt, 'day'), p.removed);
          if (by === 'week') bump(shown[i]!, bucketOf(p.createdAt, 'week'), p.removed);
        }
      }
    }
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
