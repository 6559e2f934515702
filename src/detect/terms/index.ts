/**
 * Which words get censored: for every term in posts with known outcomes, how often posts
 * holding it were removed by the platform, against the baseline removal rate — exact one-sided
 * binomial test with Benjamini–Hochberg q-values, Wilson intervals, an author-stratified
 * (Cochran–Mantel–Haenszel) test so prolific accounts do not dominate, and per-day/week
 * timelines that show when a term became sensitive. Stored as finding kind 'terms', key 'latest'.
 */
import type { Detector } from '../detector.ts';
import type { Store } from '../../store/open.ts';
import type { Progress } from '../../util/progress.ts';
import { outcomePosts } from './read.ts';
import { TermCounts } from './count.ts';
import { terms as tokenize, isWord } from './tokenize.ts';
import { AhoCorasick } from '../extract/aho.ts';
import { wilson, binomialUpperTail, benjaminiHochberg, cmhUpper, type Stratum } from './stats.ts';

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
}

export interface TimelinePoint { bucket: string; posts: number; removed: number; rate: number }

export interface TermRow {
  term: string;
  posts: number;
  removed: number;
  rate: number;
  low: number;
  high: number;
  p: number;
  q: number;
  /** Author-stratified test: this term's posts vs the same authors' other posts. */
  authors: number;
  pAuthor: number;
  qAuthor: number;
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

  // Pass 1: counts per term, with lossy pruning.
  let counts = new TermCounts(opts.maxTerms ?? 2_000_000);
  let total = 0;
  let removedTotal = 0;
  for await (const page of outcomePosts(store)) {
    for (const p of page) {
      counts.add(tokenize(p.text), p.removed);
      total++;
      if (p.removed) removedTotal++;
    }
    progress?.tick(page.length);
  }
  const pruned = counts.pruned;
  const approximate = counts.pruned && counts.maxEvicted >= minPosts;
  if (counts.pruned) {
    // Exact recount of the candidates that survived pruning.
    const candidates = new Set<string>();
    for (const [t, n, , missed] of counts.entries()) if (n + missed >= minPosts) candidates.add(t);
    counts = new TermCounts(Number.MAX_SAFE_INTEGER, candidates);
    for await (const page of outcomePosts(store)) for (const p of page) counts.add(tokenize(p.text), p.removed);
  }
  const baseline = total ? removedTotal / total : 0;

  const tested: Array<{ term: string; posts: number; removed: number; p: number }> = [];
  for (const [term, n, x] of counts.entries()) {
    if (n < minPosts) continue;
    tested.push({ term, posts: n, removed: x, p: binomialUpperTail(x, n, baseline) });
  }
  const q = benjaminiHochberg(tested.map((t) => t.p));
  const ranked = tested
    .map((t, i) => ({ ...t, q: q[i]!, variants: [] as string[] }))
    .filter((t) => t.q <= fdr && t.removed / t.posts > baseline)
    .sort((a, b) => a.q - b.q || b.removed / b.posts - a.removed / a.posts || b.posts - a.posts || (a.term < b.term ? -1 : 1));
  const significant = mergeVariants(ranked).slice(0, limit);

  // Pass 2: author strata and timelines, only for the reported terms.
  const chosen = new Map(significant.map((t, i) => [t.term, i]));
  const authorTotals = new Map<number, [number, number]>();
  const perAuthor = significant.map(() => new Map<number, [number, number]>());
  const daily = significant.map(() => new Map<string, [number, number]>());
  const shown = significant.map(() => new Map<string, [number, number]>());
  const bump = (m: Map<string, [number, number]> | Map<number, [number, number]>, k: never, removed: boolean) => {
    const mm = m as Map<unknown, [number, number]>;
    const v = mm.get(k) ?? [0, 0];
    v[0]++;
    if (removed) v[1]++;
    mm.set(k, v);
  };
  if (chosen.size) {
    // A term is always a substring of its (lower-cased) post, so only posts the automaton
    // matches need tokenising again.
    const prefilter = new AhoCorasick([...chosen.keys()]);
    for await (const page of outcomePosts(store)) {
      for (const p of page) {
        const author = p.accountId ?? -p.id; // posts without an author are their own stratum
        bump(authorTotals, author as never, p.removed);
        if (!prefilter.present(p.text.toLowerCase()).size) continue;
        for (const t of tokenize(p.text)) {
          const i = chosen.get(t);
          if (i === undefined) continue;
          bump(perAuthor[i]!, author as never, p.removed);
          if (p.createdAt !== null) {
            bump(daily[i]!, bucketOf(p.createdAt, 'day') as never, p.removed);
            if (by === 'week') bump(shown[i]!, bucketOf(p.createdAt, 'week') as never, p.removed);
          }
        }
      }
    }
  }
  const stratP = significant.map((_, i) => {
    const strata: Stratum[] = [];
    for (const [a, [n1, x1]] of perAuthor[i]!) {
      const [n, r] = authorTotals.get(a)!;
      strata.push({ n1, x1, n, r });
    }
    return cmhUpper(strata);
  });
  const qAuthor = benjaminiHochberg(stratP.map((s) => s.p));
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
      authors: stratP[i]!.strata, pAuthor: stratP[i]!.p, qAuthor: qAuthor[i]!, sensitiveSince: since?.bucket ?? null,
      variants: t.variants,
    };
  });
  const result: TermsResult = { baseline, posts: total, removed: removedTotal, tested: tested.length, pruned, approximate, terms: rows, timeline, by };
  if (opts.save ?? true) await saveFinding(store, result, significant.map((_, i) => toPoints(daily[i]!)));
  return result;
}

interface Ranked { term: string; posts: number; removed: number; p: number; q: number; variants: string[] }

/**
 * Folds terms that overlap (one contains another, transitively) and have exactly the same
 * counts — the slices of one phrase, usually — into one row, represented by its longest
 * dictionary word (else its longest term), so the table lists phrases, not every n-gram.
 */
function mergeVariants(ranked: Ranked[]): Ranked[] {
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
  const out: Ranked[] = [];
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
  const summary = result.terms.length
    ? `${result.terms.length} terms are removed more often than the baseline ${(100 * result.baseline).toFixed(1)}% (top: ${top}).`
    : `No term is removed significantly more often than the baseline ${(100 * result.baseline).toFixed(1)}%.`;
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
  description: 'Terms whose posts are removed by the platform more often than the baseline.',
  defaults: { minPosts: 5, fdr: 0.05, limit: 100 },
  run: (store, options, progress) => runTerms(store, options, progress),
};
