/**
 * Simulated website-blocking measurements, for the dashboard's tests and the demo. No probe runs:
 * for each scripted state (reachable, DNS injection, an SNI reset, a block page, down, …) the
 * generator writes the observations a probe would have made (DNS answers, TCP connects, TLS
 * handshakes, HTTP responses, the test helper's control) and our real classifier
 * (src/probe/classify) turns them into the verdict, which the generator checks against the
 * script. Measurements are OONI-format JSON from the probe's own writer (toOoni).
 *
 * Every one is marked as simulated (src/probe/simulated.ts): `measurement_uid` and `report_id`
 * start with SIMULATED-, `annotations.simulated` is "true". Sites are under the reserved
 * `.example` names, networks use the documentation AS numbers (AS64496–AS64511, RFC 5398) and
 * countries the user-assigned codes XA, XB, XC (ISO 3166-1 reserves them; no real country has
 * them), so nothing reads as a claim about a real site, network or country.
 */
import dnsPacket from 'dns-packet';
import type { Store } from '../store/open.ts';
import { classify } from '../probe/classify/index.ts';
import type { ControlResponse } from '../probe/control/shapes.ts';
import type { SystemLookup } from '../probe/dns/system.ts';
import type { UdpAnswer, UdpLookup } from '../probe/dns/udp.ts';
import { REQUEST_HEADERS, type HttpRequestEntry, type HttpResult } from '../probe/http.ts';
import type { RawMeasurement } from '../probe/measure.ts';
import { OoniEnvelopeSchema, toOoni, type OoniEnvelope } from '../probe/ooni/format.ts';
import { saveMeasurement } from '../probe/store.ts';
import { SIMULATED_PREFIX } from '../probe/simulated.ts';
import type { TcpConnectEntry } from '../probe/tcp.ts';
import type { TlsHandshakeEntry } from '../probe/tls.ts';

/** The states the generator can script; each names the mechanism the classifier must find. */
export const SCENARIOS = {
  reachable: { verdict: 'reachable', how: [] },
  'dns-nxdomain': { verdict: 'blocked', how: ['dns-nxdomain'] },
  'dns-injection': { verdict: 'blocked', how: ['dns-injection'] },
  'ip-drop': { verdict: 'blocked', how: ['ip-drop'] },
  'sni-reset': { verdict: 'blocked', how: ['sni-reset'] },
  'keyword-reset': { verdict: 'blocked', how: ['keyword-reset'] },
  'block-page': { verdict: 'blocked', how: ['block-page'] },
  down: { verdict: 'down', how: [] },
  unknown: { verdict: 'unknown', how: [] },
} as const satisfies Record<string, { verdict: string; how: string[] }>;
export type Scenario = keyof typeof SCENARIOS;

export interface NetworkPlan {
  cc: string;
  asn: string;
  /** From which day (0 = the first day) each state holds; 'gap' = no measurement at all. */
  phases: Array<{ fromDay: number; scenario: Scenario | 'gap' }>;
}

export interface SitePlan {
  url: string;
  /** Citizen Lab test-list category, or null for a URL no tracked list names. */
  category: string | null;
  networks: NetworkPlan[];
}

/** The default script: six sites, four networks in three (fictional) countries, every state. */
export const DEFAULT_PLAN: SitePlan[] = [
  {
    url: 'https://news.example/', category: 'NEWS', networks: [
      { cc: 'XA', asn: 'AS64496', phases: [{ fromDay: 0, scenario: 'reachable' }, { fromDay: 5, scenario: 'dns-injection' }] },
      { cc: 'XB', asn: 'AS64500', phases: [{ fromDay: 0, scenario: 'reachable' }] },
      { cc: 'XC', asn: 'AS64510', phases: [{ fromDay: 0, scenario: 'reachable' }, { fromDay: 3, scenario: 'sni-reset' }, { fromDay: 10, scenario: 'reachable' }] },
    ],
  },
  {
    url: 'http://rights.example.org/', category: 'HUMR', networks: [
      { cc: 'XA', asn: 'AS64496', phases: [{ fromDay: 0, scenario: 'block-page' }] },
      { cc: 'XA', asn: 'AS64497', phases: [{ fromDay: 0, scenario: 'keyword-reset' }] },
      { cc: 'XB', asn: 'AS64500', phases: [{ fromDay: 0, scenario: 'reachable' }, { fromDay: 6, scenario: 'gap' }, { fromDay: 9, scenario: 'reachable' }] },
    ],
  },
  {
    url: 'https://search.example.net/', category: 'SRCH', networks: [
      { cc: 'XA', asn: 'AS64496', phases: [{ fromDay: 0, scenario: 'dns-nxdomain' }] },
      { cc: 'XC', asn: 'AS64510', phases: [{ fromDay: 0, scenario: 'reachable' }, { fromDay: 2, scenario: 'ip-drop' }, { fromDay: 6, scenario: 'reachable' }] },
    ],
  },
  {
    url: 'http://gone.example/', category: 'MISC', networks: [
      { cc: 'XB', asn: 'AS64500', phases: [{ fromDay: 0, scenario: 'reachable' }, { fromDay: 4, scenario: 'down' }] },
      { cc: 'XC', asn: 'AS64510', phases: [{ fromDay: 0, scenario: 'reachable' }, { fromDay: 4, scenario: 'down' }] },
    ],
  },
  {
    url: 'http://forum.example.com/', category: 'POLR', networks: [
      { cc: 'XA', asn: 'AS64497', phases: [{ fromDay: 0, scenario: 'reachable' }, { fromDay: 7, scenario: 'block-page' }] },
    ],
  },
  {
    url: 'http://flaky.example/', category: null, networks: [
      { cc: 'XC', asn: 'AS64510', phases: [{ fromDay: 0, scenario: 'unknown' }, { fromDay: 3, scenario: 'reachable' }] },
    ],
  },
];

/** A hostile input (markup in the URL), added for tests that check it stays text. */
export const XSS_SITE: SitePlan = {
  url: 'http://xss.example/?q=<img src=x onerror=alert(1)>', category: null,
  networks: [{ cc: 'XB', asn: 'AS64500', phases: [{ fromDay: 0, scenario: 'reachable' }] }],
};

export interface MeasurementSeedOptions {
  /** Epoch ms of the last round (default: now, to the hour). Every measurement is at or before it. */
  now?: number;
  days?: number;
  everyHours?: number;
  plan?: SitePlan[];
  /** Add XSS_SITE (default false). */
  xss?: boolean;
  /** Tests only: write this address as probe_ip (and inside the test keys) of every measurement, as a careless tool would. */
  probeIp?: string;
  /** The test list the availability rows are filed under. */
  listName?: string;
}

export interface SeededMeasurement {
  id: number;
  input: string;
  host: string;
  cc: string;
  asn: string;
  at: number;
  scenario: Scenario;
  verdict: string;
  how: string[];
  category: string | null;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;
const RESOLVER = '192.0.2.53';
const TH = 'https://th.simulated.example/';

/** Writes the plan's measurements (and availability rows for categorised sites); returns what it wrote. */
export async function seedMeasurements(store: Store, opts: MeasurementSeedOptions = {}): Promise<SeededMeasurement[]> {
  const now = opts.now ?? Math.floor(Date.now() / HOUR) * HOUR;
  const days = opts.days ?? 14;
  const every = (opts.everyHours ?? 12) * HOUR;
  const start = now - days * DAY;
  const plan = [...(opts.plan ?? DEFAULT_PLAN), ...(opts.xss ? [XSS_SITE] : [])];
  const out: SeededMeasurement[] = [];
  const rows: Array<{ m: OoniEnvelope; seeded: Omit<SeededMeasurement, 'id'> }> = [];
  plan.forEach((site, si) => site.networks.forEach((net, ni) => {
    // Each network measures a few minutes after the round starts, so points do not coincide.
    const offset = ((si * 7 + ni * 13) % 50) * 60_000;
    for (let k = 0; start + k * every + offset <= now; k++) {
      const at = start + k * every + offset;
      const day = Math.floor((at - start) / DAY);
      const phase = [...net.phases].reverse().find((p) => p.fromDay <= day);
      if (!phase || phase.scenario === 'gap') continue;
      const m = simulate(site.url, phase.scenario, at, net, k, opts.probeIp);
      const tk = m.test_keys as { x_verdict: string; x_blocked_how: string[] };
      const want = SCENARIOS[phase.scenario];
      if (tk.x_verdict !== want.verdict || tk.x_blocked_how.join('+') !== want.how.join('+')) {
        throw new Error(`The simulated ${phase.scenario} observations of ${site.url} classify as ${tk.x_verdict} (${tk.x_blocked_how.join('+')}), not ${want.verdict} (${want.how.join('+')}): the generator no longer matches the classifier.`);
      }
      rows.push({ m, seeded: { input: site.url, host: new URL(site.url).hostname, cc: net.cc, asn: net.asn, at, scenario: phase.scenario, verdict: tk.x_verdict, how: tk.x_blocked_how, category: site.category } });
    }
  }));
  await store.db.transaction().execute(async (trx) => {
    for (const { m, seeded } of rows) {
      const saved = await saveMeasurement(trx, m, 'probe');
      if (saved.id === null || saved.duplicate || saved.conflict) throw new Error(`The simulated measurement ${String(m.measurement_uid)} was already stored.`);
      if (seeded.category) {
        await trx.insertInto('site_availability').values({
          site: seeded.input, list_name: opts.listName ?? 'simulated', category_code: seeded.category, checked_at: seeded.at,
          state: seeded.verdict, how: JSON.stringify(seeded.how), measurement_id: saved.id,
        }).execute();
      }
      out.push({ id: saved.id, ...seeded });
    }
  });
  return out;
}

/** A stable documentation address (203.0.113.0/24) for a host. */
function addressOf(host: string): string {
  let h = 0;
  for (const c of host) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return `203.0.113.${10 + (h % 200)}`;
}

function page(host: string): string {
  return `<!doctype html><html><head><title>${host} front page</title></head><body><h1>${host}</h1>${'<p>Simulated page text.</p>'.repeat(40)}</body></html>`;
}
const BLOCK_PAGE = '<html><head><title>Access denied</title></head><body>This website is blocked by order of the authorities.</body></html>';
const SITE_HEADERS = { 'Content-Type': 'text/html; charset=utf-8', Server: 'nginx', 'X-Simulated-Site': '1' };

function answer(host: string, rcode: 'NOERROR' | 'NXDOMAIN', addrs: string[], t: number, id: number): UdpAnswer {
  const raw = dnsPacket.encode({
    type: 'response', id, flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (rcode === 'NXDOMAIN' ? 3 : 0),
    questions: [{ type: 'A', name: host }],
    answers: addrs.map((ip) => ({ type: 'A' as const, name: host, ttl: 300, data: ip })),
  });
  return { t, rcode, addrs, ttls: addrs.map(() => 300), raw: Buffer.from(raw).toString('base64') };
}

function request(url: string, response: HttpRequestEntry['response'], failure: string | null, t: number): HttpResult {
  const entry: HttpRequestEntry = {
    failure, t,
    request: { url, method: 'GET', headers: { ...REQUEST_HEADERS }, body: '', tor: { is_tor: false, exit_ip: null, exit_name: null } },
    response,
  };
  return { requests: [entry], final: entry, failure };
}

function ok(body: string, headers: Record<string, string>): NonNullable<HttpRequestEntry['response']> {
  return { code: 200, headers, body, body_is_truncated: false, body_length: Buffer.byteLength(body) };
}

function tlsEntry(ip: string, port: number, host: string, failure: string | null): TlsHandshakeEntry {
  return {
    address: `${ip}:${port}`, server_name: host, failure, negotiated_protocol: failure ? null : 'http/1.1', tls_version: failure ? null : 'TLSv1.3',
    cipher_suite: failure ? null : 'TLS_AES_128_GCM_SHA256', peer_certificates: [], no_tls_verify: false, t: 0.08,
  };
}

/** One simulated measurement of `url` in `scenario`, classified by the real classifier. */
function simulate(url: string, scenario: Scenario, at: number, net: NetworkPlan, round: number, probeIp?: string): OoniEnvelope {
  const u = new URL(url);
  const host = u.hostname;
  const https = u.protocol === 'https:';
  const port = Number(u.port || (https ? 443 : 80));
  const addr = addressOf(host);
  const forged = `198.51.100.${10 + (addressOf(host).length % 50)}`;
  const body = page(host);
  const tcpOk = (ip: string): TcpConnectEntry => ({ ip, port, status: { success: true, failure: null }, t: 0.03 });
  const tcpFail = (ip: string, failure: string): TcpConnectEntry => ({ ip, port, status: { success: false, failure }, t: 10 });
  const control: ControlResponse = {
    tcp_connect: { [`${addr}:${port}`]: { status: true, failure: null } },
    tls_handshake: https ? { [`${addr}:${port}`]: { server_name: host, status: true, failure: null } } : {},
    http_request: { body_length: Buffer.byteLength(body), discovered_h3_endpoint: '', failure: null, title: `${host} front page`, headers: SITE_HEADERS, status_code: 200 },
    dns: { failure: null, addrs: [addr] },
    ip_info: { [addr]: { asn: 64511, flags: 11 } },
  };
  let system: SystemLookup = { addrs: [addr], failure: null, t: 0.01 };
  let udp: UdpLookup = { resolver: RESOLVER, hostname: host, qtype: 'A', answers: [answer(host, 'NOERROR', [addr], 0.02, round)], failure: null, t0: 0 };
  let tcp: TcpConnectEntry[] = [tcpOk(addr)];
  let tls: TlsHandshakeEntry[] = https ? [tlsEntry(addr, port, host, null)] : [];
  let http: HttpResult | null = request(url, ok(body, SITE_HEADERS), null, 0.2);
  let ctrl: ControlResponse | null = control;
  let controlFailure: string | null = null;
  switch (scenario) {
    case 'reachable':
      break;
    case 'dns-nxdomain':
      system = { addrs: [], failure: 'dns_nxdomain_error', t: 0.01 };
      udp = { ...udp, answers: [answer(host, 'NXDOMAIN', [], 0.02, round)] };
      tcp = [];
      tls = [];
      http = null;
      break;
    case 'dns-injection':
      // The forged answer races ahead of the resolver's real one; the forged address is blackholed.
      system = { addrs: [forged], failure: null, t: 0.01 };
      udp = { ...udp, answers: [answer(host, 'NOERROR', [forged], 0.01, round), answer(host, 'NOERROR', [addr], 0.21, round)] };
      tcp = [tcpFail(forged, 'generic_timeout_error'), tcpOk(addr)];
      tls = https ? [tlsEntry(addr, port, host, null)] : [];
      http = request(url, null, 'generic_timeout_error', 10);
      control.tcp_connect[`${forged}:${port}`] = { status: false, failure: 'generic_timeout_error' };
      break;
    case 'ip-drop':
      tcp = [tcpFail(addr, 'generic_timeout_error')];
      tls = [];
      http = request(url, null, 'generic_timeout_error', 10);
      break;
    case 'sni-reset':
      tls = [tlsEntry(addr, port, host, 'connection_reset')];
      http = request(url, null, 'connection_reset', 0.1);
      break;
    case 'keyword-reset':
      http = request(url, null, 'connection_reset', 0.1);
      break;
    case 'block-page':
      http = request(url, ok(BLOCK_PAGE, { 'Content-Type': 'text/html', Server: 'filter' }), null, 0.05);
      break;
    case 'down':
      system = { addrs: [], failure: 'dns_nxdomain_error', t: 0.01 };
      udp = { ...udp, answers: [answer(host, 'NXDOMAIN', [], 0.02, round)] };
      tcp = [];
      tls = [];
      http = null;
      ctrl = { ...control, tcp_connect: {}, tls_handshake: {}, dns: { failure: 'dns_name_error', addrs: [] }, http_request: { ...control.http_request, failure: 'dns_lookup_error', body_length: -1, title: '', headers: {}, status_code: -1 } };
      break;
    case 'unknown':
      // The test helper did not answer: without a control nothing can be concluded.
      http = request(url, null, 'connection_reset', 0.1);
      tls = https ? [tlsEntry(addr, port, host, null)] : [];
      ctrl = null;
      controlFailure = 'generic_timeout_error';
      break;
  }
  const analysis = classify({ url, system, udp, tcp, tls, http, control: ctrl, controlFailure, allowTestNets: true });
  const raw: RawMeasurement = {
    input: url, startedAt: new Date(at), runtimeS: 1.5, resolver: RESOLVER, system, udp, tcp, tls, http,
    control: { control: ctrl, failure: controlFailure }, analysis, residual: null, thUrl: TH,
  };
  const day = new Date(at).toISOString().slice(0, 10).replace(/-/g, '');
  const reportId = `${SIMULATED_PREFIX}${day}_${net.cc}_${net.asn}_r${round}`;
  const m = toOoni(raw, { probeCc: net.cc, probeAsn: net.asn, reportId }) as OoniEnvelope & Record<string, unknown>;
  m.measurement_uid = `${SIMULATED_PREFIX}${reportId.slice(SIMULATED_PREFIX.length)}_${host}`;
  m.annotations = { ...(m.annotations as object), simulated: 'true', simulation: 'censorscope generated observations; no probe ran' };
  m.probe_network_name = `Simulated network ${net.asn}`;
  m.resolver_asn = net.asn;
  if (probeIp) {
    m.probe_ip = probeIp;
    (m.test_keys as Record<string, unknown>).x_seen_from = `probe at ${probeIp}:51234`;
  }
  return OoniEnvelopeSchema.parse(m);
}

/** The demo's blocking data: the default script up to now, once per store (a kept store already has it). Returns how many it wrote. */
export async function seedDemoMeasurements(store: Store): Promise<number> {
  const already = await store.db.selectFrom('probe_measurements').select('id').where('uid', 'like', `${SIMULATED_PREFIX}%`).limit(1).executeTakeFirst();
  if (already) return 0;
  return (await seedMeasurements(store, { listName: 'simulated-demo' })).length;
}
