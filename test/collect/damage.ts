/**
 * Generated import files for the property tests: valid rows in each posts format, some of them
 * damaged (stray and unbalanced quotes, truncation, NUL, invalid bytes, huge fields), mixed
 * line ends and an optional BOM. Each file comes with what every row should become.
 */
import fc from 'fast-check';
import { csv } from '../helpers/files.ts';
import { TWITTER_IO_COLUMNS, WEIBOSCOPE_COLUMNS } from '../../src/collect/samples/sample-files.ts';

export const FORMATS = ['weiboscope', 'twitter-io', 'csv', 'jsonl'] as const;
export type FormatName = (typeof FORMATS)[number];
export const GENERIC_MAPPING = { id: 'id', text: 'text', account: 'account', created_at: 'time' };
/** The reader's field limit in these tests; a huge field is over it. */
export const MAX_FIELD = 300;

export const DAMAGES = ['strayQuote', 'dropQuote', 'truncate', 'nul', 'badBytes', 'hugeField'] as const;
export type Damage = (typeof DAMAGES)[number];

export interface GenRow {
  id: string;
  account: string;
  /** Epoch ms, whole seconds (minutes for twitter-io). */
  createdAt: number;
  text: string;
  damage: Damage | null;
  /** Where the damage goes, as a fraction of the row's length. */
  at: number;
  bad: number[];
}

export interface GenFile {
  format: FormatName;
  rows: GenRow[];
  eols: string[];
  bom: boolean;
}

/** Characters that stress CSV and text handling: quotes, delimiters, line ends, U+FFFD, BOM, emoji, CJK. */
const CHARS = ['a', 'b', 'Z', ' ', ',', ';', '\t', '"', "'", '\n', '\r\n', '\r', '\uFFFD', '\uFEFF', '中', '文', '😀', '\\', '#', '@', 'é', '0'];
const text = fc.array(fc.constantFrom(...CHARS), { maxLength: 24 }).map((a) => a.join(''));
const BAD_BYTES = [[0xff], [0xc3], [0x80], [0xe4, 0xb8], [0xed, 0xa0, 0x80], [0xf5, 0x80]];

function row(format: FormatName, damaged: boolean) {
  return fc.record({
    id: fc.integer({ min: 1, max: 1e9 }).map((n) => `p${n}`),
    account: fc.integer({ min: 0, max: 5 }).map((n) => `u${n}`),
    createdAt: fc.integer({ min: 1262304000, max: 1609459199 }).map((s) => (format === 'twitter-io' ? Math.floor(s / 60) * 60 : s) * 1000),
    text,
    damage: damaged ? fc.constantFrom(...DAMAGES) : fc.constant(null),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    bad: fc.constantFrom(...BAD_BYTES),
  });
}

/** A file: 1–10 rows, a third of them damaged, unique ids, each row's own line end, maybe a BOM. */
export function genFile(formats: readonly FormatName[] = FORMATS): fc.Arbitrary<GenFile> {
  return fc.constantFrom(...formats).chain((format) => fc.record({
    format: fc.constant(format),
    rows: fc.array(fc.integer({ min: 0, max: 2 }).chain((d) => row(format, d === 0)), { minLength: 1, maxLength: 10 })
      .map((rows) => rows.map((r, i) => ({ ...r, id: `${r.id}x${i}` }))),
    eols: fc.array(fc.constantFrom('\n', '\r\n'), { minLength: 11, maxLength: 11 }),
    bom: fc.boolean(),
  }));
}

const pad = (n: number) => String(n).padStart(2, '0');
/** The time as the format writes it. */
function stamp(format: FormatName, ms: number): string {
  const d = new Date(ms);
  const day = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  return format === 'twitter-io' ? day : `${day}:${pad(d.getUTCSeconds())}`;
}

function header(format: FormatName): string[] {
  if (format === 'weiboscope') return WEIBOSCOPE_COLUMNS;
  if (format === 'twitter-io') return TWITTER_IO_COLUMNS;
  return ['id', 'text', 'account', 'time'];
}

function fields(format: FormatName, r: GenRow, text: string): string[] {
  const t = stamp(format, r.createdAt);
  if (format === 'weiboscope') return [r.id, '', r.account, '', 'src', '0', text, '', t, '', 'False'];
  if (format === 'twitter-io') {
    const v: Record<string, string> = { tweetid: r.id, userid: r.account, tweet_text: text, tweet_time: t, is_retweet: 'False' };
    return TWITTER_IO_COLUMNS.map((c) => v[c] ?? '');
  }
  return [r.id, text, r.account, t];
}

/** One row as it stands in the file, damage applied, without its line end. */
function serialise(format: FormatName, r: GenRow): Buffer {
  const text = r.damage === 'hugeField' ? 'x'.repeat(MAX_FIELD + 1 + Math.floor(r.at * MAX_FIELD)) : r.text;
  let line = format === 'jsonl'
    ? JSON.stringify({ id: r.id, text, account: r.account, time: stamp(format, r.createdAt) })
    : csv([fields(format, r, text)], '').replace(/\n$/, '');
  const pos = (s: string) => Math.min(s.length, Math.floor(r.at * (s.length + 1)));
  // Cut positions never split a surrogate pair, so damage is only the damage named.
  const safe = (s: string, i: number) => (i > 0 && i < s.length && /[\uDC00-\uDFFF]/.test(s[i]) ? i - 1 : i);
  switch (r.damage) {
    case 'strayQuote': {
      // A quote at the start of a field (after a delimiter), which opens a quoted field that never closes.
      const starts = [...line.matchAll(/,/g)].map((m) => m.index! + 1);
      const at = starts.length ? starts[Math.floor(r.at * starts.length) % starts.length] : 0;
      line = `${line.slice(0, at)}"${line.slice(at)}`;
      break;
    }
    case 'dropQuote': {
      const quotes = [...line.matchAll(/"/g)].map((m) => m.index!);
      if (quotes.length) {
        const at = quotes[Math.floor(r.at * quotes.length) % quotes.length];
        line = line.slice(0, at) + line.slice(at + 1);
      } else line = `"${line}`;
      break;
    }
    case 'truncate': line = line.slice(0, safe(line, Math.min(pos(line), line.length - 1))); break;
    case 'nul': { const i = safe(line, pos(line)); line = `${line.slice(0, i)}\0${line.slice(i)}`; break; }
    case 'badBytes': {
      const i = safe(line, pos(line));
      return Buffer.concat([Buffer.from(line.slice(0, i)), Buffer.from(r.bad), Buffer.from(line.slice(i))]);
    }
    default: break;
  }
  return Buffer.from(line);
}

export interface Built {
  bytes: Buffer;
  /** First line of each row, and how many lines it takes. */
  lines: Array<{ start: number; count: number }>;
}

/** The file's bytes, and where each row stands in it. */
export function build(f: GenFile): Built {
  const parts: Buffer[] = [];
  if (f.bom) parts.push(Buffer.from([0xef, 0xbb, 0xbf]));
  let line = 1;
  if (f.format !== 'jsonl') {
    parts.push(Buffer.from(csv([header(f.format)], f.eols[0])));
    line = 2;
  }
  const lines: Built['lines'] = [];
  f.rows.forEach((r, i) => {
    const body = serialise(f.format, r);
    const eol = f.eols[(i + 1) % f.eols.length];
    parts.push(body, Buffer.from(eol));
    const count = 1 + body.filter((b) => b === 0x0a).length;
    lines.push({ start: line, count });
    line += count;
  });
  return { bytes: Buffer.concat(parts), lines };
}
