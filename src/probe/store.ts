/** Saving measurements (OONI JSON) and availability checks; reading a site's timeline back. */
import { Kysely } from 'kysely';
import type { Store } from '../store/open.ts';
import type { Database } from '../store/schema.ts';
import { parseOoniTime, type OoniEnvelope } from './ooni/format.ts';
import { contentSha256, measurementIdentity, type MeasurementIdentity } from './ooni/identity.ts';
import { mergeChecks, type TimelineSpan } from './timeline.ts';

export type { TimelineSpan } from './timeline.ts';

export interface SavedMeasurement {
  /** The stored row: the new one, or the one already there. */
  id: number | null;
  duplicate: boolean;
  /** Set when a measurement with the same identity but other content is stored: its JSON. */
  conflict?: string;
}

/** Derives our verdict from OONI's blocking/accessible for measurements that lack x_verdict. */
export function verdictOf(tk: Record<string, unknown>): string {
  if (typeof tk.x_verdict === 'string') return tk.x_verdict;
  if (tk.accessible === true) return 'reachable';
  if (typeof tk.blocking === 'string') return 'blocked';
  if (tk.blocking === false && tk.accessible === false) return 'down';
  return 'unknown';
}

export interface SaveOptions {
  /** The measurement's JSON as read (stored verbatim; a string is this); default JSON.stringify(m). */
  body?: string;
  /** Its identity, when the caller computed it from the JSON as read. */
  identity?: MeasurementIdentity;
}

/**
 * Inserts one OONI-format measurement. The same identity with the same content is a duplicate;
 * with other content it is a conflict, reported and not stored (the stored one is kept).
 */
export async function saveMeasurement(db: Store | Kysely<Database>, m: OoniEnvelope, origin: 'probe' | 'ooni', options: SaveOptions | string = {}): Promise<SavedMeasurement> {
  const k = db instanceof Kysely ? db : db.db;
  const opts = typeof options === 'string' ? { body: options } : options;
  const body = opts.body ?? JSON.stringify(m);
  const identity = opts.identity ?? measurementIdentity(JSON.parse(body) as Record<string, unknown>);
  const measuredAt = parseOoniTime(m.measurement_start_time);
  if (measuredAt === null) throw new Error(`measurement_start_time "${m.measurement_start_time}" is not a real UTC time.`);
  const tk = m.test_keys as Record<string, unknown>;
  const input = m.input ?? '';
  let hostname = '';
  try {
    hostname = new URL(input).hostname;
  } catch {
    hostname = input;
  }
  const blocking = tk.blocking === undefined || tk.blocking === null ? null : String(tk.blocking);
  const row = await k.insertInto('probe_measurements').values({
    uid: identity.key, content_sha256: identity.contentSha256, origin, input, hostname,
    measured_at: measuredAt,
    probe_cc: m.probe_cc, probe_asn: m.probe_asn, test_name: m.test_name,
    blocking,
    accessible: typeof tk.accessible === 'boolean' ? Number(tk.accessible) : null,
    verdict: verdictOf(tk),
    blocking_flags: typeof tk.x_blocking_flags === 'number' ? tk.x_blocking_flags : 0,
    how: JSON.stringify(Array.isArray(tk.x_blocked_how) ? tk.x_blocked_how : []),
    body,
    created_at: Date.now(),
  }).onConflict((oc) => oc.column('uid').doNothing()).returning('id').executeTakeFirst();
  if (row) return { id: Number(row.id), duplicate: false };
  const stored = await k.selectFrom('probe_measurements').select(['id', 'content_sha256'])
    .where('uid', '=', identity.key).executeTakeFirstOrThrow();
  if (stored.content_sha256 === identity.contentSha256) return { id: Number(stored.id), duplicate: true };
  // Rarely reached: a conflict (or a row stored before content hashes, which 0008 backfilled).
  const { body: storedBody } = await k.selectFrom('probe_measurements').select('body').where('id', '=', stored.id).executeTakeFirstOrThrow();
  if (contentSha256(JSON.parse(storedBody)) === identity.contentSha256) return { id: Number(stored.id), duplicate: true };
  return { id: Number(stored.id), duplicate: false, conflict: storedBody };
}

/** Records one availability check of a site. */
export async function saveAvailability(store: Store, r: { site: string; listName: string; categoryCode?: string | null; checkedAt: number; state: string; how: string[]; measurementId: number | null }): Promise<void> {
  await store.db.insertInto('site_availability').values({
    site: r.site, list_name: r.listName, category_code: r.categoryCode ?? null, checked_at: r.checkedAt,
    state: r.state, how: JSON.stringify(r.how), measurement_id: r.measurementId,
  }).execute();
}

/** A site's checks merged into spans of the same state and mechanism: when it went dark, and how. */
export async function siteTimeline(store: Store, site: string): Promise<TimelineSpan[]> {
  const rows = await store.db.selectFrom('site_availability').select(['state', 'how', 'checked_at'])
    .where('site', '=', site).orderBy('checked_at').orderBy('id').execute();
  return mergeChecks(rows.map((r) => ({ at: Number(r.checked_at), state: r.state, how: JSON.parse(r.how) as string[] })));
}
