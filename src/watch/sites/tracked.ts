/**
 * The tracked sites (`censorscope site add|list|remove|webhook`): which websites the site watch
 * revisits, how often, and whom to tell when one changes state. A URL is validated and normalised
 * once here, so the same site added twice (or from two lists) is one row.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import type { Store } from '../../store/open.ts';
import type { TrackedSite } from '../../store/schema.ts';
import { UserError } from '../../util/errors.ts';
import { fileKey } from '../../collect/file-key.ts';

/** Shortest revisit interval: faster would only hammer the site (tests use 5 s). */
export const MIN_EVERY_MS = 1000;
/** Revisit interval when none is given. */
export const DEFAULT_EVERY_MS = 3_600_000;
/** Settings key of the global webhook (used for sites without their own). */
export const GLOBAL_WEBHOOK_KEY = 'site.webhook';

/** The protocol of a URL, or null when it does not parse (zod runs refinements even after .url() failed). */
function protocolOf(s: string): string | null {
  try {
    return new URL(s).protocol;
  } catch {
    return null;
  }
}

const httpUrl = z.string().trim().url().refine((s) => /^https?:$/.test(protocolOf(s) ?? 'http:'), 'only http:// and https:// URLs can be tracked');

/** The URL as stored: parsed, fragment dropped, host lower-cased and the path at least "/". */
export function normaliseSiteUrl(raw: string): string {
  const p = httpUrl.safeParse(raw);
  if (!p.success) throw new UserError(`"${raw}" is not a site URL: ${p.error.issues[0]?.message ?? 'invalid'}; give an http:// or https:// address, e.g. https://example.org/.`);
  const u = new URL(p.data);
  u.hash = '';
  return u.href;
}

/** The same URL as a webhook target (http(s) only). */
export function normaliseWebhookUrl(raw: string): string {
  const p = httpUrl.safeParse(raw);
  if (!p.success) throw new UserError(`"${raw}" is not a webhook URL; give an http:// or https:// address.`);
  return new URL(p.data).href;
}

export interface NewSite {
  url: string;
  everyMs?: number;
  name?: string | null;
  webhook?: string | null;
  category?: string | null;
}

function checkEvery(everyMs: number): number {
  if (!Number.isFinite(everyMs) || everyMs < MIN_EVERY_MS) throw new UserError(`The revisit interval must be at least ${MIN_EVERY_MS / 1000} s (got ${everyMs} ms); use e.g. --every 5s, 10m or 1h.`);
  return Math.round(everyMs);
}

/** Adds a site, or updates the interval/name/webhook of the one already tracked; returns its row and whether it was new. */
export async function addSite(store: Store, input: NewSite, now = Date.now()): Promise<{ site: TrackedSite; added: boolean }> {
  const url = normaliseSiteUrl(input.url);
  const every = checkEvery(input.everyMs ?? DEFAULT_EVERY_MS);
  const webhook = input.webhook == null ? null : normaliseWebhookUrl(input.webhook);
  const existing = await store.db.selectFrom('tracked_sites').selectAll().where('url', '=', url).executeTakeFirst();
  if (existing) {
    const changes: Partial<TrackedSite> = {};
    if (input.everyMs != null && Number(existing.every_ms) !== every) changes.every_ms = every;
    if (input.name != null && existing.name !== input.name) changes.name = input.name;
    if (webhook != null && existing.webhook !== webhook) changes.webhook = webhook;
    if (input.category != null && existing.category == null) changes.category = input.category;
    if (!Object.keys(changes).length) return { site: existing, added: false };
    const site = await store.db.updateTable('tracked_sites').set(changes).where('id', '=', existing.id).returningAll().executeTakeFirstOrThrow();
    return { site, added: false };
  }
  const site = await store.db.insertInto('tracked_sites').values({
    url, name: input.name ?? null, every_ms: every, webhook, category: input.category ?? null, enabled: 1,
    added_at: now, next_check_at: now, lease_owner: null, lease_until: null, state: null, state_since: null, last_capture_id: null,
  }).onConflict((oc) => oc.column('url').doNothing()).returningAll().executeTakeFirst();
  // A concurrent `site add` of the same URL won the race: theirs is the row.
  if (!site) return { site: await store.db.selectFrom('tracked_sites').selectAll().where('url', '=', url).executeTakeFirstOrThrow(), added: false };
  return { site, added: true };
}

/** Every tracked site, oldest first. */
export async function listSites(store: Store): Promise<TrackedSite[]> {
  return store.db.selectFrom('tracked_sites').selectAll().orderBy('id').execute();
}

/** The tracked site with this URL (normalised the same way `site add` does); a UserError naming it when there is none. */
export async function findSite(store: Store, raw: string): Promise<TrackedSite> {
  let url: string;
  try {
    url = normaliseSiteUrl(raw);
  } catch {
    url = raw;
  }
  const site = await store.db.selectFrom('tracked_sites').selectAll().where('url', '=', url).executeTakeFirst();
  if (!site) throw new UserError(`${raw} is not a tracked site; see the tracked sites with \`censorscope site list\` or add it with \`censorscope site add ${raw}\`.`);
  return site;
}

/** Stops tracking a site; its captures and pending alerts go with it (archived WARC records stay). */
export async function removeSite(store: Store, raw: string): Promise<TrackedSite> {
  const site = await findSite(store, raw);
  await store.db.transaction().execute(async (tx) => {
    await tx.deleteFrom('site_alerts').where('site_id', '=', site.id).execute();
    await tx.deleteFrom('site_captures').where('site_id', '=', site.id).execute();
    await tx.deleteFrom('tracked_sites').where('id', '=', site.id).execute();
  });
  return site;
}

/** The global webhook (setting `site.webhook`), or null. */
export async function globalWebhook(store: Store): Promise<string | null> {
  const row = await store.db.selectFrom('settings').select('value').where('key', '=', GLOBAL_WEBHOOK_KEY).executeTakeFirst();
  return row?.value ?? null;
}

/** Sets (or with null clears) the global webhook. */
export async function setGlobalWebhook(store: Store, raw: string | null): Promise<string | null> {
  if (raw == null) {
    await store.db.deleteFrom('settings').where('key', '=', GLOBAL_WEBHOOK_KEY).execute();
    return null;
  }
  const value = normaliseWebhookUrl(raw);
  await store.db.insertInto('settings').values({ key: GLOBAL_WEBHOOK_KEY, value }).onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute();
  return value;
}

export interface ListRowError { file: string; line: number; field: string; reason: string; raw: string }

export interface ListImport {
  added: number;
  /** Rows whose URL was already tracked (adding a list twice adds nothing). */
  known: number;
  quarantined: ListRowError[];
}

const TEST_LIST_COLUMNS = ['url', 'category_code', 'category_description', 'date_added', 'source', 'notes'];

/**
 * Reads a Citizen Lab test list (url,category_code,category_description,date_added,source,notes):
 * good rows are returned, bad ones (wrong column count, not an http(s) URL) come back as errors
 * naming file, line and field.
 */
export function readSiteList(file: string): { rows: Array<{ url: string; category: string | null; line: number }>; errors: ListRowError[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(`Cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); give a Citizen Lab test-list CSV with the header ${TEST_LIST_COLUMNS.join(',')}.`);
  }
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').replace(/^\uFEFF/, '').split(',').map((h) => h.trim().toLowerCase());
  if (header.join(',') !== TEST_LIST_COLUMNS.join(',')) {
    throw new UserError(`${file}, line 1: the header must be ${TEST_LIST_COLUMNS.join(',')} (got "${(lines[0] ?? '').slice(0, 100)}").`);
  }
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, { from_line: 2, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, info: true }) as unknown as typeof records;
  } catch (err) {
    throw new UserError(`${file}: not a readable CSV (${(err as Error).message}).`);
  }
  const rows: Array<{ url: string; category: string | null; line: number }> = [];
  const errors: ListRowError[] = [];
  for (const { record, info } of records) {
    const line = info.lines;
    const raw = lines[line - 1] ?? record.join(',');
    if (record.length !== TEST_LIST_COLUMNS.length) {
      errors.push({ file, line, field: '(row)', reason: `the row has ${record.length} fields, the header ${TEST_LIST_COLUMNS.length} (${TEST_LIST_COLUMNS.join(',')})`, raw });
      continue;
    }
    const url = httpUrl.safeParse(record[0]);
    if (!url.success) {
      errors.push({ file, line, field: 'url', reason: `"${record[0].slice(0, 100)}" is not an http(s) URL`, raw });
      continue;
    }
    rows.push({ url: record[0].trim(), category: record[1].trim() || null, line });
  }
  return { rows, errors };
}

/** `site add --list FILE`: tracks every good row, quarantines the bad ones in import_errors (idempotent per file, line and field). */
export async function addSiteList(store: Store, file: string, everyMs?: number, now = Date.now()): Promise<ListImport> {
  const { rows, errors } = readSiteList(file);
  if (everyMs != null) checkEvery(everyMs);
  let added = 0;
  let known = 0;
  for (const r of rows) {
    const res = await addSite(store, { url: r.url, everyMs, category: r.category }, now);
    if (res.added) added++;
    else known++;
  }
  if (errors.length) {
    const key = fileKey(file);
    await store.db.insertInto('import_errors')
      .values(errors.map((e) => ({ file_key: key, file: e.file, line: e.line, field: e.field, reason: e.reason, raw: e.raw.slice(0, 2000), created_at: now })))
      .onConflict((oc) => oc.columns(['file_key', 'line', 'field']).doNothing()).execute();
  }
  return { added, known, quarantined: errors };
}
