/**
 * Reading and mapping, without the store: turns a file into batches of posts and quarantined
 * rows. Runs in a worker thread during imports, so parsing overlaps with database writes.
 */
import { toColumns, type PostColumns, type PostRecord } from '../store/bulk.ts';
import type { Format } from './formats/format.ts';
import { RowError } from './formats/row-error.ts';
import { readCsv, readJsonl, type ReaderOptions, type RowSink } from './formats/reader.ts';
import { UserError } from '../util/errors.ts';

export interface BadRow {
  line: number;
  field: string;
  reason: string;
  raw: string;
}

export interface PostBatch {
  posts: PostColumns;
  bad: BadRow[];
}

/** Reads `file` as `format`, calling `sink` per batch (awaited, for back-pressure). */
export function readPosts(
  file: string, format: Format, opts: ReaderOptions, sink: (batch: PostBatch) => Promise<void>, onBytes?: (n: number) => void,
): Promise<void> {
  let posts: PostRecord[] = [];
  let bad: BadRow[] = [];
  const rows: RowSink = {
    row(row, line) {
      try {
        posts.push(format.toPost(row));
      } catch (err) {
        if (!(err instanceof RowError)) throw err;
        bad.push({ line, field: err.field, reason: err.reason, raw: keepable(row.raw()) });
      }
    },
    bad(line, field, reason, raw) {
      bad.push({ line, field, reason, raw: keepable(raw) });
    },
    flush() {
      if (!posts.length && !bad.length) return;
      const batch = { posts: toColumns(posts), bad };
      posts = [];
      bad = [];
      return sink(batch);
    },
  };
  return format.input === 'csv'
    ? readCsv(file, opts, (header) => checkHeader(file, header, format), rows, onBytes)
    : readJsonl(file, opts, rows, onBytes);
}

/** The raw row as the quarantine can store it: NUL (which PostgreSQL text refuses) shown as ␀. */
function keepable(raw: string): string {
  return raw.includes('\0') ? raw.replace(/\0/g, '\u2400') : raw;
}

/** Fails at once, with a sentence, when the header shows the file is not the claimed format. */
function checkHeader(file: string, header: string[], format: Format): void {
  const missing = format.requiredColumns.filter((c) => !header.includes(c));
  if (!missing.length) return;
  const found = header.length ? header.slice(0, 12).join(', ') + (header.length > 12 ? ', …' : '') : 'nothing';
  throw new UserError(
    `${file} is not a ${format.name} file: its header lacks ${missing.join(', ')} (found: ${found}). Check --format, or use --format csv with --map for other layouts.`,
  );
}
