/**
 * The statistics behind term analysis: Wilson score intervals, the exact one-sided binomial
 * tail (via the regularised incomplete beta function), Benjamini–Hochberg q-values and a
 * one-sided Cochran–Mantel–Haenszel test for author-stratified 2×2 tables.
 */

/** Wilson score interval for `x` successes in `n` trials (z = 1.96 for 95%). */
export function wilson(x: number, n: number, z = 1.959963984540054): { low: number; high: number } {
  if (n === 0) return { low: 0, high: 1 };
  const p = x / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** log Γ(x) (Lanczos approximation, g = 7). */
export function logGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = c[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction for the incomplete beta function (modified Lentz). */
function betaCf(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d; if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c; if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d; h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d; if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c; if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/** Regularised incomplete beta I_x(a, b). */
export function incBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const lbt = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x);
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(lbt) * betaCf(a, b, x)) / a;
  return 1 - (Math.exp(lbt) * betaCf(b, a, 1 - x)) / b;
}

/** P(X ≥ x) for X ~ Binomial(n, p): the one-sided test of "removed more often than p". */
export function binomialUpperTail(x: number, n: number, p: number): number {
  if (x <= 0) return 1;
  if (x > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  return Math.min(1, Math.max(0, incBeta(p, x, n - x + 1)));
}

/** Benjamini–Hochberg q-values, in the order of `pValues`. */
export function benjaminiHochberg(pValues: ArrayLike<number>): Float64Array {
  const m = pValues.length;
  const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => pValues[a]! - pValues[b]!);
  const q = new Float64Array(m);
  let running = 1;
  for (let rank = m; rank >= 1; rank--) {
    const i = order[rank - 1]!;
    running = Math.min(running, (pValues[i]! * m) / rank);
    q[i] = running;
  }
  return q;
}

/**
 * One-sided author-stratified test: P(X ≥ x) for the removals X among a term's `n` posts when,
 * within each author (Cochran–Mantel–Haenszel stratum), removals do not depend on the term.
 * Given each author's margins X is a sum of independent hypergeometric counts with mean
 * `expected`; a hypergeometric count is itself a sum of independent Bernoulli trials (its
 * generating polynomial has real roots), so X is Poisson-binomial over the n posts, and by
 * Hoeffding (1956) its tail beyond mean + 1 is at most the binomial tail with the same mean.
 * Exact and conservative where the usual normal approximation is not: with few posts and a low
 * expected count it would call 2 removals of 5 posts significant at p ≈ 1e-4.
 */
export function stratifiedUpper(x: number, n: number, expected: number): number {
  if (n <= 0 || x <= expected) return 1;
  return binomialUpperTail(x, n, Math.min(1, expected / n));
}
