/**
 * `censorscope import --format ooni`: reads OONI measurement JSONL (one measurement per line, as
 * OONI's S3 bucket and API publish them; gzip-compressed or not), validates each envelope, and
 * stores each measurement once (identity: src/probe/ooni/identity.ts).
 *
 * Every non-blank line is accounted for: rows = imported + duplicates + quarantined, recorded in
 * the `imports` table. A bad measurement is quarantined with file, line, field and reason; only
 * a file that is not JSONL at all (an image, an archive, a JSON array) fails at once.
 */
import { appendFileSync, createReadStream, existsSync, openSync, readSync, closeSync, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { importOwnerColumns } from '../../store/orphans.ts';
import type { Store } from '../../store/open.ts';
import type { ImportErrorsTable } from '../../store/schema.ts';
import type { Insertable } from 'kysely';
import { UserError } from '../../util/errors.ts';
import { OoniEnvelopeSchema, type OoniEnvelope } from './format.ts';
import { measurementIdentity, type MeasurementIdentity } from './identity.ts';
import { readLines } from './lines.ts';
import { saveMeasurement } from '../store.ts';
import { fileKey } from '../../collect/file-key.ts';
import { notTextReason } from '../../collect/sniff.ts';
import { ensureSource } from '../../store/queries/sources.ts';

export interface OoniImportOptions {
  /** Also append quarantined lines here as JSONL (file, line, field, reason, raw). */
  errorsFile?: string;
  quiet?: boolean;
  /** Stops after the current batch; the import is recorded as interrupted. */
  signal?: AbortSignal;
  /** Measurements per write transaction (default 100: each holds its parsed JSON until then). */
  batchSize?: number;
  /** Limits on what a gzip file may decompress to (defaults: GZIP_LIMITS). */
  gzipLimits?: Partial<GzipLimits>;
}

/**
 * How far a gzip file may expand. OONI's measurement files expand about 5 to 15 times; a gzip
 * bomb (a long run of one byte) expands a thousand times, so a 388 KB file would otherwise be read
 * as 1 GB of lines. A file may always expand to `floorBytes`; beyond that, to `ratio` times its
 * compressed size, and never past `maxBytes`.
 */
export interface GzipLimits {
  ratio: number;
  floorBytes: number;
  maxBytes: number;
}
export const GZIP_LIMITS: GzipLimits = { ratio: 100, floorBytes: 64 << 20, maxBytes: 16 * 1024 ** 3 };

/** The decompressed bytes a gzip file of `compressed` bytes may yield. */
export function gzipBudget(compressed: number, l: GzipLimits = GZIP_LIMITS): number {
  return Math.min(l.maxBytes, Math.max(l.floorBytes, l.ratio * compressed));
}

// What is parsed and quarantined waits for the next write; past these sizes it is written at once,
// so a file of many long lines cannot pile them up in memory.
const PENDING_BYTES = 16 << 20;
const BAD_BYTES = 16 << 20;

export interface OoniImportCounts {
  /** Non-blank lines read. */
  rows: number;
  imported: number;
  duplicates: number;
  quarantined: number;
}

/** The longest line read as a measurement; OONI's largest are a few MiB. */
export const MAX_LINE_BYTES = 32 << 20;
const WHAT = 'an OONI measurement JSONL file (one JSON measurement per line)';

interface Pending {
  line: number;
  text: string;
  m: OoniEnvelope;
  identity: MeasurementIdentity;
}

/** Imports one OONI JSONL file (gzip-compressed or not). */
export async function importOoniFile(store: Store, file: string, opts: OoniImportOptions = {}): Promise<OoniImportCounts> {
  if (!existsSync(file) || !statSync(file).isFile()) throw new UserError(`${file} does not exist or is not a file; give a path to ${WHAT}.`);
  const gzip = startsWith(file, [0x1f, 0x8b]);
  if (!gzip) {
    const notText = notTextReason(file, WHAT);
    if (notText) throw new UserError(notText);
  }
  const key = fileKey(file);
  const source = await ensureSource(store, { name: 'ooni', kind: 'import', platform: 'ooni' });
  const run = await store.db.insertInto('imports').values({
    file_key: key, file, format: 'ooni', source_id: source.id, rows: 0, imported: 0, duplicates: 0,
    quarantined: 0, state: 'running', ...importOwnerColumns(), started_at: Date.now(), finished_at: null,
  }).returning('id').executeTakeFirstOrThrow();
  const counts: OoniImportCounts = { rows: 0, imported: 0, duplicates: 0, quarantined: 0 };
  const finish = async (state: string): Promise<void> => {
    await store.db.updateTable('imports').set({ ...counts, state, finished_at: Date.now() }).where('id', '=', run.id).execute();
  };

  let pending: Pending[] = [];
  let pendingBytes = 0;
  let bad: Array<Insertable<ImportErrorsTable>> = [];
  let badBytes = 0;
  const quarantine = (line: number, field: string, reason: string, text: string): void => {
    counts.quarantined++;
    // PostgreSQL text cannot hold NUL: such a line is kept as its bytes.
    const raw = text.includes('\u0000') ? `base64:${Buffer.from(text).toString('base64')}` : text;
    // A field name or reason can quote the input (a JSON key, a value), so NUL is written as \u0000 there too.
    const visible = (s: string) => s.replaceAll('\u0000', '\\u0000');
    field = visible(field);
    reason = visible(reason);
    badBytes += raw.length;
    bad.push({ file_key: key, file, line, field, reason, raw, created_at: Date.now() });
    if (opts.errorsFile) appendFileSync(opts.errorsFile, JSON.stringify({ file, line, field, reason, raw }) + '\n');
  };
  const flush = async (): Promise<void> => {
    const batch = pending;
    pending = [];
    pendingBytes = 0;
    // Counted once committed, so a failed import's record does not claim rows it rolled back.
    let imported = 0;
    let duplicates = 0;
    await store.db.transaction().execute(async (trx) => {
      for (const p of batch) {
        const saved = await saveMeasurement(trx, p.m, 'ooni', { body: p.text, identity: p.identity });
        if (saved.conflict !== undefined) {
          quarantine(p.line, p.identity.by, `${describeIdentity(p)} is already stored (row ${saved.id}) with other content; `
            + 'the stored version is kept, and raw holds both as {"stored", "incoming"}', `{"stored":${saved.conflict},"incoming":${p.text}}`);
        } else if (saved.duplicate) duplicates++;
        else imported++;
      }
      if (bad.length) {
        await trx.insertInto('import_errors').values(bad)
          .onConflict((oc) => oc.columns(['file_key', 'line', 'field']).doNothing()).execute();
        bad = [];
        badBytes = 0;
      }
    });
    counts.imported += imported;
    counts.duplicates += duplicates;
  };

  const input: Readable = gzip ? createReadStream(file).pipe(createGunzip()) : createReadStream(file);
  const limits = { ...GZIP_LIMITS, ...opts.gzipLimits };
  const compressed = statSync(file).size;
  const budget = gzipBudget(compressed, limits);
  const cap = gzip ? {
    bytes: budget,
    problem: `the gzip file expands past ${mib(budget)} from ${mib(compressed)} (a file may expand ${limits.ratio} times, at least to `
      + `${mib(limits.floorBytes)} and at most to ${mib(limits.maxBytes)}; OONI's files expand about 10 times), so it looks like a decompression bomb: `
      + 'the rest of the file, from this line on, is not read (raw holds the start of this line)',
  } : undefined;
  let seenFirst = false;
  let lastLine = 0;
  let capped = false;
  try {
    for await (const l of readLines(input, MAX_LINE_BYTES, cap)) {
      lastLine = l.no;
      if (l.text !== null && !l.text.trim()) continue;
      if (!seenFirst) {
        seenFirst = true;
        const why = notJsonl(l.text ?? l.bytes!.toString('latin1'));
        if (why) throw new UserError(`${file} is not ${WHAT}: line ${l.no} ${why}`);
      }
      counts.rows++;
      if (l.text === null) {
        capped = l.problem === cap?.problem;
        quarantine(l.no, capped ? '(file)' : '(line)', l.problem!, `base64:${l.bytes!.toString('base64')}`);
      } else {
        const p = parseLine(l.text);
        if ('field' in p) quarantine(l.no, p.field, p.reason, l.text);
        else {
          pending.push({ line: l.no, text: l.text, m: p.m, identity: p.identity });
          pendingBytes += l.text.length;
        }
      }
      if (pending.length >= (opts.batchSize ?? 100) || pendingBytes >= PENDING_BYTES || bad.length >= 500 || badBytes >= BAD_BYTES) await flush();
      if (opts.signal?.aborted) break;
    }
    await flush();
  } catch (err) {
    // What was read before a damaged gzip stream or a database error is kept, not rolled back.
    if (!(err instanceof UserError)) await flush().catch(() => undefined);
    await finish('failed');
    if ((err as NodeJS.ErrnoException).code?.startsWith('Z_')) {
      throw new UserError(`${file} is a damaged or truncated gzip file: it could not be decompressed after line ${lastLine} (${(err as Error).message}). `
        + `The ${counts.imported} measurements read before were imported; download the file again to import the rest.`);
    }
    throw err;
  }
  if (opts.signal?.aborted) {
    await finish('interrupted');
    throw new UserError(`Import of ${file} interrupted after line ${lastLine}: ${counts.imported} measurements imported so far. `
      + 'Run the same command again to finish; measurements already stored count as duplicates.');
  }
  if (counts.rows !== counts.imported + counts.duplicates + counts.quarantined) {
    await finish('failed');
    throw new Error(`The import of ${file} does not add up: ${counts.rows} lines read, but ${counts.imported} imported + ${counts.duplicates} duplicates + ${counts.quarantined} quarantined.`);
  }
  await finish('done');
  if (capped) {
    process.stderr.write(`${file}: stopped reading at line ${lastLine}: ${cap!.problem.replace(/ \(raw holds.*$/, '')}; that line is quarantined with the reason.\n`);
  }
  if (!opts.quiet) process.stderr.write(`${file}: ${counts.rows} measurements read: ${counts.imported} imported, ${counts.duplicates} duplicates, ${counts.quarantined} quarantined\n`);
  return counts;
}

/** One line read as a measurement, or the field and reason it is quarantined with. */
function parseLine(text: string): { m: OoniEnvelope; identity: MeasurementIdentity } | { field: string; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { field: '(line)', reason: `not valid JSON (${(err as Error).message}); a truncated or damaged line` };
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    return { field: '(line)', reason: `valid JSON but ${Array.isArray(json) ? 'an array' : json === null ? 'null' : `a ${typeof json}`}, not a measurement object` };
  }
  const parsed = OoniEnvelopeSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.join('.') || '(envelope)';
    const value = issue.path.reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k as string] : undefined), json);
    if (value === undefined) return { field, reason: `${field} is missing, but every OONI measurement has it` };
    return { field, reason: `${field} ${JSON.stringify(value).slice(0, 80)} is invalid: ${issue.message}` };
  }
  try {
    return { m: parsed.data, identity: measurementIdentity(json as Record<string, unknown>) };
  } catch (err) {
    // JSON.parse reads any depth but JSON.stringify recurses: a value nested tens of thousands of
    // levels deep (a hostile file) would overflow the stack and end the whole import.
    if (err instanceof RangeError) return { field: '(line)', reason: 'the measurement is nested too deeply to be read (a hostile or damaged line)' };
    throw err;
  }
}

function mib(bytes: number): string {
  return bytes >= 1 << 30 ? `${+(bytes / (1 << 30)).toFixed(1)} GiB` : bytes >= 1 << 20 ? `${+(bytes / (1 << 20)).toFixed(1)} MiB` : `${+(bytes / 1024).toFixed(1)} KiB`;
}

/** Why the first non-blank line shows the file is not JSONL at all, or null when it may be. */
function notJsonl(first: string): string | null {
  const t = first.trim();
  if (t === '{' || t === '[') return `is a lone "${t}": this looks like one pretty-printed JSON document. Write one measurement per line first (e.g. jq -c '.[]' or jq -c '.results[]').`;
  if (t.startsWith('[')) return 'is a JSON array, not a measurement object. Write one measurement per line first (e.g. jq -c \'.[]\').';
  if (!t.startsWith('{')) return `does not start with "{" (it starts ${JSON.stringify(t.slice(0, 20))}), so the file is not JSON lines.`;
  return null;
}

function describeIdentity(p: Pending): string {
  if (p.identity.by === 'measurement_uid') return `measurement_uid ${JSON.stringify(p.m.measurement_uid)}`;
  return `the measurement of ${JSON.stringify(p.m.input)} at ${p.m.measurement_start_time} in report ${JSON.stringify(p.m.report_id)}`;
}

function startsWith(file: string, magic: number[]): boolean {
  const fd = openSync(file, 'r');
  const head = Buffer.alloc(magic.length);
  const n = readSync(fd, head, 0, head.length, 0);
  closeSync(fd);
  return n === magic.length && magic.every((b, i) => head[i] === b);
}
