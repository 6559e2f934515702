/**
 * Isolates one minimal set of fragments of a text that makes a monotone predicate true (for
 * rule extraction: "the fragments, sent together, are censored").
 *
 * Each round finds the shortest prefix W[0:e] that completes the predicate (binary search):
 * its last character ends a needed component. The component's start is then found as the
 * shortest suffix W[e-L:e] that, sent beside W[0:e-1], still completes it. Keeping W[0:e-1]
 * (not W[0:e-L]) is what makes overlapping and repeated components come out exactly: every
 * other component, even one sharing characters with this one, is still in the kept prefix.
 * The length search follows an optimal search tree for a prior over component lengths, so a
 * component costs about as many queries as the entropy of its length, not its length.
 */

export type FragmentPredicate = (fragments: string[]) => Promise<boolean>;

const MAX = 32;

/**
 * What component lengths to expect, and the optimal search tree for them. The prior starts from
 * the length distribution of published Chinese keyword lists (mostly 2–6 characters, a long tail
 * of phrases) and, when the model is shared across extractions against one platform, learns from
 * the components found so far (pseudo-counts), so later searches ask fewer questions.
 */
export class LengthModel {
  private readonly counts = new Float64Array(MAX + 2);
  private root: Int32Array | null = null;

  constructor(priorWeight = 20) {
    const base = [0, 0.03, 0.24, 0.2, 0.19, 0.12, 0.12, 0.05];
    let tail = 0;
    for (let l = 1; l <= MAX; l++) {
      const w = l < base.length ? base[l]! : 0.05 * 0.75 ** (l - 7);
      this.counts[l] = w * priorWeight;
    }
    for (let l = MAX + 1; l < MAX + 40; l++) tail += 0.05 * 0.75 ** (l - 7);
    this.counts[MAX + 1] = tail * priorWeight;
  }

  /** Records a component length found (lengths above 32 share one bucket). */
  observe(len: number): void {
    this.counts[Math.min(len, MAX + 1)]! += 1;
    this.root = null;
  }

  /** Optimal binary search tree roots over (lo, hi], 0 ≤ lo < hi ≤ MAX + 1 (Knuth's DP). */
  private roots(): Int32Array {
    if (this.root) return this.root;
    const n = MAX + 2;
    const cost = new Float64Array(n * n);
    const root = new Int32Array(n * n);
    const prefix = new Float64Array(n + 1);
    for (let l = 1; l < n; l++) prefix[l] = prefix[l - 1]! + this.counts[l]!;
    const weight = (lo: number, hi: number) => prefix[hi]! - prefix[lo]!;
    for (let span = 2; span < n; span++) {
      for (let lo = 0; lo + span < n; lo++) {
        const hi = lo + span;
        let best = Infinity;
        let bestM = lo + 1;
        for (let m = lo + 1; m < hi; m++) {
          const c = cost[lo * n + m]! + cost[m * n + hi]!;
          if (c < best) { best = c; bestM = m; }
        }
        cost[lo * n + hi] = best + weight(lo, hi);
        root[lo * n + hi] = bestM;
      }
    }
    this.root = root;
    return root;
  }

  /**
   * Smallest L in (lo, hi] for which `probe(L)` is true, given probe(hi) is true and probe is
   * monotone, asking in the order that minimises the expected number of probes.
   */
  async search(lo: number, hi: number, probe: (len: number) => Promise<boolean>): Promise<number> {
    const n = MAX + 2;
    while (hi - lo > 1) {
      let mid: number;
      if (lo >= MAX) mid = (lo + hi) >>> 1;
      else mid = this.roots()[lo * n + Math.min(hi, MAX + 1)]!;
      if (await probe(mid)) hi = mid;
      else lo = mid;
    }
    this.observe(hi);
    return hi;
  }
}

/**
 * Prior over how many components a rule has (published lists: mostly one to three). The next
 * component to find is the latest-ending of the k' still missing, whose end, for components
 * placed anywhere, has CDF (x/N)^k'; the prefix search splits that mixture's mass in half
 * instead of splitting positions, which saves questions when several components remain.
 */
const RULE_SIZE = [0, 0.3, 0.3, 0.25, 0.1, 0.05];

/** P(k' = m more components | `found` found and the rule not yet complete), m = 1.. */
function remainingPrior(found: number): number[] {
  const w = RULE_SIZE.map((p, k) => (k > found ? p : 0));
  const total = w.reduce((a, b) => a + b, 0) || 1;
  const out: number[] = [];
  for (let k = found + 1; k < RULE_SIZE.length; k++) out[k - found] = w[k]! / total;
  if (!out.length) out[1] = 1;
  return out;
}

/** A split point in (lo, hi) halving the prior mass of the next component's end. */
function positionSplit(lo: number, hi: number, n: number, prior: number[]): number {
  const cdf = (x: number) => {
    let s = 0;
    const r = x / n;
    prior.forEach((p, m) => { if (p) s += p * r ** m; });
    return s;
  };
  const target = (cdf(lo) + cdf(hi)) / 2;
  let a = lo + 1;
  let b = hi - 1;
  while (a < b) {
    const m = (a + b) >>> 1;
    if (cdf(m) < target) a = m + 1;
    else b = m;
  }
  return Math.min(hi - 1, Math.max(lo + 1, a));
}

export interface IsolateOptions {
  /** Fragments always sent along (e.g. a rule when searching for its negation). */
  base?: string[];
  /** Safety limit on components in one rule. */
  maxComponents?: number;
  /** Expected component lengths (share one across extractions to learn them). */
  lengths?: LengthModel;
}

/**
 * Returns fragments (exact components) of `text` such that pred(base ∪ fragments) holds.
 * Requires pred(base ∪ {text}) to be true and pred(base) false.
 */
export async function isolate(text: string, pred: FragmentPredicate, opts: IsolateOptions = {}): Promise<string[]> {
  const base = opts.base ?? [];
  const maxComponents = opts.maxComponents ?? 32;
  const lengths = opts.lengths ?? new LengthModel();
  const found: string[] = [];
  // Work on code points so surrogate pairs are never split.
  let w = Array.from(text);
  while (found.length < maxComponents) {
    if (found.length && (await pred([...base, ...found]))) break;
    if (!w.length) break;
    const withPrefix = (e: number) => pred([...base, ...found, w.slice(0, e).join('')]);
    let lo = 0;
    let hi = w.length;
    const prior = remainingPrior(found.length);
    const n = w.length;
    while (hi - lo > 1) {
      const mid = positionSplit(lo, hi, n, prior);
      if (await withPrefix(mid)) hi = mid;
      else lo = mid;
    }
    const e = hi;
    const kept = w.slice(0, e - 1).join('');
    const len = await lengths.search(0, e, (l) => pred([...base, ...found, w.slice(e - l, e).join(''), kept]));
    found.push(w.slice(e - len, e).join(''));
    w = w.slice(0, e - 1);
  }
  return found;
}

/** Drops fragments the predicate does not need (only possible when several rules overlap). */
export async function minimise(fragments: string[], pred: FragmentPredicate, base: string[] = []): Promise<string[]> {
  if (fragments.length < 2) return fragments;
  let cur = fragments.slice();
  for (const f of fragments) {
    const without = cur.filter((x) => x !== f);
    if (without.length && (await pred([...base, ...without]))) cur = without;
  }
  return cur;
}
