/**
 * Streams the rows of a CSV or JSONL file in constant memory, decoding the bytes (UTF-8 with or
 * without BOM, GB18030, any encoding iconv-lite knows), numbering lines, and flagging rows that
 * cannot be read (wrong field count, invalid bytes, oversized fields) instead of stopping.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import { dsvFormat, type DSV } from 'd3-dsv';
import type { Row } from './format.ts';
import { UserError } from '../../util/errors.ts';
import { fail } from './row-error.ts';
import { badBytesHex, EscapingDecoder, hasBadBytes } from './decode.ts';

export interface ReaderOptions {
  encoding: string;
  /** Longest accepted field, in characters. */
  maxField: number;
  /**
   * Most lines a quoted field may span (default 1,000: more than any post's text has). A quote
   * still open past this, or past 4 × maxField characters, or at the end of the file, is a
   * stray quote: its line is quarantined and reading resumes at the next line.
   */
  maxRecordLines?: number;
}

/** Default for ReaderOptions.maxRecordLines. */
export const MAX_RECORD_LINES = 1000;

/**
 * Receives what the reader finds, row by row. A row object is only valid during the call (the
 * reader reuses it), so map it at once; `flush` ends each piece, and the reader waits for it,
 * which is the back-pressure.
 */
export interface RowSink {
  row(row: Row, line: number): void;
  bad(line: number, field: string, reason: string, raw: string): void;
  flush(): void | Promise<void>;
}

/**
 * Opens a decoded text stream of the file, or explains why the encoding is unusable. Bytes not
 * valid in the encoding arrive escaped (decode.ts), never as U+FFFD, so a literal U+FFFD is data.
 */
export function decodedStream(file: string, encoding: string, onBytes?: (n: number) => void): Readable {
  if (!iconv.encodingExists(encoding)) {
    throw new UserError(`The encoding "${encoding}" is unknown; use utf-8 (the default) or gb18030 for GBK-encoded Chinese data.`);
  }
  // Small reads keep each parsed piece's garbage short-lived: it dies young instead of being
  // copied and promoted by the collector, which cost the import worker more than parsing (bench/import).
  const bytes = createReadStream(file, { highWaterMark: 1 << 16 });
  if (onBytes) bytes.on('data', (chunk) => onBytes((chunk as Buffer).length));
  return bytes.pipe(new EscapingDecoder(encoding));
}

/** Column name → field index; a plain object, as keyed loads of constant names beat Map lookups. */
type ColumnIndex = Record<string, number | undefined>;

class CsvRow implements Row {
  constructor(readonly index: ColumnIndex, private readonly dsv: DSV, public fields: string[] = []) {}
  /** The row written back in the file's own delimiter. */
  raw(): string {
    return this.dsv.formatRow(this.fields);
  }
  get(column: string): string | undefined {
    const i = this.index[column];
    return i === undefined ? undefined : this.fields[i];
  }
}

function columnIndex(header: string[]): ColumnIndex {
  // No prototype, so names such as __proto__ or toString are plain columns; a repeated name maps to its last column.
  const index = Object.create(null) as ColumnIndex;
  header.forEach((h, i) => { index[h] = i; });
  return index;
}

// PostgreSQL text cannot hold NUL (SQLite can): rejecting it on both keeps the stores alike.
const NUL_REASON = 'contains a NUL character, which the store cannot keep in text';

/** Why a text holds bytes the encoding does not allow, naming the first few in hex. */
export function badBytesReason(text: string): string {
  return `contains bytes that are not valid in the file's encoding (${badBytesHex(text)})`;
}

/** Checks decoded fields for invalid bytes, NUL and size; returns the bad field's index or null. */
function badField(fields: string[], maxField: number): { i: number; reason: string } | null {
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    if (f.length > maxField) return { i, reason: `is ${f.length} characters long, over the limit of ${maxField}` };
    if (hasBadBytes(f)) return { i, reason: badBytesReason(f) };
    if (f.includes('\0')) return { i, reason: NUL_REASON };
  }
  return null;
}

function countNewlines(fields: string[]): number {
  let n = 0;
  for (const f of fields) n += countChar(f, '\n');
  return n;
}

const csv = dsvFormat(',');

/**
 * Reads a CSV file: the header first (through `onHeader`, which may throw to reject the file),
 * then the records a chunk at a time. The file is cut into pieces at record ends (newlines
 * outside quotes) and each piece parsed whole, which is fast and keeps memory flat: the next
 * piece is not read until the sink has taken the previous one.
 *
 * A stray quote must not swallow the rest of the file: a quoted field still open past the
 * bounds (ReaderOptions.maxRecordLines, 4 × maxField characters, the end of the file), and a bad
 * record that spans several lines (its quotes are what made it span them), cost only their first
 * line, which is quarantined; reading resumes on the next line, with line numbers intact.
 */
export async function readCsv(
  file: string, opts: ReaderOptions, onHeader: (columns: string[]) => void, sink: RowSink, onBytes?: (n: number) => void,
): Promise<void> {
  const text = decodedStream(file, opts.encoding, onBytes);
  const state: CsvState = {
    header: null, row: null, line: 1, onHeader, maxField: opts.maxField, delimiter: '', dsv: csv,
    bounds: { lines: opts.maxRecordLines ?? MAX_RECORD_LINES, chars: Math.max(opts.maxField * 4, 1024) },
  };
  let carry = '';
  try {
    for await (const chunk of text as AsyncIterable<string>) carry = await consume(carry + chunk, state, sink, false);
    // A last record without its line end gets one, so it is read like the others.
    if (carry) await consume(carry.endsWith('\n') ? carry : `${carry}\n`, state, sink, true);
  } finally {
    text.destroy();
  }
  if (!state.header) onHeader([]);
}

/** Reads the whole records at the start of `buffer`, resynchronising after stray quotes; returns the unread rest. */
async function consume(buffer: string, state: CsvState, sink: RowSink, atEnd: boolean): Promise<string> {
  if (!state.delimiter) {
    state.delimiter = guessDelimiter(buffer);
    state.dsv = dsvFormat(state.delimiter);
  }
  if (state.skipLine) {
    // The rest of a line too long to hold, whose start was quarantined.
    const nl = buffer.indexOf('\n');
    if (nl < 0) return '';
    state.skipLine = false;
    buffer = buffer.slice(nl + 1);
  }
  for (;;) {
    const scan = scanRecords(buffer, state.delimiter, state.bounds, atEnd);
    if (scan.cut > 0) {
      const resume = parsePiece(buffer.slice(0, scan.cut), state, sink, scan.malformed);
      await sink.flush();
      if (resume >= 0) {
        buffer = buffer.slice(resume);
        continue;
      }
    }
    if (!scan.runaway) return buffer.slice(scan.cut);
    buffer = buffer.slice(scan.cut);
    const why = atEnd && !scan.overBounds ? 'is still open at the end of the file'
      : `is still open after ${state.bounds.lines} lines or ${state.bounds.chars} characters`;
    buffer = buffer.slice(quarantineFirstLine(buffer, state, sink, `opens a quoted field that ${why} (a stray quote?); the line is quarantined alone and reading resumes at the next line`));
    await sink.flush();
  }
}

/**
 * Quarantines the first physical line of `text` (a record's start) as one bad row and moves the
 * line count past it; returns where the next line starts.
 */
function quarantineFirstLine(text: string, state: CsvState, sink: RowSink, reason: string): number {
  const nl = text.indexOf('\n');
  const end = nl < 0 ? text.length : nl;
  const line = text.slice(0, end > 0 && text.charCodeAt(end - 1) === 13 ? end - 1 : end);
  if (!state.header) {
    // Without a header there is nothing to check rows against; take the line as the header.
    state.header = state.dsv.parseRows(line)[0]?.map((f) => f.replace(/^\uFEFF/, '').trim()) ?? [];
    state.onHeader(state.header);
    state.row = new CsvRow(columnIndex(state.header), state.dsv);
  } else {
    sink.bad(state.line, '(row)', reason, line);
  }
  state.line++;
  if (nl < 0) state.skipLine = true;
  return nl < 0 ? text.length : nl + 1;
}

interface CsvState {
  header: string[] | null;
  row: CsvRow | null;
  line: number;
  onHeader: (columns: string[]) => void;
  maxField: number;
  /** Read off the header line once, so every piece is split alike. */
  delimiter: string;
  dsv: DSV;
  bounds: QuoteBounds;
  /**
   * A quarantined line had no end yet (one line past the bounds): the rest of it, up to its
   * newline, is skipped; only its first 4 × maxField characters are kept in the quarantine.
   */
  skipLine?: boolean;
}

/** How far an open quoted field may run before it is taken for a stray quote. */
interface QuoteBounds {
  lines: number;
  chars: number;
}

const DELIMITERS = [',', '\t', ';', '|'];

/** The commonest candidate delimiter on the first line (a comma when there is none). */
function guessDelimiter(text: string): string {
  const end = text.indexOf('\n');
  const first = end < 0 ? text : text.slice(0, end);
  let best = ',';
  let most = 0;
  for (const d of DELIMITERS) {
    const n = first.split(d).length - 1;
    if (n > most) [best, most] = [d, n];
  }
  return best;
}

interface Scan {
  /** Index just past the last record end (0 when there is none). */
  cut: number;
  /** Records that end in the text. */
  records: number;
  /** Records (by index) where a closing quote is followed by something other than a delimiter or a line end. */
  malformed: number[];
  /** The record after `cut` opens a quote that runs past the bounds (or to the end of the file). */
  runaway: boolean;
  overBounds: boolean;
}

/**
 * Walks the quotes and newlines of `text` (which starts at a record's start) the way a CSV
 * parser reads them: a quote opens a quoted field only at a field's start, `""` inside one is
 * a quote, and a bare quote mid-field (`5" screen`) is just a character. With `layout`, also
 * counts the newlines inside quoted fields of each record and notes where each record starts. Jumps from quote to newline with
 * indexOf rather than visiting every character.
 */
function scanRecords(text: string, delimiter: string, bounds?: QuoteBounds, atEnd = false, layout?: Layout): Scan {
  const delim = delimiter.charCodeAt(0);
  let inQuotes = false;
  let last = -1;
  let records = 0;
  let quotedLines = 0;
  const malformed: number[] = [];
  let q = text.indexOf('"');
  let n = text.indexOf('\n');
  while (n !== -1) {
    if (q !== -1 && q < n) {
      if (inQuotes) {
        const next = text.charCodeAt(q + 1);
        if (next === 34) {
          q = text.indexOf('"', q + 2);
          continue;
        }
        inQuotes = false;
        // d3-dsv would drop the character after such a quote; the record is bad instead.
        const ends = next === delim || next === 10 || (next === 13 && text.charCodeAt(q + 2) === 10);
        if (!ends && malformed[malformed.length - 1] !== records) malformed.push(records);
      } else {
        const before = q === 0 ? 10 : text.charCodeAt(q - 1);
        inQuotes = before === delim || before === 10;
      }
      q = text.indexOf('"', q + 1);
      continue;
    }
    if (!inQuotes) {
      last = n;
      records++;
      quotedLines = 0;
      if (layout && records < layout.starts.length) layout.starts[records] = n + 1;
    } else {
      if (layout && records < layout.inner.length) layout.inner[records]++;
      if (bounds && ++quotedLines > bounds.lines) return { cut: last + 1, records, malformed, runaway: true, overBounds: true };
    }
    n = text.indexOf('\n', n + 1);
  }
  const overBounds = !!bounds && inQuotes && text.length - (last + 1) > bounds.chars;
  return { cut: last + 1, records, malformed, runaway: !!bounds && inQuotes && (atEnd || overBounds), overBounds };
}

/**
 * Parses a piece made of whole records, handing each to the sink. Returns -1, or where to resume
 * reading (an index in the piece) when a bad record spanning several lines was cut back to its
 * first line.
 */
function parsePiece(piece: string, state: CsvState, sink: RowSink, malformed: number[]): number {
  // Drop the final line end, or the parser reports an empty record after it.
  const body = piece.endsWith('\r\n') ? piece.slice(0, -2) : piece.endsWith('\n') ? piece.slice(0, -1) : piece;
  // d3-dsv: about twice papaparse's speed here, and its garbage dies young (bench/import).
  const records = parseRecords(body, state.dsv);
  // Checks on every field of every row are costly, so they run only where the whole piece
  // shows they can matter: a newline inside a field, an undecodable byte, an oversized field.
  const newlines = countChar(body, '\n');
  const layout = newlines === records.length - 1 ? null : recordLayout(body, records.length, state.delimiter);
  const inner = layout === 'per-field' ? layout : layout?.inner ?? null;
  const extraLines = (r: number, fields: string[]) => (inner === null ? 0 : inner === 'per-field' ? countNewlines(fields) : inner[r]);
  const check: FieldChecks = { bytes: hasBadBytes(body) || body.includes('\0'), size: body.length > state.maxField };
  // The scan's record numbers match the parser's only when both cut the piece alike.
  const badQuotes = malformed.length && inner !== 'per-field' ? new Set(malformed) : null;
  const firstLine = state.line;
  for (let r = 0; r < records.length; r++) {
    const fields = records[r];
    const start = state.line;
    const extra = extraLines(r, fields);
    if (!state.header) {
      state.line += 1 + extra;
      state.header = fields.map((f) => f.replace(/^\uFEFF/, '').trim());
      state.onHeader(state.header);
      state.row = new CsvRow(columnIndex(state.header), state.dsv);
      continue;
    }
    const quotes = badQuotes?.has(r) ?? false;
    let at = -1;
    const swallows = () => {
      at = layout === null || layout === 'per-field' ? lineOffset(piece, start - firstLine) : r === 0 ? 0 : layout.starts[r];
      return holdsWholeRecord(body, at, extra, state);
    };
    if (extra > 0 && (quotes || fields.length !== state.header.length || swallows())) {
      // A record that only spans lines because of a quote gone wrong (two stray quotes pair up
      // around whole rows): keep its first line aside and read the following lines afresh, so
      // the rows they hold are not lost with it.
      if (at < 0) at = layout === null || layout === 'per-field' ? lineOffset(piece, start - firstLine) : r === 0 ? 0 : layout.starts[r];
      const why = quotes ? 'has a quoted field with characters after its closing quote'
        : fields.length !== state.header.length ? `has ${fields.length} fields where the header has ${state.header.length}`
          : 'has a quoted field that holds whole rows of the file';
      return at + quarantineFirstLine(piece.slice(at), state, sink,
        `${why}, read across ${extra + 1} lines because of its quotes; its first line is quarantined alone and reading resumes at the next line`);
    }
    state.line += 1 + extra;
    csvRecord(fields, start, state, check, quotes, sink);
  }
  // The piece is whole lines; blank ones at its end give the parser no record to count.
  state.line = firstLine + newlines + 1;
  return -1;
}

/**
 * True when a line after the first of the record at `at` (spanning `extra` more lines) reads as
 * a complete row by itself, quotes balanced: a sign that a stray quote swallowed it rather than
 * a post's text. (The line where a multi-line field closes has an odd number of quotes.)
 */
function holdsWholeRecord(body: string, at: number, extra: number, state: CsvState): boolean {
  let from = body.indexOf('\n', at) + 1;
  for (let k = 0; k < extra && from > 0; k++) {
    const nl = body.indexOf('\n', from);
    const line = body.slice(from, nl < 0 ? body.length : nl).replace(/\r$/, '');
    if (countChar(line, '"') % 2 === 0 && looksLikeRow(line, state)) return true;
    from = nl + 1;
  }
  return false;
}

/** A line that parses alone as one row of the header's width, with no quote left open. */
function looksLikeRow(line: string, state: CsvState): boolean {
  const d = state.delimiter;
  if (line.split(d).length < state.header!.length) return false; // too few delimiters, even counting quoted ones
  const scan = scanRecords(`${line}\n`, d);
  if (scan.records !== 1 || scan.malformed.length) return false;
  const rows = state.dsv.parseRows(line);
  return rows.length === 1 && rows[0].length === state.header!.length;
}

// A carriage return not followed by a line feed is data (lines end at \n or \r\n), but d3-dsv
// ends records at it; it stands in as a lone low surrogate, which decoded text never holds
// (escaped bytes are U+DC80 and up), while the parser runs.
const LONE_CR = /\r(?!\n)/g;
const CR_STAND_IN = '\uDC0D';
const CR_STAND_IN_RE = /(?<![\uD800-\uDBFF])\uDC0D/g;

/** Parses whole records, keeping lone carriage returns as data. */
function parseRecords(body: string, dsv: DSV): string[][] {
  if (!body.includes('\r') || !(LONE_CR.lastIndex = 0, LONE_CR.test(body))) return dsv.parseRows(body);
  const records = dsv.parseRows(body.replace(LONE_CR, CR_STAND_IN));
  for (const fields of records) {
    for (let i = 0; i < fields.length; i++) if (fields[i].includes(CR_STAND_IN)) fields[i] = fields[i].replace(CR_STAND_IN_RE, '\r');
  }
  return records;
}

/** Index where the `k`-th line of `text` (0-based, counting newlines) starts. */
function lineOffset(text: string, k: number): number {
  let at = 0;
  for (let i = 0; i < k; i++) at = text.indexOf('\n', at) + 1;
  return at;
}

interface FieldChecks {
  /** Undecodable bytes or NUL characters. */
  bytes: boolean;
  size: boolean;
}

/** Per record: newlines inside its quoted fields, and where it starts in the piece. */
interface Layout {
  inner: Int32Array;
  starts: Int32Array;
}

/**
 * The records' layout from one scan of the piece; 'per-field' (newlines counted field by field)
 * when the scan and the parser disagree on where records end (a malformed file).
 */
function recordLayout(body: string, records: number, delimiter: string): Layout | 'per-field' {
  const layout = { inner: new Int32Array(records), starts: new Int32Array(records) };
  // The body lacks its final line end, so its last record is not followed by a newline.
  return scanRecords(body, delimiter, undefined, false, layout).records === records - 1 ? layout : 'per-field';
}

function countChar(text: string, ch: string): number {
  let n = 0;
  for (let i = text.indexOf(ch); i >= 0; i = text.indexOf(ch, i + 1)) n++;
  return n;
}

/** Hands one parsed record to the sink: a row to map, or the reason it cannot be read. */
function csvRecord(fields: string[], line: number, state: CsvState, check: FieldChecks, badQuotes: boolean, sink: RowSink): void {
  const header = state.header!;
  if (fields.length === 1 && fields[0] === '') return; // a blank line holds nothing to lose
  if (fields.length !== header.length) {
    sink.bad(line, '(row)', `has ${fields.length} fields where the header has ${header.length}`, state.dsv.formatRow(fields));
    return;
  }
  const bad = check.bytes || check.size ? badField(fields, state.maxField) : null;
  if (bad) {
    sink.bad(line, header[bad.i], bad.reason, state.dsv.formatRow(fields));
    return;
  }
  if (badQuotes) {
    sink.bad(line, '(row)', 'has a quoted field with characters after its closing quote (quote the whole field and double the quotes inside it)', state.dsv.formatRow(fields));
    return;
  }
  const row = state.row!;
  row.fields = fields;
  sink.row(row, line);
}

class JsonRow implements Row {
  constructor(readonly value: Record<string, unknown>, private readonly text: string) {}
  raw(): string {
    return this.text;
  }
  get(path: string): string | undefined {
    let v: unknown = this.value;
    for (const key of path.split('.')) {
      if (v === null || typeof v !== 'object') return undefined;
      v = (v as Record<string, unknown>)[key];
    }
    if (v === undefined || v === null) return undefined;
    return typeof v === 'string' ? v : typeof v === 'object' ? nestedText(v, path) : String(v);
  }
}

/**
 * A JSON value as text. JSON.parse reads any depth, but JSON.stringify recurses, so a value
 * nested tens of thousands of levels deep (a hostile file) would overflow the stack and end the
 * whole import: that row is quarantined instead.
 */
function nestedText(v: object, path: string): string {
  try {
    return JSON.stringify(v);
  } catch (err) {
    if (err instanceof RangeError) fail(path, 'is nested too deeply to be kept as text');
    throw err;
  }
}

/** Reads a JSONL file, one object a line, flushing the sink every 2,000 lines. */
export async function readJsonl(file: string, opts: ReaderOptions, sink: RowSink, onBytes?: (n: number) => void): Promise<void> {
  const lines = createInterface({ input: decodedStream(file, opts.encoding, onBytes), crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line++;
    jsonLine(text, line, opts.maxField, sink);
    if (line % 2000 === 0) await sink.flush();
  }
  await sink.flush();
}

function jsonLine(text: string, line: number, maxField: number, sink: RowSink): void {
  if (!text.trim()) return;
  if (text.length > maxField * 4) {
    sink.bad(line, '(line)', `is ${text.length} characters long, over the limit of ${maxField * 4}`, text);
    return;
  }
  if (hasBadBytes(text)) {
    sink.bad(line, '(line)', badBytesReason(text), text);
    return;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    sink.bad(line, '(line)', `is not valid JSON (${(err as Error).message})`, text);
    return;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    sink.bad(line, '(line)', 'is not a JSON object', text);
    return;
  }
  // NUL arrives raw or escaped as \u0000 inside a JSON string.
  if (text.includes('\0') || /(^|[^\\])(\\\\)*\\u0000/.test(text)) {
    sink.bad(line, '(line)', NUL_REASON, text);
    return;
  }
  sink.row(new JsonRow(value as Record<string, unknown>, text), line);
}
