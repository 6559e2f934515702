/**
 * Times as evidence shows them: ISO 8601 in UTC, never epoch numbers (a reader must not have to
 * guess the unit or the zone), and intervals in words a reader can check against the two ends.
 */

/** Epoch milliseconds as ISO 8601 UTC (`2024-05-01T08:00:00.000Z`), or null. */
export function iso(ms: number | null | undefined): string | null {
  return ms == null || !Number.isFinite(ms) ? null : new Date(ms).toISOString();
}

/** A length of time in words: "15 min 0 s", "2 d 3 h 4 min", "0.250 s". */
export function duration(ms: number): string {
  if (ms < 0) return `-${duration(-ms)}`;
  if (ms < 1000) return `${(ms / 1000).toFixed(3)} s`;
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d) return `${d} d ${h} h ${m} min`;
  if (h) return `${h} h ${m} min ${sec} s`;
  return `${m} min ${sec} s`;
}

/** The latest of the given times (ignoring nulls), or null when there is none. */
export function latest(times: Iterable<number | null | undefined>): number | null {
  let best: number | null = null;
  for (const t of times) if (t != null && Number.isFinite(t) && (best === null || t > best)) best = t;
  return best;
}
