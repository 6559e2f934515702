/** Saving measurements (OONI JSON) and availability checks; reading a site's timeline back. */
import { createHash } from 'node:crypto';
import type { Store } from '../store/open.ts';
import { parseOoniTime, type OoniEnvelope } from './ooni/format.ts';

export interface SavedMeasurement {
  id: number | null;
  duplicate: boolean;
}

/** A measurement's identity: OONI's uid when it has one, else a hash of its canonical JSON. */
export function measurementUid(m: OoniEnvelope, json?: string): string {
  if (typeof m.measurement_uid === 'string' && m.measurement_uid) return m.measurement_uid;
  return 'sha256:' + createHash('sha256').update(json ?? JSON.stringify(m)).digest('hex');
}

/** Derives our verdict from OONI's blocking/accessible for measurements that lack x_verdict. */
export function verdictOf(tk: Record<string, unknown>): string {
  if (typeof tk.x_verdict === 'string') return tk.x_verdict;
  if (tk.accessible === true) return 'reachable';
  if (typeof tk.blocking === 'string') return 'blocked';
  if (tk.blocking === false && tk.accessible === false) return 'down';
  return 'unknown';
}

/** Inserts one OONI-format measurement; duplicates (same uid) are skipped. */
export async function saveMeasurement(store: Store, m: OoniEnvelope, origin: 'probe' | 'ooni', json?: string): Promise<SavedMeasurement> {
  const body = json ?? JSON.stringify(m);
  const uid = measurementUid(m, body);
  const tk = m.test_keys as Record<string, unknown>;
  const input = m.input ?? '';
  let hostname = '';
  try {
    hostname = new URL(input).hostname;
  } catch {
    hostname = input;
  }
  const blocking = tk.blocking === undefined || tk.blocking === null ? null : String(tk.blocking);
  const row = await store.db.insertInto('probe_measurements').values({
    uid, origin, input, hostname,
    measured_at: parseOoniTime(m.measurement_start_time),
    probe_cc: m.probe_cc, probe_asn: m.probe_asn, test_name: m.test_name,
    blocking,
    accessible: typeof tk.accessible === 'boolean' ? Number(tk.accessible) : null,
    verdict: verdictOf(tk),
    blocking_flags: typeof tk.x_blocking_flags === 'number' ? tk.x_blocking_flags : 0,
    how: JSON.stringify(Array.isArray(tk.x_blocked_how) ? tk.x_blocked_how : []),
    body,
    created_at: Date.now(),
  }).onConflict((oc) => oc.column('uid').doNothing()).returning('id').executeTakeFirst();
  return { id: row ? Number(row.id) : null, duplicate: !row };
}

/** Records one availability check of a site. */
export async function saveAvailability(store: Store, r: { site: string; listName: string; categoryCode?: string | null; checkedAt: number; state: string; how: string[]; measurementId: number | null }): Promise<void> {
  await store.db.insertInto('site_availability').values({
    site: r.site, list_name: r.listName, category_code: r.categoryCode ?? null, checked_at: r.checkedAt,
    state: r.state, how: JSON.stringify(r.how), measurement_id: r.measurementId,
  }).execute();
}

export interface TimelineSpan {
  state: string;
  how: string[];
  from: number;
  to: number;
  checks: number;
}

/** A site's checks merged into spans of the same state and mechanism: when it went dark, and how. */
export async function siteTimeline(store: Store, site: string): Promise<TimelineSpan[]> {
  const rows = await store.db.selectFrom('site_availability').select(['state', 'how', 'checked_at'])
    .where('site', '=', site).orderBy('checked_at').orderBy('id').execute();
  const spans: TimelineSpan[] = [];
  for (const r of rows) {
    const last = spans[spans.length - 1];
    const at = Number(r.checked_at);
    if (last && last.state === r.state && JSON.stringify(last.how) === r.how) {
      last.to = at;
      last.checks++;
    } else {
      spans.push({ state: r.state, how: JSON.parse(r.how) as string[], from: at, to: at, checks: 1 });
    }
  }
  return spans;
}
