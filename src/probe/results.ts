/**
 * Stored measurements read back (`probe results`, and later the dashboard's API): the
 * measurements matching a filter, and each site's timeline per vantage network (input, country,
 * network), built with the same span merging as availability tracking (src/probe/timeline.ts).
 *
 * A timeline is per network because a site's state is only meaningful from where it was
 * measured: reachable in IT and blocked in CN are two timelines, not a change.
 */
import type { SelectQueryBuilder } from 'kysely';
import type { Store } from '../store/open.ts';
import type { Database } from '../store/schema.ts';
import { ooniTime } from './ooni/format.ts';
import { SOFTWARE_NAME } from './ooni/format.ts';
import { mergeChecks } from './timeline.ts';

export interface ResultsFilter {
  /** A URL (exact input) or a host name (every input on that host). */
  input?: string;
  /** Epoch ms; measurements started at or after. */
  since?: number;
  /** Epoch ms; measurements started before. */
  until?: number;
  /** Two-letter country code. */
  cc?: string;
  /** AS1234 */
  asn?: string;
  /** probe: measured by this installation; import: imported files. */
  source?: 'probe' | 'import';
  /** Most recent measurements listed (timelines always use every matching one); default 1000. */
  limit?: number;
}

/** OONI's verdict fields: false, "dns", "tcp_ip", "http-failure", "http-diff", or null. */
export interface OoniVerdict {
  blocking: string | boolean | null;
  accessible: boolean | null;
}

export interface MeasurementResult {
  id: number;
  source: 'probe' | 'import';
  input: string;
  probe_cc: string;
  probe_asn: string;
  /** As the measurement wrote it: "YYYY-MM-DD HH:MM:SS", UTC. */
  measurement_start_time: string;
  test_name: string;
  /** software_name and software_version of the probe that measured. */
  software: string | null;
  measurement_uid: string | null;
  report_id: string | null;
  /** The state a timeline uses: reachable | blocked | down | unknown. */
  state: string;
  /** How it is blocked: our mechanisms (dns-injection, sni-reset, …), else OONI's blocking value. */
  how: string[];
  /** Our classifier's verdict, present when the measurement carries it (made by censorscope). */
  censorscope: (OoniVerdict & { verdict: string; blocking_flags: number; how: string[] }) | null;
  /** OONI's verdict, present when another probe (ooniprobe) made the measurement. */
  ooni: OoniVerdict | null;
}

export interface TimelinePoint {
  /** ISO 8601 UTC: when this state was first seen (a change point). */
  at: string;
  /** ISO 8601 UTC: the last measurement still in this state. */
  until: string;
  state: string;
  how: string[];
  measurements: number;
}

export interface SiteTimeline {
  input: string;
  probe_cc: string;
  probe_asn: string;
  timeline: TimelinePoint[];
}

export interface ProbeResults {
  /** Stored measurements matching the filter. */
  total: number;
  /** The `limit` most recent of them, oldest first. */
  measurements: MeasurementResult[];
  truncated: boolean;
  sites: SiteTimeline[];
}

type Query<O> = SelectQueryBuilder<Database, 'probe_measurements', O>;

/** Reads stored measurements and per-site timelines matching `filter`. */
export async function probeResults(store: Store, filter: ResultsFilter = {}): Promise<ProbeResults> {
  const where = <O>(q: Query<O>): Query<O> => {
    let out = q;
    if (filter.input) out = isUrl(filter.input) ? out.where('input', '=', filter.input) : out.where('hostname', '=', filter.input.toLowerCase());
    if (filter.since !== undefined) out = out.where('measured_at', '>=', filter.since);
    if (filter.until !== undefined) out = out.where('measured_at', '<', filter.until);
    if (filter.cc) out = out.where('probe_cc', '=', filter.cc.toUpperCase());
    if (filter.asn) out = out.where('probe_asn', '=', filter.asn.toUpperCase());
    if (filter.source) out = out.where('origin', '=', filter.source === 'probe' ? 'probe' : 'ooni');
    return out;
  };
  const limit = filter.limit ?? 1000;
  const total = Number((await where(store.db.selectFrom('probe_measurements').select((e) => e.fn.countAll().as('n'))).executeTakeFirst())?.n ?? 0);
  const rows = await where(store.db.selectFrom('probe_measurements')
    .select(['id', 'origin', 'input', 'probe_cc', 'probe_asn', 'measured_at', 'test_name', 'verdict', 'blocking', 'accessible', 'blocking_flags', 'how', 'body']))
    .orderBy('measured_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  const measurements = rows.reverse().map((r) => measurementResult(r));

  // Timelines read every matching measurement, but only the small columns.
  const checks = await where(store.db.selectFrom('probe_measurements')
    .select(['input', 'probe_cc', 'probe_asn', 'measured_at', 'verdict', 'blocking', 'how']))
    .orderBy('input').orderBy('probe_cc').orderBy('probe_asn').orderBy('measured_at').orderBy('id').execute();
  const sites: SiteTimeline[] = [];
  for (let i = 0; i < checks.length;) {
    const first = checks[i];
    let j = i;
    while (j < checks.length && checks[j].input === first.input && checks[j].probe_cc === first.probe_cc && checks[j].probe_asn === first.probe_asn) j++;
    const spans = mergeChecks(checks.slice(i, j).map((c) => ({ at: Number(c.measured_at), state: c.verdict, how: howOf(c.verdict, c.how, c.blocking) })));
    sites.push({
      input: first.input, probe_cc: first.probe_cc, probe_asn: first.probe_asn,
      timeline: spans.map((s) => ({ at: iso(s.from), until: iso(s.to), state: s.state, how: s.how, measurements: s.checks })),
    });
    i = j;
  }
  return { total, measurements, truncated: total > measurements.length, sites };
}

/** The columns `measurementResult` reads. */
export interface MeasurementRow {
  id: number;
  origin: string;
  input: string;
  probe_cc: string;
  probe_asn: string;
  measured_at: number;
  test_name: string;
  verdict: string;
  blocking: string | null;
  accessible: number | null;
  blocking_flags: number;
  how: string;
  body: string;
}

/** One stored measurement as `probe results` and the dashboard show it: our verdict and OONI's, state and mechanism. */
export function measurementResult(r: MeasurementRow): MeasurementResult {
  const m = JSON.parse(r.body) as Record<string, unknown>;
  const tk = (m.test_keys ?? {}) as Record<string, unknown>;
  const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
  const verdict: OoniVerdict = {
    blocking: typeof tk.blocking === 'string' || typeof tk.blocking === 'boolean' ? tk.blocking : null,
    accessible: typeof tk.accessible === 'boolean' ? tk.accessible : null,
  };
  const ours = typeof tk.x_verdict === 'string';
  const how = howOf(r.verdict, r.how, r.blocking);
  return {
    id: Number(r.id),
    source: r.origin === 'probe' ? 'probe' : 'import',
    input: r.input, probe_cc: r.probe_cc, probe_asn: r.probe_asn,
    measurement_start_time: str(m.measurement_start_time) ?? ooniTime(new Date(Number(r.measured_at))),
    test_name: r.test_name,
    software: str(m.software_name) ? `${String(m.software_name)} ${str(m.software_version) ?? ''}`.trim() : null,
    measurement_uid: str(m.measurement_uid), report_id: str(m.report_id),
    state: r.verdict, how,
    censorscope: ours ? { ...verdict, verdict: r.verdict, blocking_flags: Number(r.blocking_flags), how: JSON.parse(r.how) as string[] } : null,
    ooni: m.software_name !== SOFTWARE_NAME ? verdict : null,
  };
}

/** Our mechanisms when we classified it; else OONI's blocking value for a blocked site. */
export function howOf(verdict: string, howJson: string, blocking: string | null): string[] {
  const how = JSON.parse(howJson) as string[];
  if (how.length || verdict !== 'blocked' || !blocking || blocking === 'false') return how;
  return [blocking];
}

function isUrl(s: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(s);
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}
