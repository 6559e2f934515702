/**
 * Website blocking: the sites measured (ours and imported OONI measurements) with their counts
 * by verdict, filterable by country, network and test-list category; one site's availability
 * timelines per network and its measurements; one measurement's OONI view; a site's
 * measurements as OONI JSONL; and the overview's totals. Verdicts and timelines are the probe's
 * own (src/probe/results.ts, src/probe/sites.ts). Measurements carry no accounts; the probe's
 * own IP address, where a measurement kept it, is withheld from every view and download
 * (src/probe/ooni/scrub.ts).
 */
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ApiError, type ApiContext, idParam, limitParam, route, validate } from './common.ts';
import { probeResults, measurementResult } from '../../probe/results.ts';
import { blockingOverview, categoriesOf, hostExists, listSites, siteBodies, siteFacets, sitePoints } from '../../probe/sites.ts';
import { publicMeasurement } from '../../probe/ooni/scrub.ts';
import { isSimulatedUid } from '../../probe/simulated.ts';

const cc = z.string().regex(/^[A-Za-z]{2}$/, 'a two-letter country code such as CN').transform((s) => s.toUpperCase()).meta({ description: 'probe country code (two letters)' });
const asn = z.string().regex(/^AS\d{1,10}$/i, 'an AS number such as AS4134').transform((s) => s.toUpperCase()).meta({ description: 'probe network (AS4134)' });
const networkQuery = z.object({ cc: cc.optional(), asn: asn.optional() });
const hostParams = z.object({ host: z.string().min(1).max(253).meta({ description: 'the site\'s host name, as in /api/blocking/sites' }) });

const sitesQuery = networkQuery.extend({
  category: z.string().regex(/^[A-Za-z]{2,10}$/, 'a Citizen Lab category code such as NEWS').transform((s) => s.toUpperCase()).optional()
    .meta({ description: 'Citizen Lab test-list category code (NEWS, HUMR, …)' }),
  q: z.string().trim().min(1).max(100).optional().meta({ description: 'substring of the host name' }),
  sort: z.enum(['blocked', 'recent', 'host']).default('blocked').meta({ description: 'blocked (most blocked measurements first), recent, or host' }),
  limit: limitParam(50, 200),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

/** Points drawn on a site's timeline chart at most (the most recent); the change points use every measurement. */
const MAX_POINTS = 20_000;

/** The parts of a Web Connectivity measurement OONI Explorer shows; anything missing or malformed is null. */
const nul = <T extends z.ZodType>(t: T) => t.nullable().optional().catch(null).transform((v) => v ?? null);
const str = nul(z.string());
const bool = nul(z.boolean());
const EssentialsSchema = z.object({
  input: str, probe_cc: str, probe_asn: str, probe_network_name: str, test_name: str, test_version: str,
  test_start_time: str, measurement_start_time: str, software_name: str, software_version: str,
  report_id: str, measurement_uid: str, resolver_ip: str, resolver_asn: str, resolver_network_name: str,
  test_keys: z.object({
    blocking: nul(z.union([z.string(), z.boolean()])), accessible: bool, dns_consistency: str,
    dns_experiment_failure: str, http_experiment_failure: str, control_failure: str,
    body_length_match: bool, body_proportion: nul(z.number()), status_code_match: bool, headers_match: bool, title_match: bool,
    x_verdict: str, x_blocked_how: nul(z.array(z.string())), x_blocking_flags: nul(z.number()),
    queries: nul(z.array(z.object({
      engine: str, resolver_address: str, hostname: str, query_type: str, failure: str,
      answers: nul(z.array(z.object({ ipv4: str, ipv6: str, hostname: str, answer_type: str }).loose())),
    }).loose())),
    tcp_connect: nul(z.array(z.object({
      ip: str, port: nul(z.number()), status: z.object({ success: bool, failure: str, blocked: bool }).loose().catch({ success: null, failure: null, blocked: null }),
    }).loose())),
    tls_handshakes: nul(z.array(z.object({ address: str, server_name: str, failure: str, tls_version: str }).loose())),
    requests: nul(z.array(z.object({
      failure: str,
      request: z.object({ url: str }).loose().nullable().catch(null),
      response: z.object({ code: nul(z.number()), body_length: nul(z.number()), body_is_truncated: bool, body: z.unknown() }).loose().nullable().catch(null),
    }).loose())),
  }).loose().catch({} as never),
}).loose();

const OONI_UID = /^\d{14}\.\d{6}_[A-Z]{2}_[a-z_]+_[0-9a-f]{16}$/;

/** The OONI view of one stored measurement (already scrubbed of the probe's IP). */
function ooniView(m: Record<string, unknown>) {
  const e = EssentialsSchema.parse(m);
  const tk = e.test_keys ?? {};
  const title = (b: unknown) => (typeof b === 'string' ? /<title[^>]*>([^<]{1,128})/i.exec(b)?.[1]?.trim() ?? null : null);
  return {
    input: e.input, probe_cc: e.probe_cc, probe_asn: e.probe_asn, probe_network_name: e.probe_network_name,
    test_name: e.test_name, test_version: e.test_version, test_start_time: e.test_start_time, measurement_start_time: e.measurement_start_time,
    software_name: e.software_name, software_version: e.software_version, report_id: e.report_id, measurement_uid: e.measurement_uid,
    resolver_ip: e.resolver_ip, resolver_asn: e.resolver_asn, resolver_network_name: e.resolver_network_name,
    // OONI Explorer's address for a measurement its pipeline collected.
    ooni_explorer_url: e.measurement_uid && OONI_UID.test(e.measurement_uid) ? `https://explorer.ooni.org/m/${e.measurement_uid}` : null,
    verdict_keys: {
      blocking: tk.blocking ?? null, accessible: tk.accessible ?? null, dns_consistency: tk.dns_consistency ?? null,
      dns_experiment_failure: tk.dns_experiment_failure ?? null, http_experiment_failure: tk.http_experiment_failure ?? null,
      control_failure: tk.control_failure ?? null, body_length_match: tk.body_length_match ?? null, body_proportion: tk.body_proportion ?? null,
      status_code_match: tk.status_code_match ?? null, headers_match: tk.headers_match ?? null, title_match: tk.title_match ?? null,
      x_verdict: tk.x_verdict ?? null, x_blocked_how: tk.x_blocked_how ?? null, x_blocking_flags: tk.x_blocking_flags ?? null,
    },
    dns: (tk.queries ?? []).map((q) => ({
      engine: q.engine, resolver: q.resolver_address, hostname: q.hostname, query_type: q.query_type, failure: q.failure,
      answers: (q.answers ?? []).map((a) => a.ipv4 ?? a.ipv6 ?? a.hostname).filter((a): a is string => a !== null),
    })),
    tcp_connect: (tk.tcp_connect ?? []).map((t) => ({ ip: t.ip, port: t.port, success: t.status.success, failure: t.status.failure, blocked: t.status.blocked })),
    tls_handshakes: (tk.tls_handshakes ?? []).map((t) => ({ address: t.address, server_name: t.server_name, failure: t.failure, tls_version: t.tls_version })),
    requests: (tk.requests ?? []).map((r) => ({
      url: r.request?.url ?? null, failure: r.failure, status_code: r.response?.code ?? null, body_length: r.response?.body_length ?? null,
      body_is_truncated: r.response?.body_is_truncated ?? null, title: title(r.response?.body),
    })),
  };
}

/** A file name from a host: letters, digits, dots and dashes only. */
function fileName(host: string): string {
  return `${host.replace(/[^A-Za-z0-9.-]+/g, '_').slice(0, 100) || 'site'}-measurements.jsonl`;
}

/** Registers the blocking routes. */
export async function blockingApi(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  ctx.pages.push('/sites', '/sites/:host', '/measurements/:id');

  /** The host as stored: URL host names are lower case, an input that is no URL is kept as written. */
  async function storedHost(given: string): Promise<string> {
    for (const host of [given, given.toLowerCase()]) if (await hostExists(ctx.store, host)) return host;
    throw new ApiError(404, 'not_found', `No measurement of the site "${given}" is stored; see /api/blocking/sites for the sites measured.`, 'host');
  }

  route(app, ctx, {
    method: 'GET', url: '/api/blocking/overview', tag: 'blocking',
    summary: 'Website-blocking totals: measurements and sites by verdict, sites blocked on their latest measurement in some network, simulated count, measurements per UTC day by verdict.',
  }, () => ctx.cache.get('blocking:overview', () => blockingOverview(ctx.store), 3000));

  route(app, ctx, {
    method: 'GET', url: '/api/blocking/facets', tag: 'blocking', summary: 'The countries, networks and test-list categories measured, for the filters.',
  }, () => ctx.cache.get('blocking:facets', () => siteFacets(ctx.store), 3000));

  route(app, ctx, {
    method: 'GET', url: '/api/blocking/sites', tag: 'blocking', query: sitesQuery,
    summary: 'Sites (host names) measured, with test-list categories, countries and networks, counts by verdict and the latest verdict; filtered by country, network, category.',
  }, async ({ query }) => {
    const { limit, offset, sort, ...filter } = query;
    const page = await ctx.cache.get(`blocking:sites:${JSON.stringify(query)}`, () => listSites(ctx.store, filter, { limit, offset, sort }), 3000);
    return { ...page, next: offset + limit < page.total ? offset + limit : null };
  });

  route(app, ctx, {
    method: 'GET', url: '/api/blocking/sites/:host', tag: 'blocking', params: hostParams,
    query: networkQuery.extend({ limit: limitParam(200, 1000).meta({ description: 'most recent measurements listed' }) }),
    summary: "One site: its availability timeline per input and network (change points of reachable / blocked (how) / down / unknown), chart points, and its most recent measurements.",
  }, async ({ params, query }) => {
    const host = await storedHost(params.host);
    const filter = { cc: query.cc, asn: query.asn };
    const [results, chart, categories] = await Promise.all([
      probeResults(ctx.store, { input: host, ...filter, limit: query.limit }),
      sitePoints(ctx.store, host, filter, MAX_POINTS),
      categoriesOf(ctx.store, [host]),
    ]);
    return {
      host, categories: categories.get(host) ?? [], total: results.total, truncated: results.truncated,
      timelines: results.sites, chart,
      measurements: results.measurements.map((m) => ({ ...m, simulated: isSimulatedUid(m.measurement_uid) })),
    };
  });

  // A download streams and is not JSON, so it is registered by hand (documented and validated like the rest).
  const download = {
    method: 'GET' as const, url: '/api/blocking/sites/:host/measurements.jsonl', tag: 'blocking', params: hostParams, query: networkQuery,
    summary: "A site's stored measurements as OONI JSONL (one measurement a line, as stored, the probe's IP withheld), as an attachment.",
  };
  ctx.routes.push(download);
  app.get(download.url, async (req, reply) => {
    const params = validate(hostParams, req.params ?? {}, 'path');
    const query = validate(networkQuery, req.query ?? {}, 'query');
    const host = await storedHost(params.host);
    async function* lines() {
      for await (const body of siteBodies(ctx.store, host, { cc: query.cc, asn: query.asn })) yield `${publicMeasurement(body)}\n`;
    }
    return reply.type('application/x-ndjson; charset=utf-8').header('Content-Disposition', `attachment; filename="${fileName(host)}"`)
      .send(Readable.from(lines()));
  });

  route(app, ctx, {
    method: 'GET', url: '/api/blocking/measurements/:id', tag: 'blocking', params: z.object({ id: idParam }),
    summary: "One measurement: its verdicts (ours and OONI's), the essentials OONI Explorer shows (input, probe_cc, probe_asn, times, test keys, DNS, TCP, TLS, HTTP) and the whole OONI JSON, the probe's IP withheld.",
  }, async ({ params }) => {
    const row = await ctx.store.db.selectFrom('probe_measurements')
      .select(['id', 'uid', 'origin', 'input', 'hostname', 'probe_cc', 'probe_asn', 'measured_at', 'test_name', 'verdict', 'blocking', 'accessible', 'blocking_flags', 'how', 'body'])
      .where('id', '=', params.id).executeTakeFirst();
    if (!row) throw new ApiError(404, 'not_found', `No measurement has id ${params.id}.`, 'id');
    const body = publicMeasurement(row.body);
    const result = measurementResult({ ...row, id: Number(row.id), measured_at: Number(row.measured_at), blocking_flags: Number(row.blocking_flags), body });
    return { ...result, host: row.hostname, simulated: isSimulatedUid(row.uid), ooni_view: ooniView(JSON.parse(body) as Record<string, unknown>), measurement: JSON.parse(body) as unknown };
  });
}
