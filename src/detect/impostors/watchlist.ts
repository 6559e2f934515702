/**
 * The watchlist: the accounts and sites the impostor detector protects. Read from a CSV with the
 * header `name,handle,platform,domain` (any column may be empty; bad rows are quarantined with
 * file, line, field and reason, good rows kept) and kept in the store's `watchlist` table.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import type { Store } from '../../store/open.ts';
import { UserError } from '../../util/errors.ts';
import { fileKey } from '../../collect/file-key.ts';
import { parseHost } from './domains.ts';
import type { WatchEntry } from './names.ts';

export type { WatchEntry };

/** A watchlist entry before it has an id. */
export type NewWatchEntry = Omit<WatchEntry, 'id'>;

/** A quarantined row: where it is, which field, why, and the row as written. */
export interface WatchlistError { file: string; line: number; field: string; reason: string; raw: string }

export const WATCHLIST_COLUMNS = ['name', 'handle', 'platform', 'domain'] as const;
const MAX_FIELD = 200;

const text = (field: string) => z.string().max(MAX_FIELD, `${field} is longer than ${MAX_FIELD} characters`)
  .refine((s) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s), `${field} holds a control character`)
  .transform((s) => s.trim() || null);

/** One entry as given by a user (CSV row, CLI flags or API body); at least one of name, handle, domain. */
export const watchEntrySchema = z.object({
  name: text('name').nullable().optional().transform((v) => v ?? null),
  handle: text('handle').nullable().optional().transform((v) => (v ? v.replace(/^@/, '') || null : null)),
  platform: text('platform').nullable().optional().transform((v) => v?.toLowerCase() ?? null),
  domain: text('domain').nullable().optional().transform((v, ctx) => {
    if (!v) return null;
    const host = parseHost(v);
    if (!host) {
      ctx.addIssue({ code: 'custom', message: `"${v.slice(0, 60)}" is not a domain with a public suffix (write it like spiegel.de)` });
      return z.NEVER;
    }
    return host.hostname.replace(/^www\./, '');
  }),
}).strict().superRefine((e, ctx) => {
  if (!e.name && !e.handle && !e.domain) ctx.addIssue({ code: 'custom', path: ['name'], message: 'the entry has no name, handle or domain: give at least one' });
});

/** Reads a watchlist CSV: good rows, and bad ones with their reasons. A file that is not one fails with a sentence. */
export function readWatchlist(file: string): { entries: NewWatchEntry[]; errors: WatchlistError[] } {
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(`Cannot read the watchlist ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); give a CSV with the header name,handle,platform,domain.`);
  }
  return parseWatchlist(content.replace(/^\uFEFF/, ''), file);
}

/** Parses watchlist CSV text (see readWatchlist). */
export function parseWatchlist(content: string, file: string): { entries: NewWatchEntry[]; errors: WatchlistError[] } {
  const lines = content.split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((h) => h.trim().toLowerCase());
  const missing = WATCHLIST_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length || header.length !== WATCHLIST_COLUMNS.length) {
    throw new UserError(`${file}, line 1: the header must be name,handle,platform,domain (got "${(lines[0] ?? '').slice(0, 80)}"${missing.length ? `; missing ${missing.join(', ')}` : ''}).`);
  }
  const entries: NewWatchEntry[] = [];
  const errors: WatchlistError[] = [];
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(content, { from_line: 2, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, info: true }) as unknown as typeof records;
  } catch (err) {
    throw new UserError(`${file}: not a readable CSV (${(err as Error).message}).`);
  }
  for (const { record, info } of records) {
    const line = info.lines;
    const raw = lines[line - 1] ?? record.join(',');
    if (record.length !== WATCHLIST_COLUMNS.length) {
      errors.push({ file, line, field: '(row)', reason: `the row has ${record.length} fields, the header 4 (name,handle,platform,domain)`, raw });
      continue;
    }
    const obj = Object.fromEntries(header.map((h, i) => [h, record[i] ?? '']));
    const r = watchEntrySchema.safeParse(obj);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      errors.push({ file, line, field: issue.path.map(String).join('.') || '(row)', reason: issue.message, raw });
      continue;
    }
    entries.push(r.data);
  }
  return { entries, errors };
}

/** The key that makes an entry unique in the store. */
export function entryKey(e: NewWatchEntry): string {
  return JSON.stringify([e.name, e.handle, e.platform, e.domain]);
}

/** Adds entries (an entry already present is kept once); returns how many were new. */
export async function addWatchEntries(store: Store, entries: NewWatchEntry[]): Promise<number> {
  let added = 0;
  const now = Date.now();
  for (let i = 0; i < entries.length; i += 500) {
    const rows = entries.slice(i, i + 500).map((e) => ({ ...e, entry_key: entryKey(e), created_at: now }));
    const unique = [...new Map(rows.map((r) => [r.entry_key, r])).values()];
    const res = await store.db.insertInto('watchlist').values(unique).onConflict((oc) => oc.column('entry_key').doNothing()).executeTakeFirst();
    added += Number(res.numInsertedOrUpdatedRows ?? 0);
  }
  return added;
}

/** Quarantines a watchlist file's bad rows in the store's import_errors table (idempotent per file and line). */
export async function quarantineWatchlistErrors(store: Store, file: string, errors: WatchlistError[]): Promise<void> {
  if (!errors.length) return;
  const key = fileKey(file);
  const now = Date.now();
  await store.db.insertInto('import_errors')
    .values(errors.map((e) => ({ file_key: key, file: e.file, line: e.line, field: e.field, reason: e.reason, raw: e.raw, created_at: now })))
    .onConflict((oc) => oc.columns(['file_key', 'line', 'field']).doNothing()).execute();
}

/** Every watchlist entry, oldest first. */
export async function listWatchlist(store: Store): Promise<WatchEntry[]> {
  const rows = await store.db.selectFrom('watchlist').select(['id', 'name', 'handle', 'platform', 'domain']).orderBy('id').execute();
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

/** Removes entries by id; returns how many existed. */
export async function removeWatchEntries(store: Store, ids: number[]): Promise<number> {
  if (!ids.length) return 0;
  const res = await store.db.deleteFrom('watchlist').where('id', 'in', ids).executeTakeFirst();
  return Number(res.numDeletedRows ?? 0);
}
