/** The arithmetic of bench/scale, kept apart so a test can check it. */

export interface Point {
  posts: number;
  seconds: number;
  peakMB: number | null;
}

export interface Projection {
  seconds: number;
  peakMB: number | null;
  /** How the figure was obtained, for the table. */
  how: string;
}

/**
 * Projects time and peak memory to `posts` from the two largest measured sizes, by the power
 * law through them (y = a·n^b, so b is the measured growth exponent: 1 for linear time, 0 for
 * flat memory). A growth faster than measured (e.g. a cache that stops fitting) is not foreseen.
 */
export function project(points: Point[], posts: number): Projection | null {
  const sorted = [...points].sort((x, y) => x.posts - y.posts);
  if (sorted.length < 2) return null;
  const [p, q] = sorted.slice(-2) as [Point, Point];
  if (q.posts <= p.posts) return null;
  const fit = (y0: number, y1: number) => {
    const b = Math.log(y1 / y0) / Math.log(q.posts / p.posts);
    return { value: y1 * (posts / q.posts) ** b, b };
  };
  const t = fit(p.seconds, q.seconds);
  const m = p.peakMB !== null && q.peakMB !== null ? fit(p.peakMB, q.peakMB) : null;
  return {
    seconds: t.value,
    peakMB: m ? m.value : null,
    how: `projected by y = a·n^b through ${fmt(p.posts)} and ${fmt(q.posts)} (time b = ${t.b.toFixed(2)}${m ? `, memory b = ${m.b.toFixed(2)}` : ''})`,
  };
}

/** Most requests any `windowMs` window saw among `times` (ms, any order). */
export function maxInWindow(times: number[], windowMs: number): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < t.length; hi++) {
    while (t[hi]! - t[lo]! >= windowMs) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

/** The shared budget's rule (src/watch/shared-budget.ts): requests in any 12 consecutive 5-second buckets. */
export function maxInBuckets(times: number[]): number {
  const buckets = new Map<number, number>();
  for (const t of times) buckets.set(Math.floor(t / 5000), (buckets.get(Math.floor(t / 5000)) ?? 0) + 1);
  let best = 0;
  for (const b of buckets.keys()) {
    let n = 0;
    for (let k = b; k < b + 12; k++) n += buckets.get(k) ?? 0;
    best = Math.max(best, n);
  }
  return best;
}

/** 1000000 → "1M", 50000 → "50k". */
export function fmt(n: number): string {
  return n >= 1e6 && n % 1e6 === 0 ? `${n / 1e6}M` : n >= 1e3 && n % 1e3 === 0 ? `${n / 1e3}k` : String(n);
}
