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
  | { ok: true; line: number; row: Row; raw(): string }
  | { ok: false; line: number; field: string; reason: string; raw: string };

/** Opens a decoded text stream of the file, or explains why the encoding is unusable. */
export function decodedStream(file: string, encoding: string, onBytes?: (n: number) => void): Readable {
  if (!iconv.encodingExists(encoding)) {
    throw new UserError(`The encoding "${encoding}" is unknown; use utf-8 (the default) or gb18030 for GBK-encoded Chinese data.`);
  }
  const bytes = createReadStream(file, { highWaterMark: 1 << 20 });
  if (onBytes) bytes.on('data', (chunk) => onBytes((chunk as Buffer).length));
  return bytes.pipe(iconv.decodeStream(encoding, { stripBOM: true })) as unknown as Readable;
}

class CsvRow implements Row {
  fields: string[] = [];
  constructor(private readonly index: Map<string, number>) {}
  get(column: string): string | undefined {
    const i = this.index.get(column);
    return i === undefined ? undefined : this.fields[i];
  }
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

/** Reads a CSV file: the header first (returned through `onHeader`), then one item per record. */
export async function* readCsv(
  file: string, opts: ReaderOptions, onHeader: (columns: string[]) => void, onBytes?: (n: number) => void,
): AsyncGenerator<ReadItem> {
  const text = decodedStream(file, opts.encoding, onBytes);
  const parser = text.pipe(Papa.parse(Papa.NODE_STREAM_INPUT, { header: false, skipEmptyLines: false }) as unknown as NodeJS.WritableStream) as unknown as Readable;
  let header: string[] | null = null;
  let row: CsvRow | null = null;
  let line = 1;
  for await (const fields of parser as AsyncIterable<string[]>) {
    const start = line;
    line += 1 + countNewlines(fields);
    if (!header) {
      header = fields.map((f) => f.replace(/^\uFEFF/, '').trim());
      onHeader(header);
      row = new CsvRow(new Map(header.map((h, i) => [h, i])));
      continue;
    }
    if (fields.length === 1 && fields[0] === '') continue; // blank line
    if (fields.length !== header.length) {
      yield { ok: false, line: start, field: '(row)', reason: `has ${fields.length} fields where the header has ${header.length}`, raw: unparse(fields) };
      continue;
    }
    const bad = badField(fields, opts.maxField);
    if (bad) {
      yield { ok: false, line: start, field: header[bad.i], reason: bad.reason, raw: unparse(fields).slice(0, opts.maxField) };
      continue;
    }
    row!.fields = fields;
    yield { ok: true, line: start, row: row!, raw: () => unparse(fields) };
  }
  if (!header) onHeader([]);
}

class JsonRow implements Row {
  constructor(readonly value: Record<string, unknown>) {}
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

/** Reads a JSONL file, one object a line. */
export async function* readJsonl(file: string, opts: ReaderOptions, onBytes?: (n: number) => void): AsyncGenerator<ReadItem> {
  const lines = createInterface({ input: decodedStream(file, opts.encoding, onBytes), crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line++;
    if (!text.trim()) continue;
    if (text.length > opts.maxField * 4) {
      yield { ok: false, line, field: '(line)', reason: `is ${text.length} characters long, over the limit of ${opts.maxField * 4}`, raw: text.slice(0, opts.maxField) };
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      yield { ok: false, line, field: '(line)', reason: `is not valid JSON (${(err as Error).message})`, raw: text };
      continue;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      yield { ok: false, line, field: '(line)', reason: 'is not a JSON object', raw: text };
      continue;
    }
    if (text.includes('\uFFFD')) {
      yield { ok: false, line, field: '(line)', reason: 'contains bytes that are not valid in the file\'s encoding', raw: text };
      continue;
    }
    yield { ok: true, line, row: new JsonRow(value as Record<string, unknown>), raw: () => text };
  }
}
