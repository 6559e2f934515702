/**
 * Imports a file of posts into the store: streams it, maps each row through its format, writes
 * batches in transactions, and quarantines bad rows with file, line, field and reason. Writes
 * are idempotent, so importing again (or resuming after a crash) adds nothing twice. Every row
 * read ends imported, a duplicate or quarantined (accounting.ts); an import whose counts do not
 * add up is recorded as failed, never done.
 */
import { createWriteStream, existsSync, statSync, type WriteStream } from 'node:fs';
import { basename } from 'node:path';
import { importOwnerColumns } from '../store/orphans.ts';
import type { Store } from '../store/open.ts';
import type { Format } from './formats/format.ts';
import type { Mapping } from './formats/generic.ts';
import type { PostBatch } from './read-posts.ts';
import { conflictFields, type Conflict, type PostTransaction, type QuarantinedRow } from '../store/bulk.ts';
import { finalState } from './accounting.ts';
import type { ImportWorkerInput, ImportWorkerMessage } from './import-worker.ts';
import { startTsWorker } from '../util/ts-worker.ts';
import { notTextReason } from './sniff.ts';
import { fileKey } from './file-key.ts';
import { BulkLoad } from './bulk-load.ts';
import { ensureSource } from '../store/queries/sources.ts';
import { UserError } from '../util/errors.ts';
import { createProgress, type Progress } from '../util/progress.ts';

export interface ImportOptions {
  format: Format;
  /** For csv/jsonl: the column mapping the format was built from (the worker rebuilds it). */
  mapping?: Mapping;
  encoding?: string;
  /** Source name the posts belong to; defaults to the format's name. */
  source?: string;
  /** Also write quarantined rows here as JSONL. */
  errors?: WriteStream;
  maxField?: number;
  /** Posts per write transaction (default 25,000). */
  transactionRows?: number;
  quiet?: boolean;
}

export interface ImportCounts {
  imported: number;
  duplicates: number;
  quarantined: number;
}

/** A posts import's counts: rows = imported + duplicates + quarantined; conflicts are among the quarantined. */
export interface PostImportCounts extends ImportCounts {
  rows: number;
  conflicts: number;
}

/** Imports one file; throws UserError when the file is not the claimed format at all. */
export async function importFile(store: Store, file: string, opts: ImportOptions): Promise<PostImportCounts> {
  const stat = existsSync(file) ? statSync(file) : null;
  if (!stat?.isFile()) throw new UserError(`${file} does not exist or is not a file.`);
  const what = `a ${opts.format.input.toUpperCase()} file in the ${opts.format.name} format`;
  const notText = notTextReason(file, what);
  if (notText) throw new UserError(notText);

  const key = fileKey(file);
  const source = await ensureSource(store, { name: opts.source ?? opts.format.name, kind: 'import', platform: opts.format.platform });
  const writer = store.bulkWriter();
  const readerOpts = { encoding: opts.encoding ?? 'utf-8', maxField: opts.maxField ?? 100_000 };
  const counts: PostImportCounts = { rows: 0, imported: 0, duplicates: 0, quarantined: 0, conflicts: 0 };
  const started = Date.now();
  const run = await store.db.insertInto('imports').values({
    file_key: key, file, format: opts.format.name, source_id: source.id, rows: 0, imported: 0, duplicates: 0,
    quarantined: 0, state: 'running', ...importOwnerColumns(), started_at: started, finished_at: null,
  }).returning('id').executeTakeFirstOrThrow();

  const progress: Progress = createProgress({ label: `import ${basename(file)}`, unit: 'bytes', quiet: opts.quiet });
  progress.setTotal(stat.size);
  let rows = 0;
  let bytesRead = 0;
  const bulk = new BulkLoad(store, stat.size);
  const quarantine = async (bad: QuarantinedRow[]) => {
    await writer.quarantine(bad);
    for (const b of bad) opts.errors?.write(`${JSON.stringify({ file, line: b.line, field: b.field, reason: b.reason, raw: b.raw })}\n`);
    counts.quarantined += bad.length;
  };
  // Worker batches are small (one parsed piece each); they go into larger transactions, so each
  // index page is written once per transaction rather than once per piece (bench/import).
  let tx = null as PostTransaction | null;
  let txLines: number[][] = [];
  const commit = async () => {
    if (!tx) return;
    const r = await tx.commit();
    const lines = txLines.length === 1 ? txLines[0] : txLines.flat();
    tx = null;
    txLines = [];
    counts.imported += r.inserted;
    counts.duplicates += r.duplicates;
    counts.conflicts += r.conflicts.length;
    if (r.conflicts.length) await quarantine(r.conflicts.map((c) => conflictRow(c, lines[c.index], key, file)));
  };
  const handle = async (batch: PostBatch, bytes: number) => {
    rows += batch.posts.length + batch.bad.length;
    bytesRead += bytes;
    if (batch.posts.length) {
      await bulk.start(rows, bytesRead);
      tx ??= writer.begin(source.id, Date.now(), { versions: false });
      await tx.add(batch.posts);
      txLines.push(batch.lines);
      if (tx.rows >= (opts.transactionRows ?? 25_000)) await commit();
    }
    if (batch.bad.length) await quarantine(batch.bad.map((b) => ({ ...b, fileKey: key, file })));
    progress.tick(bytes, { rows, 'rows/s': Math.round(rows / Math.max(0.001, (Date.now() - started) / 1000)) });
  };
  const input: ImportWorkerInput = { file, spec: { name: opts.format.name, mapping: opts.mapping }, reader: readerOpts };
  const record = (state: string) => store.db.updateTable('imports').set({
    rows, imported: counts.imported, duplicates: counts.duplicates, quarantined: counts.quarantined, state, finished_at: Date.now(),
  }).where('id', '=', run.id).execute();
  try {
    await runWorker(input, handle);
    await commit();
  } catch (err) {
    await tx?.rollback();
    await record('failed').catch(() => undefined);
    throw err;
  } finally {
    progress.stop();
    // Worth a word only when it takes a while (about 1.5 s per million posts).
    await bulk.finish(!opts.quiet && rows >= 100_000 ? (line) => process.stderr.write(`${line}\n`) : undefined);
  }
  counts.rows = rows;
  const end = finalState(counts, file);
  await record(end.state);
  if (end.error) throw new ImportAccountingError(end.error, counts);
  return counts;
}

/** An import whose counts do not add up: recorded as failed; the command exits non-zero. */
export class ImportAccountingError extends UserError {
  constructor(message: string, readonly counts: PostImportCounts) {
    super(message);
  }
}

/** The quarantine record of a conflicting duplicate: the reason names the differences, raw holds both versions as JSON. */
function conflictRow(c: Conflict, line: number, fileKey: string, file: string): QuarantinedRow {
  const version = (v: Conflict['row']) => ({ id: c.platformPostId, account: v.account, created_at: v.createdAt, text: v.text });
  return {
    fileKey, file, line, field: '(post)',
    reason: `is a conflicting duplicate: post id ${c.platformPostId} is already stored with another ${conflictFields(c).join(' and ')} (an id rounded by a spreadsheet, such as 9.1458E+17, does this); the row is not imported, and raw holds both versions as JSON {"row", "stored"}`,
    raw: JSON.stringify({ row: version(c.row), stored: version(c.stored) }),
  };
}

/** Runs the reading worker, writing each batch it sends before acknowledging it. */
function runWorker(input: ImportWorkerInput, handle: (batch: PostBatch, bytes: number) => Promise<void>): Promise<void> {
  // A small young generation keeps the parser's garbage from inflating the process's memory.
  const worker = startTsWorker(new URL('./import-worker.ts', import.meta.url), input, { maxYoungGenerationSizeMb: 48, maxOldGenerationSizeMb: 256 });
  return new Promise<void>((resolve, reject) => {
    let chain = Promise.resolve();
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      reject(err);
    };
    worker.on('message', (m: ImportWorkerMessage) => {
      if (m.type === 'batch') {
        chain = chain.then(() => handle(m.batch, m.bytes)).then(() => worker.postMessage('ack'), fail);
      } else if (m.type === 'done') {
        chain.then(() => { settled = true; resolve(); }, fail);
      } else {
        fail(m.user ? new UserError(m.message) : new Error(m.message));
      }
    });
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!settled && code !== 0) fail(new Error(`The import worker stopped unexpectedly (exit code ${code}).`));
    });
  });
}

/** Opens the --errors JSONL file. */
export function openErrorsFile(path: string): WriteStream {
  return createWriteStream(path, { flags: 'w' });
}
