/**
 * Reading and mapping, without the store: turns a file into batches of posts and quarantined
 * rows. Runs in a worker thread during imports, so parsing overlaps with database writes.
 */
import { toColumns, type PostColumns, type PostRecord } from '../store/bulk.ts';
import type { Format } from './formats/format.ts';
import { fail, RowError } from './formats/row-error.ts';
import { readCsv, readJsonl, type ReaderOptions, type RowSink } from './formats/reader.ts';
import { UserError } from '../util/errors.ts';
import { hasBadBytes, originalBytes } from './formats/decode.ts';

export interface BadRow {
  line: number;
  field: string;
  reason: string;
  raw: string;
}

export interface PostBatch {
  posts: PostColumns;
  /** File line of each post, for the quarantine of conflicting duplicates found when writing. */
  lines: number[];
  bad: BadRow[];
}

/** Reads `file` as `format`, calling `sink` per batch (awaited, for back-pressure). */
export function readPosts(
  file: string, format: Format, opts: ReaderOptions, sink: (batch: PostBatch) => Promise<void>, onBytes?: (n: number) => void,
): Promise<void> {
  let posts: PostRecord[] = [];
  let lines: number[] = [];
  let bad: BadRow[] = [];
  const rows: RowSink = {
    row(row, line) {
      try {
        const post = format.toPost(row);
        checkIdLength(post.platformPostId, '(post id)');
        if (post.accountId !== null) checkIdLength(post.accountId, '(account id)');
        posts.push(post);
        lines.push(line);
      } catch (err) {
        if (!(err instanceof RowError)) throw err;
        bad.push(badRow(line, err.field, err.reason, row.raw(), opts.encoding));
      }
    },
    bad(line, field, reason, raw) {
      bad.push(badRow(line, field, reason, raw, opts.encoding));
    },
    flush() {
      if (!posts.length && !bad.length) return;
      const batch = { posts: toColumns(posts), lines, bad };
      posts = [];
      lines = [];
      bad = [];
      return sink(batch);
    },
  };
  return format.input === 'csv'
    ? readCsv(file, opts, (header) => checkHeader(file, header, format), rows, onBytes)
    : readJsonl(file, opts, rows, onBytes);
}

/** Longest id, in UTF-8 bytes, the stores' unique indexes take (PostgreSQL's B-tree refuses entries over ~2,700 bytes). */
export const MAX_ID_BYTES = 2048;

/** Refuses an id too long for the unique indexes, which would otherwise fail the whole write. */
function checkIdLength(id: string, field: string): void {
  // Three UTF-8 bytes a character at most in the BMP, so short ids need no count.
  if (id.length * 3 <= MAX_ID_BYTES) return;
  const bytes = Buffer.byteLength(id, 'utf8');
  if (bytes > MAX_ID_BYTES) fail(field, `is ${bytes} bytes long, over the ${MAX_ID_BYTES} an id may have (is the mapping pointing at a text column?)`);
}

/** Prefix of a quarantined raw row kept as its original bytes. */
export const BASE64_RAW = 'base64:';

/**
 * A quarantined row as the store can keep it. Text with invalid bytes or NUL (which PostgreSQL
 * text refuses) cannot be stored as text without changing it, so its original bytes are kept,
 * in base64, and the reason says so.
 */
function badRow(line: number, field: string, why: string, raw: string, encoding: string): BadRow {
  // A parser's message may quote the bad input itself; the reason must be storable text too.
  const reason = hasBadBytes(why) || why.includes('\0')
    ? (why as unknown as { toWellFormed(): string }).toWellFormed().replace(/\0/g, '\\0') : why;
  if (!hasBadBytes(raw) && !raw.includes('\0')) return { line, field, reason, raw };
  return {
    line, field, reason: `${reason}; raw holds the row's original bytes in base64`,
    raw: BASE64_RAW + originalBytes(raw, encoding).toString('base64'),
  };
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
