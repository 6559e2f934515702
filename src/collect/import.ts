/**
 * Imports a file of posts into the store: streams it, maps each row through its format, writes
 * batches in transactions, and quarantines bad rows with file, line, field and reason. Writes
 * are idempotent, so importing again (or resuming after a crash) adds nothing twice.
 */
import { createWriteStream, existsSync, statSync, type WriteStream } from 'node:fs';
import { basename } from 'node:path';
import type { Store } from '../store/open.ts';
import type { PostRecord, QuarantinedRow } from '../store/bulk.ts';
import type { Format } from './formats/format.ts';
import { RowError } from './formats/row-error.ts';
import { readCsv, readJsonl, type ReadItem } from './formats/reader.ts';
import { notTextReason } from './sniff.ts';
import { fileKey } from './file-key.ts';
import { ensureSource } from '../store/queries/sources.ts';
import { UserError } from '../util/errors.ts';
import { createProgress, type Progress } from '../util/progress.ts';

export interface ImportOptions {
  format: Format;
  encoding?: string;
  /** Source name the posts belong to; defaults to the format's name. */
  source?: string;
  /** Also write quarantined rows here as JSONL. */
  errors?: WriteStream;
  batchSize?: number;
  maxField?: number;
  quiet?: boolean;
}

export interface ImportCounts {
  imported: number;
  duplicates: number;
  quarantined: number;
}

/** Imports one file; throws UserError when the file is not the claimed format at all. */
export async function importFile(store: Store, file: string, opts: ImportOptions): Promise<ImportCounts> {
  if (!existsSync(file) || !statSync(file).isFile()) throw new UserError(`${file} does not exist or is not a file.`);
  const what = `a ${opts.format.input.toUpperCase()} file in the ${opts.format.name} format`;
  const notText = notTextReason(file, what);
  if (notText) throw new UserError(notText);

  const key = fileKey(file);
  const source = await ensureSource(store, { name: opts.source ?? opts.format.name, kind: 'import', platform: opts.format.platform });
  const writer = store.bulkWriter();
  const batchSize = opts.batchSize ?? 5000;
  const readerOpts = { encoding: opts.encoding ?? 'utf-8', maxField: opts.maxField ?? 100_000 };
  const counts: ImportCounts = { imported: 0, duplicates: 0, quarantined: 0 };
  const started = Date.now();
  const run = await store.db.insertInto('imports').values({
    file_key: key, file, format: opts.format.name, source_id: source.id, rows: 0, imported: 0, duplicates: 0,
    quarantined: 0, state: 'running', started_at: started, finished_at: null,
  }).returning('id').executeTakeFirstOrThrow();

  const progress: Progress = createProgress({ label: `import ${basename(file)}`, unit: 'bytes', quiet: opts.quiet });
  progress.setTotal(statSync(file).size);
  let rows = 0;
  const onBytes = (n: number) => progress.tick(n, { rows, 'rows/s': Math.round(rows / Math.max(0.001, (Date.now() - started) / 1000)) });

  const items: AsyncGenerator<ReadItem> = opts.format.input === 'csv'
    ? readCsv(file, readerOpts, (header) => checkHeader(file, header, opts.format), onBytes)
    : readJsonl(file, readerOpts, onBytes);

  let posts: PostRecord[] = [];
  let bad: QuarantinedRow[] = [];
  const flush = async () => {
    if (posts.length) {
      const r = await writer.writePosts(source.id, posts, Date.now());
      counts.imported += r.inserted;
      counts.duplicates += r.duplicates;
      posts = [];
    }
    if (bad.length) {
      await writer.quarantine(bad);
      for (const b of bad) opts.errors?.write(`${JSON.stringify({ file: b.file, line: b.line, field: b.field, reason: b.reason, raw: b.raw })}\n`);
      bad = [];
    }
  };
  try {
    for await (const item of items) {
      rows++;
      if (!item.ok) {
        bad.push({ fileKey: key, file, line: item.line, field: item.field, reason: item.reason, raw: item.raw });
        counts.quarantined++;
      } else {
        try {
          posts.push(opts.format.toPost(item.row));
        } catch (err) {
          if (!(err instanceof RowError)) throw err;
          bad.push({ fileKey: key, file, line: item.line, field: err.field, reason: err.reason, raw: item.raw() });
          counts.quarantined++;
        }
      }
      if (posts.length >= batchSize || bad.length >= batchSize) await flush();
    }
    await flush();
  } finally {
    progress.stop();
  }
  await store.db.updateTable('imports').set({
    rows, imported: counts.imported, duplicates: counts.duplicates, quarantined: counts.quarantined, state: 'done',
    finished_at: Date.now(),
  }).where('id', '=', run.id).execute();
  return counts;
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

/** Opens the --errors JSONL file. */
export function openErrorsFile(path: string): WriteStream {
  return createWriteStream(path, { flags: 'w' });
}
