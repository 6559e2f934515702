/** Parsing of the field types importers meet: ids, dates, booleans, lists. */
import { fail } from './row-error.ts';

/** A required, non-empty field. */
export function required(value: string | undefined, field: string): string {
  const v = value?.trim();
  if (!v) fail(field, 'is missing (a post cannot be stored without it)');
  return v;
}

/** An optional field: empty becomes null. */
export function optional(value: string | undefined): string | null {
  const v = value?.trim();
  return v ? v : null;
}

const ISO_LIKE = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?\s*(Z|[+-]\d{2}:?\d{2}|UTC)?$/;
const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4}|\d{2})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;
/** An explicit zone in a free-form date: Z, UTC, GMT, a US zone abbreviation, or a numeric offset. */
const HAS_ZONE = /(?:^|[\s,(\d])(?:Z|UTC|GMT|UT|[ECMP][SD]T)(?=$|[\s,)+-])|[+-]\d{2}:?\d{2}(?=$|[\s)])/i;

/** Days in a month (1-based), so that 2019-02-30 is refused rather than rolled over to March. */
function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** A two-digit year as POSIX strptime reads it: 69–99 are 1969–1999, 00–68 are 2000–2068. */
function fullYear(y: string): number {
  if (y.length > 2) return +y;
  return +y < 69 ? 2000 + +y : 1900 + +y;
}

/**
 * Parses a timestamp to epoch ms (UTC), whatever the machine's time zone. Accepts ISO-like
 * `2012-01-03 02:02:27` (UTC unless an offset is given), US `1/2/2017 14:39` and `10/1/17 19:58`
 * (FiveThirtyEight; UTC), epoch seconds or ms, and free forms such as `Mon Oct 01 19:58:00
 * +0000 2017` (UTC when they name no zone).
 */
export function parseTime(value: string | undefined, field: string, opts: { required?: boolean } = {}): number | null {
  const v = value?.trim();
  if (!v) {
    if (opts.required) fail(field, 'is missing');
    return null;
  }
  const fast = fastIsoMinutes(v);
  if (fast !== null) return fast;
  let ms: number;
  let m: RegExpExecArray | null;
  if (/^-?\d+(\.\d+)?$/.test(v)) {
    const n = Number(v);
    // Epoch seconds have 10 digits today; anything beyond 1e11 is milliseconds.
    ms = Math.abs(n) < 1e11 ? Math.round(n * 1000) : Math.round(n);
  } else if ((m = ISO_LIKE.exec(v))) {
    const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '0', tz] = m;
    ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, Math.round(Number(`0.${frac}`) * 1000));
    if (tz && tz !== 'Z' && tz !== 'UTC') {
      const sign = tz.startsWith('-') ? -1 : 1;
      const digits = tz.replace(/[^0-9]/g, '');
      ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
    }
    if (+mo < 1 || +mo > 12 || +d < 1 || +d > daysIn(+y, +mo) || +h > 23 || +mi > 59 || +s > 60) ms = NaN;
  } else if ((m = US_DATE.exec(v))) {
    const [, mo, d, yy, h = '0', mi = '0', s = '0'] = m;
    const y = fullYear(yy);
    ms = Date.UTC(y, +mo - 1, +d, +h, +mi, +s);
    if (+mo < 1 || +mo > 12 || +d < 1 || +d > daysIn(y, +mo) || +h > 23 || +mi > 59 || +s > 60) ms = NaN;
  } else {
    // Date.parse reads a date without a zone in the machine's local time: pin those to UTC.
    ms = HAS_ZONE.test(v) ? Date.parse(v) : Date.parse(`${v} UTC`);
  }
  if (!Number.isFinite(ms)) fail(field, `is not a date or time I can read ("${v.slice(0, 40)}")`);
  return ms;
}

const digit = (s: string, i: number) => s.charCodeAt(i) - 48;
const two = (s: string, i: number) => digit(s, i) * 10 + digit(s, i + 1);
const DIGIT_POSITIONS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15];

/**
 * `YYYY-MM-DD HH:MM[:SS]`, the commonest shape in archives, read without a regular expression
 * (it is on every row of an import); anything else returns null and takes the general path.
 */
function fastIsoMinutes(v: string): number | null {
  if ((v.length !== 16 && v.length !== 19) || v[4] !== '-' || v[7] !== '-' || v[10] !== ' ' || v[13] !== ':') return null;
  if (v.length === 19 && v[16] !== ':') return null;
  for (const i of DIGIT_POSITIONS) if (digit(v, i) < 0 || digit(v, i) > 9) return null;
  const y = two(v, 0) * 100 + two(v, 2);
  const mo = two(v, 5), d = two(v, 8), h = two(v, 11), mi = two(v, 14);
  const sec = v.length === 19 ? two(v, 17) : 0;
  if (v.length === 19 && (digit(v, 17) < 0 || digit(v, 17) > 9 || digit(v, 18) < 0 || digit(v, 18) > 9)) return null;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return null;
  if (d > 28 && d > daysIn(y, mo)) return null; // the general path refuses it with a reason
  return Date.UTC(y, mo - 1, d, h, mi, sec);
}

/** Booleans as datasets write them: true/false, 1/0, yes/no, t/f (case-insensitive); empty is false. */
export function parseBool(value: string | undefined, field: string): boolean {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '' || v === 'false' || v === '0' || v === 'no' || v === 'f' || v === 'n') return false;
  if (v === 'true' || v === '1' || v === 'yes' || v === 't' || v === 'y') return true;
  return fail(field, `is not a boolean ("${v.slice(0, 20)}"); expected true/false or 1/0`);
}

/**
 * A list field: JSON-ish `['a', 'b']` / `[a, b]` (Twitter archives), or separated by `sep`.
 * Empty gives null.
 */
export function parseList(value: string | undefined, sep: RegExp = /[\s,]+/): string[] | null {
  let v = value?.trim();
  if (!v || v === '[]') return null;
  if (v.startsWith('[') && v.endsWith(']')) v = v.slice(1, -1);
  const items = v.split(v.includes(',') ? /\s*,\s*/ : sep).map((s) => s.trim().replace(/^['"]|['"]$/g, '')).filter(Boolean);
  return items.length ? items : null;
}

/** Hashtags found in a text (`#tag` and Weibo's `#topic#`). */
export function hashtagsIn(text: string): string[] | null {
  const tags = new Set<string>();
  for (const m of text.matchAll(/#([^#\s]{1,60})#|#([\p{L}\p{N}_]{1,100})/gu)) tags.add((m[1] ?? m[2]).toLowerCase());
  return tags.size ? [...tags] : null;
}

/** URLs found in a text. */
export function urlsIn(text: string): string[] | null {
  const found = text.match(/https?:\/\/[^\s<>"'，。）)]+/g);
  return found ? [...new Set(found)] : null;
}

/** @mentions found in a text. */
export function mentionsIn(text: string): string[] | null {
  const found = text.match(/@[\p{L}\p{N}_\-]{1,50}/gu);
  return found ? [...new Set(found.map((m) => m.slice(1)))] : null;
}
