/** Durations on the command line: "90s", "15m", "6h", "1d" (a bare number is seconds). */
import { UserError } from '../../util/errors.ts';

const UNIT: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses a duration to milliseconds. */
export function parseDuration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!m) throw new UserError(`"${text}" is not a duration; write e.g. 90s, 15m, 6h or 1d.`);
  return Math.round(Number(m[1]) * UNIT[m[2] ?? 's']);
}
