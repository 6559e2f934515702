/**
 * What the classifier is given (the site's recent captures, the probe's latest word on its host)
 * and how a classified capture is kept: one transaction inserts the capture, moves the site's
 * state (state_since only on a real change: healthy verdicts are one state), releases its lease,
 * schedules the next visit and, on a change, writes the finding and queues one webhook alert.
 */
import type { Transaction } from 'kysely';
import type { Store } from '../../store/open.ts';
import type { Database, TrackedSite } from '../../store/schema.ts';
import { SITE_VERDICTS, type Classification, type FetchOutcome, type PageSnapshot, type ProbeHint, type SiteVerdict } from '../../detect/sites/types.ts';
import { isStateChange, siteFinding } from '../../detect/sites/findings.ts';
import { globalWebhook } from './tracked.ts';

/** How many earlier captures the classifier sees (newest first). */
export const HISTORY_LIMIT = 20;

export interface StoredHistory {
  id: number;
  at: number;
  status: number | null;
  verdict: SiteVerdict;
  /** The stored snapshot JSON, parsed. */
  snapshot: PageSnapshot | null;
}

/** The site's latest captures, newest first. */
export async function recentCaptures(store: Store, siteId: number, limit = HISTORY_LIMIT): Promise<StoredHistory[]> {
  const rows = await store.db.selectFrom('site_captures').select(['id', 'at', 'status', 'verdict', 'snapshot'])
    .where('site_id', '=', siteId).orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  return rows.map((r) => ({
    id: Number(r.id), at: Number(r.at), status: r.status == null ? null : Number(r.status), verdict: r.verdict as SiteVerdict,
    snapshot: r.snapshot == null ? null : JSON.parse(r.snapshot) as PageSnapshot,
  }));
}

/** The blocking probe's latest measurement of the site's host (ours or OONI's), or null where the probe has not run. */
export async function probeHintFor(store: Store, url: string): Promise<ProbeHint | null> {
  const host = new URL(url).hostname;
  const r = await store.db.selectFrom('probe_measurements').select(['id', 'measured_at', 'blocking', 'accessible'])
    .where('hostname', '=', host).orderBy('measured_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
  if (!r) return null;
  const blocking = r.blocking == null || r.blocking === 'false' ? null : r.blocking;
  return { measurementId: Number(r.id), at: Number(r.measured_at), blocking, accessible: r.accessible == null ? null : Number(r.accessible) === 1 };
}

/** A stored state read back (null for a site never captured, or a value this version does not know). */
function verdictOrNull(v: string | null): SiteVerdict | null {
  return v != null && (SITE_VERDICTS as readonly string[]).includes(v) ? (v as SiteVerdict) : null;
}

/** The JSON a webhook receives on a state change. */
export interface SiteAlertBody {
  event: 'site.state_changed';
  site: { id: number; url: string; name: string | null };
  from: string | null;
  to: SiteVerdict;
  /** ISO-8601 UTC time of the capture. */
  at: string;
  reasons: string[];
  capture: { id: number; status: number | null; digest: string | null };
}

export interface CaptureToRecord {
  outcome: FetchOutcome;
  snapshot: PageSnapshot | null;
  classification: Classification;
  history: StoredHistory[];
  probe: ProbeHint | null;
  digest: string | null;
  recordId: number | null;
}

export interface RecordedCapture {
  captureId: number;
  verdict: SiteVerdict;
  changed: boolean;
  from: string | null;
  alerts: number;
}

/** Stores one classified capture and its consequences in one transaction; `end` is when the visit finished. */
export async function recordCapture(store: Store, site: TrackedSite, c: CaptureToRecord, end: number): Promise<RecordedCapture> {
  const fallbackHook = await globalWebhook(store);
  return store.db.transaction().execute(async (tx: Transaction<Database>) => {
    const cur = await tx.selectFrom('tracked_sites').select(['state', 'state_since', 'next_check_at', 'every_ms', 'webhook', 'name', 'url'])
      .where('id', '=', site.id).executeTakeFirst();
    const at = c.outcome.at;
    const status = c.outcome.kind === 'answer' ? c.outcome.status : null;
    const { verdict, reasons, diff, baselineIndex } = c.classification;
    const baseline = baselineIndex == null ? null : c.history[baselineIndex] ?? null;
    const inserted = await tx.insertInto('site_captures').values({
      site_id: site.id, at, status,
      final_url: c.outcome.kind === 'answer' ? c.outcome.finalUrl : null,
      verdict, reasons: JSON.stringify(reasons), digest: c.digest,
      error_code: c.outcome.kind === 'failure' ? c.outcome.code : null,
      snapshot: c.snapshot == null ? null : JSON.stringify(c.snapshot),
      diff: diff == null ? null : JSON.stringify(diff),
      baseline_id: baseline?.id ?? null,
      record_id: c.recordId,
      probe_measurement_id: verdict === 'blocked' && c.probe ? c.probe.measurementId : null,
    }).returning('id').executeTakeFirstOrThrow();
    const captureId = Number(inserted.id);
    if (!cur) return { captureId, verdict, changed: false, from: null, alerts: 0 }; // removed while being visited: its captures go with it
    const from = verdictOrNull(cur.state);
    const changed = isStateChange(from, verdict);
    // state_since moves only on a real change (healthy verdicts are one state), or on the first capture.
    const sinceMoves = changed || cur.state_since == null || from == null;
    const every = Number(cur.every_ms);
    // Keep the cadence of the schedule (visit k at start + k·every), but never schedule in the past.
    const nextCheck = Math.max(end, Number(cur.next_check_at) + every);
    await tx.updateTable('tracked_sites').set({
      state: verdict,
      ...(sinceMoves ? { state_since: at } : {}),
      last_capture_id: captureId,
      next_check_at: nextCheck,
      lease_owner: null, lease_until: null,
    }).where('id', '=', site.id).execute();
    let alerts = 0;
    if (changed) {
      const finding = siteFinding({ id: Number(site.id), url: cur.url, name: cur.name }, { id: captureId, at, verdict, reasons, recordId: c.recordId, digest: c.digest }, from);
      await tx.insertInto('findings').values(finding).onConflict((oc) => oc.columns(['kind', 'key']).doNothing()).execute();
      const hook = cur.webhook ?? fallbackHook;
      if (hook) {
        const body: SiteAlertBody = {
          event: 'site.state_changed', site: { id: Number(site.id), url: cur.url, name: cur.name }, from, to: verdict,
          at: new Date(at).toISOString(), reasons, capture: { id: captureId, status, digest: c.digest },
        };
        await tx.insertInto('site_alerts').values({
          site_id: site.id, capture_id: captureId, url: hook, body: JSON.stringify(body), attempts: 0, next_attempt_at: end, delivered_at: null, last_error: null, created_at: end,
        }).execute();
        alerts = 1;
      }
    }
    return { captureId, verdict, changed, from, alerts };
  });
}
