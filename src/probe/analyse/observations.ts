/**
 * Turns the raw observations of an OONI Web Connectivity measurement (any published version)
 * back into the Observations our classifier reads, so OONI's data can be judged by our rules.
 * Only raw data is used (queries, connects, handshakes, requests, control): never OONI's own
 * derived keys, which are what we compare against.
 */
import { isIP } from 'node:net';
import type { Observations } from '../classify/index.ts';
import type { ControlResponse } from '../control/shapes.ts';
import type { UdpAnswer } from '../dns/udp.ts';
import type { HttpRequestEntry } from '../http.ts';
import type { WebConnectivityMeasurement } from './schemas.ts';

type Tk = WebConnectivityMeasurement['test_keys'];
type Query = NonNullable<Tk['queries']>[number];
type Body = NonNullable<NonNullable<NonNullable<Tk['requests']>[number]['response']>['body']>;

/** The hostname OONI queried for a URL (IDNA names are queried in punycode, lower case). */
export function urlHostname(input: string): string | null {
  try {
    return new URL(input).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return null;
  }
}

function addrsOf(q: Query): string[] {
  return (q.answers ?? []).flatMap((a) => {
    if (a.answer_type === 'A' && a.ipv4) return [a.ipv4];
    if (a.answer_type === 'AAAA' && a.ipv6) return [a.ipv6];
    return [];
  });
}

/** Body text and its length in bytes, as OONI measures it (len of the raw body). */
function bodyOf(b: Body | undefined): { text: string; bytes: number } {
  if (b == null) return { text: '', bytes: 0 };
  if (typeof b === 'string') return { text: b, bytes: Buffer.byteLength(b, 'utf8') };
  const raw = Buffer.from(b.data, 'base64');
  return { text: raw.toString('latin1'), bytes: raw.length };
}

function headersOf(r: NonNullable<NonNullable<Tk['requests']>[number]['response']>): Record<string, string> {
  const out: Record<string, string> = {};
  if (r.headers) {
    for (const [k, v] of Object.entries(r.headers)) if (v != null) out[k] = Array.isArray(v) ? v.join(', ') : String(v);
  } else if (r.headers_list) {
    for (const [k, v] of r.headers_list) out[k] = typeof v === 'string' ? v : Buffer.from(v.data, 'base64').toString('latin1');
  }
  return out;
}

const RCODE: Record<string, string> = { dns_nxdomain_error: 'NXDOMAIN', dns_refused_error: 'REFUSED', dns_servfail_error: 'SERVFAIL' };

/** The control as our classifier reads it; null when the measurement had none. */
export function controlOf(tk: Tk): ControlResponse | null {
  const c = tk.control;
  if (!c || !c.http_request || !c.dns) return null;
  const h = c.http_request;
  return {
    tcp_connect: Object.fromEntries(Object.entries(c.tcp_connect ?? {}).map(([k, v]) => [k, { status: Boolean(v.status), failure: v.failure }])),
    tls_handshake: c.tls_handshake ? Object.fromEntries(Object.entries(c.tls_handshake).map(([k, v]) => [k, { server_name: v.server_name ?? '', status: Boolean(v.status), failure: v.failure }])) : {},
    http_request: {
      body_length: h.body_length ?? -1,
      discovered_h3_endpoint: '',
      failure: h.failure,
      title: h.title ?? '',
      headers: Object.fromEntries(Object.entries(h.headers ?? {}).filter(([, v]) => v != null).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)])),
      status_code: h.status_code ?? -1,
    },
    dns: { failure: c.dns.failure, addrs: c.dns.addrs ?? [] },
    ip_info: {},
  };
}

// Engines that are the system resolver (what a browser on that network would use). Measurements
// from before LTE name no engine: their only resolver was the system's.
const SYSTEM_ENGINES = new Set(['getaddrinfo', 'system', 'golang_net_resolver', 'go']);
const isSystem = (q: Query): boolean => !q.engine || SYSTEM_ENGINES.has(q.engine);

function tagsOf(x: object): unknown[] {
  const t = (x as { tags?: unknown }).tags;
  return Array.isArray(t) ? t : [];
}

/** LTE tags each operation with the redirect depth it belongs to ("depth=1"); older versions have one depth. */
function depthOf(x: object): number {
  const tags = tagsOf(x);
  for (const t of tags) {
    const m = typeof t === 'string' ? /^depth=(\d+)$/.exec(t) : null;
    if (m) return Number(m[1]);
  }
  return 0;
}

/** LTE connects to every address it learns but fetches the body only over some ("fetch_body=true"). */
function fetchesBody(x: object): boolean {
  const tags = tagsOf(x);
  return !tags.includes('fetch_body=false');
}

const ipOf = (address: string): string => address.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');

/**
 * Rebuilds our classifier's input from an OONI measurement's raw observations.
 *
 * Like OONI's "classic" analysis (minipipeline.ClassicFilter), only what the system resolver
 * returned counts: LTE (0.5) also resolves over UDP and DoH and fetches through any address that
 * works, which would hide DNS blocking that a browser on the same network meets. A redirect chain
 * that LTE abandoned before the HTTP stage has no request entry; its failing step (TLS, then TCP,
 * then DNS, deepest redirect first) becomes the failure of a final hop, as our probe records it.
 */
export function observationsOf(m: WebConnectivityMeasurement): Observations {
  const tk = m.test_keys;
  const host = urlHostname(m.input);
  const all = tk.queries ?? [];
  const system = all.filter(isSystem);
  const forHost = (q: Query): boolean => !q.hostname || q.hostname.toLowerCase() === host;
  const mine = system.filter(forHost);
  // An address literal needs no lookup: it is its own answer, as our probe records it.
  const literal = host && isIP(host) ? [host] : [];
  const addrs = [...new Set([...literal, ...mine.flatMap(addrsOf)])];
  const failing = mine.filter((q) => q.failure && !(q.query_type === 'AAAA' && q.failure === 'dns_no_answer'));
  const dnsFailure = addrs.length ? null : (failing[0]?.failure ?? (mine.length ? 'dns_no_answer' : null));
  // Addresses the system resolver gave for any name in the chain (redirects resolve other names).
  const known = new Set([...literal, ...system.flatMap(addrsOf)]);
  const hasEngines = all.some((q) => q.engine);
  const usable = (ip: string): boolean => !hasEngines || known.has(ip);

  const udpQueries = [...all.filter((q) => q.engine === 'udp'), ...(tk.x_dns_duplicate_responses ?? [])]
    .filter((q) => (q.query_type ?? 'A') === 'A' && forHost(q));
  const answers: UdpAnswer[] = udpQueries.map((q) => ({
    t: q.t ?? 0,
    rcode: q.failure ? (RCODE[q.failure] ?? (q.failure === 'dns_no_answer' ? 'NOERROR' : 'SERVFAIL')) : 'NOERROR',
    addrs: addrsOf(q),
    ttls: [],
    raw: '',
  }));
  const udp = answers.length ? { resolver: '', hostname: host ?? '', qtype: 'A' as const, answers, failure: null, t0: 0 } : null;

  const tcpRaw = (tk.tcp_connect ?? []).filter((t) => usable(t.ip) && fetchesBody(t));
  const tlsRaw = (tk.tls_handshakes ?? []).filter((h) => usable(ipOf(h.address ?? '')) && fetchesBody(h));
  const reqRaw = (tk.requests ?? []).filter((r) => {
    const address = typeof r.address === 'string' ? r.address : '';
    return !address || usable(ipOf(address));
  });

  const requests: HttpRequestEntry[] = reqRaw.map((r) => {
    const resp = r.response && r.response.code != null && r.response.code > 0 ? r.response : null;
    const body = bodyOf(resp?.body ?? undefined);
    return {
      failure: r.failure,
      request: { url: r.request?.url ?? m.input, method: 'GET', headers: {}, body: '', tor: { is_tor: false, exit_ip: null, exit_name: null } },
      response: resp ? { code: resp.code!, headers: headersOf(resp), body: body.text, body_is_truncated: Boolean(resp.body_is_truncated), body_length: body.bytes } : null,
      t: 0,
    };
  });

  // A chain that broke before its next HTTP request: the deepest failing step becomes the final hop.
  const reqDepth = reqRaw.length ? Math.max(...reqRaw.map(depthOf)) : -1;
  const later = <T extends object>(xs: T[]): T[] => xs.filter((x) => depthOf(x) > reqDepth);
  const brokenAt = [
    ...later(tlsRaw).filter((h) => h.failure).map((h) => ({ d: depthOf(h), rank: 0, failure: h.failure! })),
    ...later(tcpRaw).filter((t) => t.status.failure).map((t) => ({ d: depthOf(t), rank: 1, failure: t.status.failure! })),
    ...later(system).filter((q) => q.failure && !(q.query_type === 'AAAA' && q.failure === 'dns_no_answer') && !addrsOf(q).length)
      .map((q) => ({ d: depthOf(q), rank: 2, failure: q.failure! })),
  ].sort((a, b) => b.d - a.d || a.rank - b.rank)[0];
  const lastOk = requests[0] && !requests[0].failure && requests[0].response;
  const redirecting = lastOk && requests[0].response!.code >= 300 && requests[0].response!.code < 400;
  if (brokenAt && (!requests.length || redirecting) && !(reqDepth < 0 && brokenAt.rank === 2)) {
    requests.unshift({
      failure: brokenAt.failure,
      request: { url: m.input, method: 'GET', headers: {}, body: '', tor: { is_tor: false, exit_ip: null, exit_name: null } },
      response: null,
      t: 0,
    });
  }
  const final = requests[0];
  return {
    url: m.input,
    system: { addrs, failure: dnsFailure, t: 0 },
    udp,
    tcp: tcpRaw.map((t) => ({ ip: t.ip, port: t.port, status: { success: Boolean(t.status.success) && !t.status.failure, failure: t.status.failure }, t: 0 })),
    tls: tlsRaw.map((h) => ({
      address: h.address ?? '', server_name: h.server_name ?? '', failure: h.failure, negotiated_protocol: null, tls_version: null,
      cipher_suite: null, peer_certificates: [], no_tls_verify: Boolean(h.no_tls_verify), t: 0,
    })),
    http: final ? { requests, final, failure: final.failure } : null,
    control: controlOf(tk),
    controlFailure: tk.control_failure,
  };
}
