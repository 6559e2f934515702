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

export interface ReaderOptions {
  encoding: string;
  /** Longest accepted field, in characters. */
  maxField: number;
}

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

/** Opens a decoded text stream of the file, or explains why the encoding is unusable. */
export function decodedStream(file: string, encoding: string, onBytes?: (n: number) => void): Readable {
  if (!iconv.encodingExists(encoding)) {
    throw new UserError(`The encoding "${encoding}" is unknown; use utf-8 (the default) or gb18030 for GBK-encoded Chinese data.`);
  }
  // Small reads keep each parsed piece's garbage short-lived: it dies young instead of being
  // copied and promoted by the collector, which cost the import worker more than parsing (bench/import).
  const bytes = createReadStream(file, { highWaterMark: 1 << 16 });
  if (onBytes) bytes.on('data', (chunk) => onBytes((chunk as Buffer).length));
  return bytes.pipe(iconv.decodeStream(encoding, { stripBOM: true })) as unknown as Readable;
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

/** Checks decoded fields for replacement characters and size; returns the bad field's index or null. */
function badField(fields: string[], maxField: number): { i: number; reason: string } | null {
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    if (f.length > maxField) return { i, reason: `is ${f.length} characters long, over the limit of ${maxField}` };
    if (f.includes('\uFFFD')) return { i, reason: 'contains bytes that are not valid in the file\'s encoding' };
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
 */
export async function readCsv(
  file: string, opts: ReaderOptions, onHeader: (columns: string[]) => void, sink: RowSink, onBytes?: (n: number) => void,
): Promise<void> {
  const text = decodedStream(file, opts.encoding, onBytes);
  const state: CsvState = { header: null, row: null, line: 1, onHeader, maxField: opts.maxField, delimiter: '', dsv: csv };
  // A quote left open swallows the rest of the file; past this size the piece is parsed as it is.
  const maxCarry = Math.max(opts.maxField * 4, 1 << 22);
  let carry = '';
  try {
    for await (const chunk of text as AsyncIterable<string>) {
      const buffer = carry + chunk;
      if (!state.delimiter) {
        state.delimiter = guessDelimiter(buffer);
        state.dsv = dsvFormat(state.delimiter);
      }
      let cut = scanRecords(buffer, state.delimiter).cut;
      if (cut === 0 && buffer.length > maxCarry) cut = buffer.length;
      carry = buffer.slice(cut);
      if (cut > 0) {
        parsePiece(buffer.slice(0, cut), state, sink);
        await sink.flush();
      }
    }
    if (carry) {
      parsePiece(carry, state, sink);
      await sink.flush();
    }
  } finally {
    text.destroy();
  }
  if (!state.header) onHeader([]);
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

/**
 * Walks the quotes and newlines of `text` (which starts at a record's start) the way a CSV
 * parser reads them: a quote opens a quoted field only at a field's start, `""` inside one is
 * a quote, and a bare quote mid-field (`5" screen`) is just a character. Returns the index just
 * past the last record end (0 when there is none) and how many records end in the text; with
 * `inner`, also counts the newlines inside quoted fields of each record. Jumps from quote to
 * newline with indexOf rather than visiting every character.
 */
function scanRecords(text: string, delimiter: string, inner?: Int32Array): { cut: number; records: number } {
  const delim = delimiter.charCodeAt(0);
  let inQuotes = false;
  let last = -1;
  let records = 0;
  let q = text.indexOf('"');
  let n = text.indexOf('\n');
  while (n !== -1) {
    if (q !== -1 && q < n) {
      if (inQuotes) {
        if (text.charCodeAt(q + 1) === 34) {
          q = text.indexOf('"', q + 2);
          continue;
        }
        inQuotes = false;
      } else {
        const before = q === 0 ? 10 : text.charCodeAt(q - 1);
        inQuotes = before === delim || before === 10 || before === 13;
      }
      q = text.indexOf('"', q + 1);
      continue;
    }
    if (!inQuotes) {
      last = n;
      records++;
    } else if (inner && records < inner.length) {
      inner[records]++;
    }
    n = text.indexOf('\n', n + 1);
  }
  return { cut: last + 1, records };
}

/** Parses a piece made of whole records, handing each to the sink. */
function parsePiece(piece: string, state: CsvState, sink: RowSink): void {
  // Drop the final line end, or the parser reports an empty record after it.
  const body = piece.endsWith('\r\n') ? piece.slice(0, -2) : piece.endsWith('\n') ? piece.slice(0, -1) : piece;
  // d3-dsv: about twice papaparse's speed here, and its garbage dies young (bench/import).
  const records = state.dsv.parseRows(body);
  // Checks on every field of every row are costly, so they run only where the whole piece
  // shows they can matter: a newline inside a field, an undecodable byte, an oversized field.
  const inner = countChar(body, '\n') === records.length - 1 ? null : newlinesInRecords(body, records.length, state.delimiter);
  const extraLines = (r: number, fields: string[]) => (inner === null ? 0 : inner === 'per-field' ? countNewlines(fields) : inner[r]);
  const check: FieldChecks = { bytes: body.includes('\uFFFD') || body.includes('\0'), size: body.length > state.maxField };
  for (let r = 0; r < records.length; r++) {
    const fields = records[r];
    const start = state.line;
    state.line += 1 + extraLines(r, fields);
    if (!state.header) {
      state.header = fields.map((f) => f.replace(/^\uFEFF/, '').trim());
      state.onHeader(state.header);
      state.row = new CsvRow(columnIndex(state.header), state.dsv);
      continue;
    }
    csvRecord(fields, start, state, check, sink);
  }
}

interface FieldChecks {
  /** Undecodable bytes or NUL characters. */
  bytes: boolean;
  size: boolean;
}

/**
 * Newlines inside quoted fields, per record, from one scan of the piece; counted field by field
 * when the scan and the parser disagree on where records end (a malformed file).
 */
function newlinesInRecords(body: string, records: number, delimiter: string): Int32Array | 'per-field' {
  const inner = new Int32Array(records);
  // The body lacks its final line end, so its last record is not followed by a newline.
  return scanRecords(body, delimiter, inner).records === records - 1 ? inner : 'per-field';
}

function countChar(text: string, ch: string): number {
  let n = 0;
  for (let i = text.indexOf(ch); i >= 0; i = text.indexOf(ch, i + 1)) n++;
  return n;
}

/** Hands one parsed record to the sink: a row to map, or the reason it cannot be read. */
function csvRecord(fields: string[], line: number, state: CsvState, check: FieldChecks, sink: RowSink): void {
  const header = state.header!;
  if (fields.length === 1 && fields[0] === '') return; // a blank line holds nothing to lose
  if (fields.length !== header.length) {
    sink.bad(line, '(row)', `has ${fields.length} fields where the header has ${header.length}`, state.dsv.formatRow(fields).slice(0, state.maxField));
    return;
  }
  const bad = check.bytes || check.size ? badField(fields, state.maxField) : null;
  if (bad) {
    sink.bad(line, header[bad.i], bad.reason, state.dsv.formatRow(fields).slice(0, state.maxField));
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
    return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
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
    sink.bad(line, '(line)', `is ${text.length} characters long, over the limit of ${maxField * 4}`, text.slice(0, maxField));
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
  if (text.includes('\uFFFD')) {
    sink.bad(line, '(line)', "contains bytes that are not valid in the file's encoding", text);
    return;
  }
  sink.row(new JsonRow(value as Record<string, unknown>, text), line);
}
