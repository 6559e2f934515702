/**
 * Streams the rows of a CSV or JSONL file in constant memory, decoding the bytes (UTF-8 with or
 * without BOM, GB18030, any encoding iconv-lite knows), numbering lines, and flagging rows that
 * cannot be read (wrong field count, invalid bytes, oversized fields) instead of stopping.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import Papa from 'papaparse';
import type { Row } from './format.ts';
import { UserError } from '../../util/errors.ts';

export interface ReaderOptions {
  encoding: string;
  /** Longest accepted field, in characters. */
  maxField: number;
}

export type ReadItem =
  | { ok: true; line: number; row: Row }
  | { ok: false; line: number; field: string; reason: string; raw: string };

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
  constructor(readonly index: ColumnIndex, readonly fields: string[] = []) {}
  raw(): string {
    return unparse(this.fields);
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

/** Checks decoded fields for replacement characters and size; returns the bad field's index or -1. */
function badField(fields: string[], maxField: number): { i: number; reason: string } | null {
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    if (f.length > maxField) return { i, reason: `is ${f.length} characters long, over the limit of ${maxField}` };
    if (f.includes('\uFFFD')) return { i, reason: 'contains bytes that are not valid in the file\'s encoding' };
  }
  return null;
}

function countNewlines(fields: string[]): number {
  let n = 0;
  for (const f of fields) {
    if (f.indexOf('\n') < 0) continue;
    for (let i = f.indexOf('\n'); i >= 0; i = f.indexOf('\n', i + 1)) n++;
  }
  return n;
}

const unparse = (fields: string[]) => Papa.unparse([fields], { newline: '' });

/** Receives items a chunk at a time; returning a promise pauses reading until it settles. */
export type ChunkSink = (items: ReadItem[]) => void | Promise<void>;

/**
 * Reads a CSV file: the header first (through `onHeader`, which may throw to reject the file),
 * then the records a chunk at a time. The file is cut into pieces at record ends (newlines
 * outside quotes) and each piece parsed whole, which is fast and keeps memory flat: the next
 * piece is not read until the sink has taken the previous one.
 */
export async function readCsv(
  file: string, opts: ReaderOptions, onHeader: (columns: string[]) => void, sink: ChunkSink, onBytes?: (n: number) => void,
): Promise<void> {
  const text = decodedStream(file, opts.encoding, onBytes);
  const state: CsvState = { header: null, row: null, line: 1, onHeader, maxField: opts.maxField };
  // A quote left open swallows the rest of the file; past this size the piece is parsed as it is.
  const maxCarry = Math.max(opts.maxField * 4, 1 << 22);
  let carry = '';
  try {
    for await (const chunk of text as AsyncIterable<string>) {
      const buffer = carry + chunk;
      let cut = lastRecordEnd(buffer);
      if (cut === 0 && buffer.length > maxCarry) cut = buffer.length;
      carry = buffer.slice(cut);
      if (cut > 0) {
        const items = parsePiece(buffer.slice(0, cut), state);
        if (items.length) await sink(items);
      }
    }
    if (carry) {
      const items = parsePiece(carry, state);
      if (items.length) await sink(items);
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
}

/** Index just past the last newline that is outside quotes (0 when there is none). */
function lastRecordEnd(text: string): number {
  let inQuotes = false;
  let last = -1;
  let q = text.indexOf('"');
  let n = text.indexOf('\n');
  while (n !== -1) {
    if (q !== -1 && q < n) {
      inQuotes = !inQuotes;
      q = text.indexOf('"', q + 1);
    } else {
      if (!inQuotes) last = n;
      n = text.indexOf('\n', n + 1);
    }
  }
  return last + 1;
}

/** Parses a piece made of whole records. */
function parsePiece(piece: string, state: CsvState): ReadItem[] {
  // Drop the final line end, or the parser reports an empty record after it.
  const body = piece.endsWith('\r\n') ? piece.slice(0, -2) : piece.endsWith('\n') ? piece.slice(0, -1) : piece;
  const items: ReadItem[] = [];
  // Telling the parser the line end spares its slower guessing.
  const newline = body.includes('\r\n') ? '\r\n' : '\n';
  for (const fields of Papa.parse<string[]>(body, { header: false, skipEmptyLines: false, newline }).data) {
    const start = state.line;
    state.line += 1 + countNewlines(fields);
    if (!state.header) {
      state.header = fields.map((f) => f.replace(/^\uFEFF/, '').trim());
      state.onHeader(state.header);
      state.row = new CsvRow(columnIndex(state.header));
      continue;
    }
    const item = csvItem(fields, start, state.header, state.row!, state.maxField);
    if (item) items.push(item);
  }
  return items;
}

/** Turns one parsed record into an item: a row to map, or a reason it cannot be read. */
function csvItem(fields: string[], line: number, header: string[], row: CsvRow, maxField: number): ReadItem | null {
  if (fields.length === 1 && fields[0] === '') return null; // a blank line holds nothing to lose
  if (fields.length !== header.length) {
    return { ok: false, line, field: '(row)', reason: `has ${fields.length} fields where the header has ${header.length}`, raw: unparse(fields).slice(0, maxField) };
  }
  const bad = badField(fields, maxField);
  if (bad) return { ok: false, line, field: header[bad.i], reason: bad.reason, raw: unparse(fields).slice(0, maxField) };
  return { ok: true, line, row: new CsvRow(row.index, fields) };
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

/** Reads a JSONL file, one object a line, handing items over in chunks. */
export async function readJsonl(file: string, opts: ReaderOptions, sink: ChunkSink, onBytes?: (n: number) => void): Promise<void> {
  const lines = createInterface({ input: decodedStream(file, opts.encoding, onBytes), crlfDelay: Infinity });
  let line = 0;
  let items: ReadItem[] = [];
  for await (const text of lines) {
    line++;
    const item = jsonItem(text, line, opts.maxField);
    if (item) items.push(item);
    if (items.length >= 2000) {
      await sink(items);
      items = [];
    }
  }
  if (items.length) await sink(items);
}

function jsonItem(text: string, line: number, maxField: number): ReadItem | null {
  if (!text.trim()) return null;
  if (text.length > maxField * 4) {
    return { ok: false, line, field: '(line)', reason: `is ${text.length} characters long, over the limit of ${maxField * 4}`, raw: text.slice(0, maxField) };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, line, field: '(line)', reason: `is not valid JSON (${(err as Error).message})`, raw: text };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, line, field: '(line)', reason: 'is not a JSON object', raw: text };
  }
  if (text.includes('\uFFFD')) {
    return { ok: false, line, field: '(line)', reason: "contains bytes that are not valid in the file's encoding", raw: text };
  }
  return { ok: true, line, row: new JsonRow(value as Record<string, unknown>, text) };
}
