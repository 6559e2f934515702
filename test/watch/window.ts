/** Budget checks made at the server's side: the most requests any 60 s window of its log holds. */

/** The most times in any half-open window [t, t + windowMs). */
export function maxInWindow(times: number[], windowMs = 60_000): number {
  const s = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; j < s.length; j++) {
    while (s[j] - s[i] >= windowMs) i++;
    best = Math.max(best, j - i + 1);
  }
  return best;
}

/** The most intervals [start, end) open at once. */
export function maxOverlap(spans: Array<{ start: number; end: number }>): number {
  const edges = spans.flatMap((s) => [[s.start, 1], [s.end, -1]] as Array<[number, number]>).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let best = 0;
  for (const [, d] of edges) best = Math.max(best, (open += d));
  return best;
}
