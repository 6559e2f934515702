/**
 * Stored measurements grouped by site (host name) for the dashboard: the sites list with counts
 * by verdict, the networks and test-list categories each was measured in, the overview's totals
 * and daily series, and one site's measurement points. Verdicts are the stored ones (the
 * `verdict` column written by saveMeasurement; mechanisms through results.ts' howOf), never
 * recomputed here; a site's change-point timeline is probeResults' (src/probe/results.ts).
 *
 * A site is a host name: http:// and https:// inputs of one host, and every path on it, are one
 * site, each input keeping its own timeline per network.
 */
import { sql, type SelectQueryBuilder } from 'kysely';
import type { Store } from '../store/open.ts';
import type { Database } from '../store/schema.ts';
import { howOf } from './results.ts';
import { SIMULATED_PREFIX } from './simulated.ts';

export const VERDICTS = ['reachable', 'blocked', 'down', 'unknown'] as const;
export type VerdictCounts = Record<(typeof VERDICTS)[number], number>;

export interface SitesFilter {
  /** Two-letter country code. */
  cc?: string;
  /** AS1234 */
  asn?: string;
  /** Citizen Lab test-list category code (NEWS, HUMR, …): sites whose inputs a tracked list filed under it. */
  category?: string;
  /** Substring of the host name. */
  q?: string;
}

export type SitesSort = 'blocked' | 'recent' | 'host';

export interface Latest {
  verdict: string;
  how: string[];
  probe_cc: string;
  probe_asn: string;
  /** Epoch ms. */
  measured_at: number;
  id: number;
}

export interface SiteSummary {
  host: string;
  /** The URLs measured on this host (at most 20, most measured first). */
  inputs: string[];
  input_count: number;
  categories: string[];
  countries: string[];
  /** "CC ASN" of every network it was measured from (at most 50). */
  networks: string[];
  network_count: number;
  measurements: number;
  by_verdict: VerdictCounts;
  first: number;
  last: number;
  latest: Latest;
}

type Q<O> = SelectQueryBuilder<Database, 'probe_measurements', O>;

/** Applies the sites filter to a probe_measurements query (category through site_availability). */
function filtered<O>(q: Q<O>, f: SitesFilter): Q<O> {
  let out = q.where('hostname', '<>', '');
  if (f.cc) out = out.where('probe_cc', '=', f.cc.toUpperCase());
  if (f.asn) out = out.where('probe_asn', '=', f.asn.toUpperCase());
  // A plain substring: LIKE's wildcards in the search are escaped (SQLite needs the ESCAPE clause).
  if (f.q) out = out.where(sql<boolean>`hostname like ${`%${f.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`} escape '\\'`);
  if (f.category) {
    const cat = f.category;
    out = out.where('input', 'in', (eb) => eb.selectFrom('site_availability').select('site').where('category_code', '=', cat));
  }
  return out;
}

const n = (v: unknown): number => Number(v ?? 0);
const countIf = (verdict: string) => sql<number>`sum(case when verdict = ${verdict} then 1 else 0 end)`;

/** The sites matching `f`, one page, sorted (default: most blocked measurements first). */
export async function listSites(store: Store, f: SitesFilter, page: { limit: number; offset: number; sort?: SitesSort }): Promise<{ total: number; items: SiteSummary[] }> {
  const db = store.db;
  const total = n((await filtered(db.selectFrom('probe_measurements').select(sql<number>`count(distinct hostname)`.as('n')), f).executeTakeFirst())?.n);
  let q = filtered(db.selectFrom('probe_measurements').select([
    'hostname', (eb) => eb.fn.countAll<number>().as('n'),
    countIf('reachable').as('reachable'), countIf('blocked').as('blocked'), countIf('down').as('down'),
    (eb) => eb.fn.min('measured_at').as('first'), (eb) => eb.fn.max('measured_at').as('last'),
  ]), f).groupBy('hostname');
  const sort = page.sort ?? 'blocked';
  if (sort === 'blocked') q = q.orderBy(sql`sum(case when verdict = 'blocked' then 1 else 0 end)`, 'desc').orderBy(sql`count(*)`, 'desc');
  else if (sort === 'recent') q = q.orderBy(sql`max(measured_at)`, 'desc');
  const rows = await q.orderBy('hostname').limit(page.limit).offset(page.offset).execute();
  if (!rows.length) return { total, items: [] };
  const hosts = rows.map((r) => r.hostname);

  const [nets, inputs, latest, categories] = await Promise.all([
    filtered(db.selectFrom('probe_measurements').select(['hostname', 'probe_cc', 'probe_asn']).distinct(), f)
      .where('hostname', 'in', hosts).orderBy('hostname').orderBy('probe_cc').orderBy('probe_asn').execute(),
    filtered(db.selectFrom('probe_measurements').select(['hostname', 'input', (eb) => eb.fn.countAll<number>().as('n')]), f)
      .where('hostname', 'in', hosts).groupBy(['hostname', 'input']).execute(),
    latestPer(store, f, hosts, ['hostname']),
    categoriesOf(store, hosts),
  ]);
  const items = rows.map((r): SiteSummary => {
    const mine = nets.filter((x) => x.hostname === r.hostname);
    const urls = inputs.filter((x) => x.hostname === r.hostname).sort((a, b) => n(b.n) - n(a.n) || a.input.localeCompare(b.input));
    const total = n(r.n);
    const byVerdict = { reachable: n(r.reachable), blocked: n(r.blocked), down: n(r.down), unknown: 0 };
    byVerdict.unknown = total - byVerdict.reachable - byVerdict.blocked - byVerdict.down;
    return {
      host: r.hostname,
      inputs: urls.slice(0, 20).map((x) => x.input), input_count: urls.length,
      categories: categories.get(r.hostname) ?? [],
      countries: [...new Set(mine.map((x) => x.probe_cc))],
      networks: mine.slice(0, 50).map((x) => `${x.probe_cc} ${x.probe_asn}`), network_count: mine.length,
      measurements: total, by_verdict: byVerdict, first: n(r.first), last: n(r.last),
      latest: latest.get(r.hostname)!,
    };
  });
  return { total, items };
}

/** The most recent measurement per group (host, or host and network) among `hosts`. */
async function latestPer(store: Store, f: SitesFilter, hosts: string[] | null, by: Array<'hostname' | 'probe_cc' | 'probe_asn'>): Promise<Map<string, Latest>> {
  const partition = sql.join(by.map((c) => sql.ref(c)));
  let inner = filtered(store.db.selectFrom('probe_measurements').select([
    'id', 'hostname', 'probe_cc', 'probe_asn', 'measured_at', 'verdict', 'how', 'blocking',
    sql<number>`row_number() over (partition by ${partition} order by measured_at desc, id desc)`.as('rn'),
  ]), f);
  if (hosts) inner = inner.where('hostname', 'in', hosts);
  const rows = await store.db.selectFrom(inner.as('x')).selectAll().where('rn', '=', 1).execute();
  const out = new Map<string, Latest>();
  for (const r of rows) {
    out.set(by.map((c) => r[c]).join(' '), {
      id: n(r.id), verdict: r.verdict, how: howOf(r.verdict, r.how, r.blocking), probe_cc: r.probe_cc, probe_asn: r.probe_asn, measured_at: n(r.measured_at),
    });
  }
  return out;
}

/** Test-list categories of each host's inputs, as the tracked lists filed them (`probe --list`). */
export async function categoriesOf(store: Store, hosts: string[] | null): Promise<Map<string, string[]>> {
  const rows = await store.db.selectFrom('site_availability').select(['site', 'category_code']).distinct()
    .where('category_code', 'is not', null).execute();
  const out = new Map<string, string[]>();
  for (const r of rows) {
    const host = hostOf(r.site);
    if (hosts && !hosts.includes(host)) continue;
    const list = out.get(host) ?? [];
    if (!list.includes(r.category_code!)) list.push(r.category_code!);
    out.set(host, list.sort());
  }
  return out;
}

/** The host name saveMeasurement files an input under. */
export function hostOf(input: string): string {
  try {
    return new URL(input).hostname;
  } catch {
    return input;
  }
}

export interface Facets {
  countries: Array<{ cc: string; measurements: number }>;
  networks: Array<{ cc: string; asn: string; measurements: number }>;
  categories: Array<{ code: string; sites: number }>;
}

/** The values the filters can take, with how much data each has. */
export async function siteFacets(store: Store): Promise<Facets> {
  const db = store.db;
  const [ccs, nets, cats] = await Promise.all([
    db.selectFrom('probe_measurements').select(['probe_cc', (eb) => eb.fn.countAll<number>().as('n')]).where('hostname', '<>', '').groupBy('probe_cc').orderBy('probe_cc').execute(),
    db.selectFrom('probe_measurements').select(['probe_cc', 'probe_asn', (eb) => eb.fn.countAll<number>().as('n')]).where('hostname', '<>', '')
      .groupBy(['probe_cc', 'probe_asn']).orderBy('probe_cc').orderBy('probe_asn').execute(),
    categoriesOf(store, null),
  ]);
  const bySite = new Map<string, number>();
  for (const list of cats.values()) for (const c of list) bySite.set(c, (bySite.get(c) ?? 0) + 1);
  return {
    countries: ccs.map((r) => ({ cc: r.probe_cc, measurements: n(r.n) })),
    networks: nets.map((r) => ({ cc: r.probe_cc, asn: r.probe_asn, measurements: n(r.n) })),
    categories: [...bySite].map(([code, sites]) => ({ code, sites })).sort((a, b) => a.code.localeCompare(b.code)),
  };
}

const DAY = 86_400_000;

export interface BlockingOverview {
  measurements: number;
  sites: number;
  countries: number;
  networks: number;
  by_verdict: VerdictCounts;
  /** Sites whose latest measurement in at least one network says blocked. */
  sites_blocked: number;
  /** Measurements generated by the demo or the fixtures (src/probe/simulated.ts). */
  simulated: number;
  /** Measurements made by this installation's probe (origin probe) and imported (origin ooni). */
  by_source: { probe: number; import: number };
  first: number | null;
  last: number | null;
  /** Measurements per UTC day (bucket = the day's start, epoch ms) and verdict; days without any are absent. */
  daily: Array<{ day: number; verdict: string; count: number }>;
}

/** Totals for the overview tile and its chart. */
export async function blockingOverview(store: Store): Promise<BlockingOverview> {
  const db = store.db;
  const [totals, verdicts, sources, latest, daily, simulated] = await Promise.all([
    db.selectFrom('probe_measurements').select([
      (eb) => eb.fn.countAll<number>().as('n'), sql<number>`count(distinct hostname)`.as('sites'), sql<number>`count(distinct probe_cc)`.as('ccs'),
      (eb) => eb.fn.min('measured_at').as('first'), (eb) => eb.fn.max('measured_at').as('last'),
    ]).where('hostname', '<>', '').executeTakeFirst(),
    db.selectFrom('probe_measurements').select(['verdict', (eb) => eb.fn.countAll<number>().as('n')]).where('hostname', '<>', '').groupBy('verdict').execute(),
    db.selectFrom('probe_measurements').select(['origin', (eb) => eb.fn.countAll<number>().as('n')]).where('hostname', '<>', '').groupBy('origin').execute(),
    latestPer(store, {}, null, ['hostname', 'probe_cc', 'probe_asn']),
    db.selectFrom('probe_measurements').select([sql<number>`(measured_at / ${sql.lit(DAY)}) * ${sql.lit(DAY)}`.as('day'), 'verdict', (eb) => eb.fn.countAll<number>().as('n')])
      .where('hostname', '<>', '').groupBy([sql`(measured_at / ${sql.lit(DAY)}) * ${sql.lit(DAY)}`, 'verdict']).execute(),
    db.selectFrom('probe_measurements').select((eb) => eb.fn.countAll<number>().as('n')).where('hostname', '<>', '')
      .where('uid', 'like', `${SIMULATED_PREFIX}%`).executeTakeFirst(),
  ]);
  const by = { reachable: 0, blocked: 0, down: 0, unknown: 0 };
  for (const v of verdicts) {
    const k = (VERDICTS as readonly string[]).includes(v.verdict) ? v.verdict as keyof VerdictCounts : 'unknown';
    by[k] += n(v.n);
  }
  const networks = new Set<string>();
  const blockedSites = new Set<string>();
  for (const [key, l] of latest) {
    networks.add(`${l.probe_cc} ${l.probe_asn}`);
    if (l.verdict === 'blocked') blockedSites.add(key.split(' ')[0]!);
  }
  return {
    measurements: n(totals?.n), sites: n(totals?.sites), countries: n(totals?.ccs), networks: networks.size,
    by_verdict: by, sites_blocked: blockedSites.size, simulated: n(simulated?.n),
    by_source: { probe: n(sources.find((s) => s.origin === 'probe')?.n), import: sources.filter((s) => s.origin !== 'probe').reduce((a, s) => a + n(s.n), 0) },
    first: totals?.first == null ? null : n(totals.first), last: totals?.last == null ? null : n(totals.last),
    daily: daily.map((r) => ({ day: Math.floor(n(r.day) / DAY) * DAY, verdict: r.verdict, count: n(r.n) })).sort((a, b) => a.day - b.day || a.verdict.localeCompare(b.verdict)),
  };
}

export interface SitePoints {
  /** One series per input and network, as probeResults' timelines. */
  series: Array<{ input: string; probe_cc: string; probe_asn: string; measurements: number }>;
  /** [epoch ms, series index, state, how joined with "+", measurement id], oldest first. */
  points: Array<[number, number, string, string, number]>;
  /** True when only the most recent `max` measurements are drawn. */
  truncated: boolean;
}

/** A host's measurements as points for its timeline chart (most recent `max`). */
export async function sitePoints(store: Store, host: string, f: Pick<SitesFilter, 'cc' | 'asn'>, max: number): Promise<SitePoints> {
  const rows = await filtered(store.db.selectFrom('probe_measurements')
    .select(['id', 'input', 'probe_cc', 'probe_asn', 'measured_at', 'verdict', 'how', 'blocking']), f)
    .where('hostname', '=', host).orderBy('measured_at', 'desc').orderBy('id', 'desc').limit(max + 1).execute();
  const truncated = rows.length > max;
  const kept = rows.slice(0, max).reverse();
  const index = new Map<string, number>();
  const series: SitePoints['series'] = [];
  const points: SitePoints['points'] = [];
  for (const r of [...kept].sort((a, b) => a.input.localeCompare(b.input) || a.probe_cc.localeCompare(b.probe_cc) || a.probe_asn.localeCompare(b.probe_asn))) {
    const key = JSON.stringify([r.input, r.probe_cc, r.probe_asn]);
    if (!index.has(key)) {
      index.set(key, series.length);
      series.push({ input: r.input, probe_cc: r.probe_cc, probe_asn: r.probe_asn, measurements: 0 });
    }
  }
  for (const r of kept) {
    const i = index.get(JSON.stringify([r.input, r.probe_cc, r.probe_asn]))!;
    series[i]!.measurements++;
    points.push([n(r.measured_at), i, r.verdict, howOf(r.verdict, r.how, r.blocking).join('+'), n(r.id)]);
  }
  return { series, points, truncated };
}

/** Streams a host's stored measurement JSON texts in the order they were stored, in batches (constant memory). */
export async function* siteBodies(store: Store, host: string, f: Pick<SitesFilter, 'cc' | 'asn'>, batch = 500): AsyncGenerator<string> {
  let after = 0;
  for (;;) {
    const rows = await filtered(store.db.selectFrom('probe_measurements').select(['id', 'body']), f)
      .where('hostname', '=', host).where('id', '>', after).orderBy('id').limit(batch).execute();
    for (const r of rows) yield r.body;
    if (rows.length < batch) return;
    after = n(rows[rows.length - 1]!.id);
  }
}

/** Whether any stored measurement of `host` matches (for 404s). */
export async function hostExists(store: Store, host: string): Promise<boolean> {
  const r = await store.db.selectFrom('probe_measurements').select('id').where('hostname', '=', host).limit(1).executeTakeFirst();
  return r !== undefined;
}
