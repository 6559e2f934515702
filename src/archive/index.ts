/**
 * The web archive: every archived HTTP exchange becomes a WARC 1.1 request + response pair (or a
 * revisit when the payload is already archived) in rolling gzip WARC files beside the store, and
 * one `archive_records` row per record saying where it is. Files are only ever appended to by the
 * process that created them; a row is inserted only once its bytes are on disk, so a crash can
 * leave a torn tail in a file but never an index row pointing at it.
 */
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Store } from '../store/open.ts';
import type { Archive, ArchivedAnswer, ArchivedResponse, ArchiveSubject, HttpExchange } from './types.ts';
import {
  newRecordId, parseRecord, parseResponseHead, requestHead, responseHead, serializeRecord, serializeWarcinfo, sha256, targetUri,
} from './warc.ts';

export type { Archive, ArchivedAnswer, ArchivedResponse, ArchiveSubject, HttpExchange } from './types.ts';
export { archiveDirFor } from './location.ts';

const MiB = 1024 * 1024;
/** A new file is started once the current one passes this. */
export const DEFAULT_MAX_FILE_BYTES = 100 * MiB;
/** Past this total (all WARC files in the folder), payloads are no longer written. */
export const DEFAULT_MAX_TOTAL_BYTES = 10 * 1024 * MiB;
/** The settings-table key that sets the bound (bytes), when no option does. */
export const MAX_BYTES_SETTING = 'archive.maxBytes';

export interface ArchiveOptions {
  /** The folder holding the WARC files (see archiveDirFor). */
  dir: string;
  maxFileBytes?: number;
  /** Overrides the `archive.maxBytes` setting. */
  maxTotalBytes?: number;
  /** epoch ms; used for file names only (records carry the exchange's own time). */
  clock?: () => number;
  /** Where the one-time "archive full" warning goes (default: stderr). */
  warn?: (message: string) => void;
}

/** Opens the archive in `dir` (created when missing) writing to `store`'s record index. */
export async function openArchive(store: Store, o: ArchiveOptions): Promise<Archive> {
  mkdirSync(o.dir, { recursive: true });
  let maxTotal = o.maxTotalBytes;
  if (maxTotal === undefined) {
    const row = await store.db.selectFrom('settings').select('value').where('key', '=', MAX_BYTES_SETTING).executeTakeFirst();
    const n = row ? Number(row.value) : NaN;
    maxTotal = Number.isFinite(n) && n >= 0 ? n : DEFAULT_MAX_TOTAL_BYTES;
  }
  return new WarcArchive(store, o.dir, o.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES, maxTotal, o.clock ?? Date.now,
    o.warn ?? ((m) => process.stderr.write(`censorscope: ${m}\n`)));
}

/** Bytes of the WARC files in `dir` (every process's, so the bound is shared). */
export function archiveBytes(dir: string): number {
  let total = 0;
  for (const name of listWarcFiles(dir)) total += statSync(join(dir, name)).size;
  return total;
}

/** The WARC file names in `dir`, sorted. */
export function listWarcFiles(dir: string): string[] {
  try {
    return readdirSync(dir).filter((n) => n.endsWith('.warc.gz')).sort();
  } catch {
    return [];
  }
}

interface OpenFile {
  name: string;
  handle: FileHandle;
  size: number;
}

class WarcArchive implements Archive {
  private queue: Promise<unknown> = Promise.resolve();
  private current: OpenFile | null = null;
  private fileCount = 0;
  private total: number;
  private warnedFull = false;
  private closed = false;
  private readonly host = hostname().replace(/[^A-Za-z0-9.-]+/g, '-').slice(0, 60) || 'host';

  constructor(
    private readonly store: Store,
    readonly dir: string,
    private readonly maxFileBytes: number,
    private readonly maxTotalBytes: number,
    private readonly clock: () => number,
    private readonly warn: (message: string) => void,
  ) {
    this.total = archiveBytes(dir);
  }

  record(exchange: HttpExchange, subject: ArchiveSubject): Promise<ArchivedResponse> {
    // One queue: records of one process are written one after the other, never interleaved.
    const done = this.queue.then(() => this.write(exchange, subject));
    this.queue = done.catch(() => undefined);
    return done;
  }

  private async write(ex: HttpExchange, subject: ArchiveSubject): Promise<ArchivedResponse> {
    if (this.closed) throw new Error('the archive is closed');
    const uri = targetUri(ex.url);
    const digest = sha256(ex.body);
    const original = await this.store.db.selectFrom('archive_records')
      .select(['id', 'warc_record_id', 'target_uri', 'date'])
      .where('payload_digest', '=', digest).where('type', '=', 'response')
      .orderBy('id').limit(1).executeTakeFirst();
    const full = !original && this.total >= this.maxTotalBytes;
    if (full && !this.warnedFull) {
      this.warnedFull = true;
      this.warn(`the web archive in ${this.dir} has reached its bound of ${this.maxTotalBytes} bytes: new pages are recorded with their status and headers only, not their content. Raise the bound (settings key ${MAX_BYTES_SETTING}) or move old WARC files away to keep archiving content.`);
    }
    const payload = full ? new Uint8Array(0) : ex.body;
    const storedDigest = full ? sha256(payload) : digest;
    const responseId = newRecordId();
    const requestId = newRecordId();
    const head = responseHead(ex.status, ex.responseHeaders);
    const responseBytes = await serializeRecord(original
      ? {
        type: 'revisit', id: responseId, url: uri, date: ex.at, head, payloadDigest: digest, concurrentTo: requestId,
        refersTo: { id: original.warc_record_id, url: original.target_uri, date: Number(original.date) },
      }
      : {
        type: 'response', id: responseId, url: uri, date: ex.at, head, payload,
        concurrentTo: requestId, truncated: ex.truncated || full,
      });
    const requestBytes = await serializeRecord({
      type: 'request', id: requestId, url: uri, date: ex.at, head: requestHead(ex.method, uri, ex.requestHeaders), concurrentTo: responseId,
    });
    const file = await this.fileFor();
    const responseOffset = file.size;
    await file.handle.write(responseBytes, 0, responseBytes.length, responseOffset);
    await file.handle.write(requestBytes, 0, requestBytes.length, responseOffset + responseBytes.length);
    // The bytes must be durable before the index names them (see the file comment).
    await file.handle.datasync();
    file.size += responseBytes.length + requestBytes.length;
    this.total += responseBytes.length + requestBytes.length;

    const contentType = ex.responseHeaders.get('content-type')?.slice(0, 200) ?? null;
    const common = {
      file: file.name, target_uri: uri, date: ex.at, subject: subject.subject, subject_id: subject.subjectId,
      observation_id: subject.observationId ?? null,
    };
    const recordId = await this.store.db.transaction().execute(async (tx) => {
      const row = await tx.insertInto('archive_records').values({
        ...common, record_offset: responseOffset, record_length: responseBytes.length, type: original ? 'revisit' : 'response',
        warc_record_id: responseId, payload_digest: original ? digest : storedDigest, http_status: ex.status,
        content_type: contentType, refers_to: original ? Number(original.id) : null,
      }).returning('id').executeTakeFirstOrThrow();
      const id = Number(row.id);
      await tx.insertInto('archive_records').values({
        ...common, record_offset: responseOffset + responseBytes.length, record_length: requestBytes.length, type: 'request',
        warc_record_id: requestId, payload_digest: null, http_status: null, content_type: null, refers_to: id,
      }).execute();
      return id;
    });
    return { recordId, payloadDigest: digest, revisit: !!original, ...(full ? { skipped: 'archive_full' as const } : {}) };
  }

  /** The file to append to: the current one, or a new one once it has passed the size limit. */
  private async fileFor(): Promise<OpenFile> {
    if (this.current && this.current.size < this.maxFileBytes) return this.current;
    if (this.current) await this.current.handle.close();
    this.current = null;
    const stamp = new Date(this.clock()).toISOString().replace(/[-:T.Z]/g, '');
    // Timestamp, host and pid make the name unique across watchers; 'wx' refuses to reuse a file.
    const name = `censorscope-${stamp}-${this.host}-${process.pid}-${++this.fileCount}.warc.gz`;
    const handle = await open(join(this.dir, name), 'wx');
    const info = await serializeWarcinfo(name, {
      software: 'censorscope',
      format: 'WARC File Format 1.1',
      conformsTo: 'https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/',
    });
    await handle.write(info, 0, info.length, 0);
    this.current = { name, handle, size: info.length };
    this.total += info.length;
    return this.current;
  }

  async read(recordId: number): Promise<ArchivedAnswer> {
    const row = await this.store.db.selectFrom('archive_records').selectAll().where('id', '=', recordId).executeTakeFirst();
    if (!row) throw new Error(`archive record ${recordId} does not exist`);
    if (row.type !== 'response' && row.type !== 'revisit') throw new Error(`archive record ${recordId} is a ${row.type} record, not a response`);
    const rec = await readRecordAt(this.dir, row.file, Number(row.record_offset), Number(row.record_length));
    const { status, headers } = parseResponseHead(rec.head);
    let body = rec.payload;
    if (row.type === 'revisit') {
      if (row.refers_to == null) throw new Error(`archive record ${recordId} is a revisit that names no original`);
      body = (await this.read(Number(row.refers_to))).body;
    }
    return { recordId, targetUri: rec.targetUri, date: rec.date, status, headers, body };
  }

  async close(): Promise<void> {
    await this.queue;
    this.closed = true;
    if (this.current) await this.current.handle.close();
    this.current = null;
  }
}

/** Reads and parses the record stored at (offset, length) of `file` in `dir`. */
export async function readRecordAt(dir: string, file: string, offset: number, length: number) {
  const bytes = await readBytes(join(dir, file), offset, length);
  return parseRecord(bytes);
}

/** Exactly `length` bytes at `offset` of a file (an error when the file is shorter). */
export async function readBytes(path: string, offset: number, length: number): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buf = new Uint8Array(length);
    let got = 0;
    while (got < length) {
      const { bytesRead } = await handle.read(buf, got, length - got, offset + got);
      if (bytesRead === 0) throw new Error(`${path} ends before byte ${offset + length}`);
      got += bytesRead;
    }
    return buf;
  } finally {
    await handle.close();
  }
}
