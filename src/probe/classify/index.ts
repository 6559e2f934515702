/**
 * Web-connectivity classification: ts-017's dns_consistency / blocking / accessible, plus every
 * mechanism seen at once as bit flags (as OONI v0.5's x_blocking_flags), forged-answer detection
 * and our verdict (reachable / blocked / down / unknown) for the availability timeline.
 */
import type { ControlResponse } from '../control/shapes.ts';
import type { SystemLookup } from '../dns/system.ts';
import { answerFailure, type UdpLookup } from '../dns/udp.ts';
import { isBogon } from '../dns/bogon.ts';
import type { TcpConnectEntry } from '../tcp.ts';
import type { TlsHandshakeEntry } from '../tls.ts';
import type { HttpResult } from '../http.ts';
import { compareHttp, looksSame, type HttpDiff } from './http-diff.ts';

/** x_blocking_flags bits, as in OONI v0.5. */
export const BLOCKING = { dns: 1, tcp_ip: 2, tls: 4, http: 8, http_diff: 16, success: 32 } as const;
/** x_dns_flags bits: OONI's three plus ours for a raced (injected) answer. */
export const DNS_FLAGS = { bogon: 1, unexpected_failure: 2, unexpected_addrs: 4, injection: 64 } as const;

export type Verdict = 'reachable' | 'blocked' | 'down' | 'unknown';

export interface Observations {
  url: string;
  system: SystemLookup;
  udp: UdpLookup | null;
  tcp: TcpConnectEntry[];
  tls: TlsHandshakeEntry[];
  http: HttpResult | null;
  control: ControlResponse | null;
  controlFailure: string | null;
  allowTestNets?: boolean;
  /** Addresses known to be served only by the censor's injector (e.g. from GFWatch). */
  knownForged?: ReadonlySet<string>;
}

export interface Analysis extends HttpDiff {
  dns_experiment_failure: string | null;
  http_experiment_failure: string | null;
  control_failure: string | null;
  dns_consistency: 'consistent' | 'inconsistent' | null;
  blocking: 'dns' | 'tcp_ip' | 'http-failure' | 'http-diff' | false | null;
  accessible: boolean | null;
  x_dns_flags: number;
  x_blocking_flags: number;
  x_forged: { injection: boolean; answers: number; forged_addrs: string[]; first_answer_forged: boolean };
  x_verdict: Verdict;
  x_blocked_how: string[];
}

/** Detects a raced answer: more than one reply to one query, with different content. */
export function detectInjection(udp: UdpLookup | null, controlAddrs: string[] | null, allowTestNets?: boolean, knownForged?: ReadonlySet<string>): Analysis['x_forged'] {
  const answers = udp?.answers ?? [];
  const distinct = new Set(answers.map((a) => `${a.rcode}|${[...a.addrs].sort().join(',')}`));
  const injection = answers.length > 1 && distinct.size > 1;
  const all = [...new Set(answers.flatMap((a) => a.addrs))];
  const forged = all.filter((ip) => knownForged?.has(ip) || isBogon(ip, { allowTestNets }) || (controlAddrs ? !controlAddrs.includes(ip) : false));
  // When the control has no addresses we still know the raced answers disagree: the first one is suspect.
  const first = answers[0];
  const firstForged = Boolean(first && ((injection && controlAddrs == null) ||
    first.addrs.some((ip) => forged.includes(ip)) || (injection && answerFailure(first) !== null)));
  return { injection, answers: answers.length, forged_addrs: forged, first_answer_forged: firstForged };
}

/** Classifies one measurement. */
export function classify(o: Observations): Analysis {
  const c = o.control;
  const dnsFailure = o.system.failure;
  const httpFailure = dnsFailure ?? o.http?.failure ?? null;
  const finalResp = o.http?.final.response ?? null;
  const diff = compareHttp(finalResp, c?.http_request ?? null);
  // A control that resolved nothing cannot say which addresses are forged.
  const forged = detectInjection(o.udp, c && !controlDnsFailure(c) ? (c.dns.addrs ?? []) : null, o.allowTestNets, o.knownForged);
  const base = { ...diff, dns_experiment_failure: dnsFailure, http_experiment_failure: httpFailure, control_failure: o.controlFailure, x_forged: forged };
  let dnsFlags = forged.injection ? DNS_FLAGS.injection : 0;

  if (!c) {
    // Without a control we cannot tell blocking from failure; a verified HTTPS page is still proof of access.
    const httpsOk = !httpFailure && finalResp !== null && verifiedHttps(o);
    return {
      ...base, dns_consistency: null, blocking: httpsOk ? false : null, accessible: httpsOk ? true : null,
      x_dns_flags: dnsFlags, x_blocking_flags: httpsOk ? BLOCKING.success : 0,
      x_verdict: httpsOk ? 'reachable' : 'unknown', x_blocked_how: [],
    };
  }

  // DNS consistency (ts-017): same failure on both sides, or at least one address in common, and no bogons the control lacks.
  const ctrlAddrs = c.dns.addrs ?? [];
  const ctrlDnsFailure = controlDnsFailure(c);
  let consistency: 'consistent' | 'inconsistent';
  if (dnsFailure || ctrlDnsFailure) {
    consistency = sameDnsFailure(dnsFailure, ctrlDnsFailure) ? 'consistent' : 'inconsistent';
    if (dnsFailure && !ctrlDnsFailure) dnsFlags |= DNS_FLAGS.unexpected_failure;
    if (!dnsFailure && ctrlDnsFailure) dnsFlags |= DNS_FLAGS.unexpected_addrs;
  } else {
    const bogon = o.system.addrs.some((a) => (isBogon(a, { allowTestNets: o.allowTestNets }) || o.knownForged?.has(a)) && !ctrlAddrs.includes(a));
    const overlap = o.system.addrs.some((a) => ctrlAddrs.includes(a));
    if (bogon) dnsFlags |= DNS_FLAGS.bogon;
    if (!overlap) dnsFlags |= DNS_FLAGS.unexpected_addrs;
    consistency = !bogon && overlap ? 'consistent' : 'inconsistent';
  }
  const dnsBlocked = consistency === 'inconsistent';

  // Which endpoints failed for the probe but not for the control.
  let flags = dnsBlocked ? BLOCKING.dns : 0;
  for (const t of o.tcp) {
    const ep = `${t.ip}:${t.port}`;
    if (t.status.failure && c.tcp_connect[ep]?.status) flags |= BLOCKING.tcp_ip;
    t.status.blocked = t.status.failure ? Boolean(c.tcp_connect[ep]?.status) : false;
  }
  for (const t of o.tls) if (t.failure && c.tls_handshake?.[t.address]?.status) flags |= BLOCKING.tls;

  const controlHttpOk = !c.http_request.failure;
  const how: string[] = [];
  let blocking: Analysis['blocking'];
  let accessible: boolean;
  if (!httpFailure && finalResp && verifiedHttps(o)) {
    // A page fetched over HTTPS with a valid certificate came from the site (or from someone holding
    // its key): OONI (v0.4 and v0.5 classic) calls it accessible without comparing pages, whatever the
    // DNS said. A CAPTCHA or an error page served that way is the site's own doing, not censorship.
    blocking = false;
    accessible = true;
    flags |= BLOCKING.success;
  } else if (!httpFailure && finalResp) {
    const same = !controlHttpOk || looksSame(diff);
    if (same && (controlHttpOk || !dnsBlocked)) {
      blocking = false;
      accessible = controlHttpOk;
      if (controlHttpOk) flags |= BLOCKING.success;
    } else {
      flags |= BLOCKING.http_diff;
      blocking = dnsBlocked ? 'dns' : 'http-diff';
      accessible = false;
    }
  } else {
    accessible = false;
    const stage = failedStage(o);
    if (dnsBlocked) blocking = 'dns';
    else if (!controlHttpOk) blocking = false;
    else if (httpFailure?.startsWith('dns_')) {
      blocking = 'dns';
      flags |= BLOCKING.dns;
    } else if (stage === 'tcp') {
      blocking = 'tcp_ip';
      flags |= BLOCKING.tcp_ip;
    } else {
      blocking = 'http-failure';
      flags |= stage === 'tls' ? BLOCKING.tls : BLOCKING.http;
    }
  }

  if (blocking) {
    if (flags & BLOCKING.dns) {
      if (forged.injection || forged.first_answer_forged) how.push('dns-injection');
      else if (dnsFailure === 'dns_nxdomain_error' || httpFailure === 'dns_nxdomain_error') how.push('dns-nxdomain');
      else if (dnsFlags & DNS_FLAGS.bogon) how.push('dns-bogon');
      else how.push('dns-hijack');
    }
    if (flags & BLOCKING.tcp_ip) {
      const f = o.tcp.find((t) => t.status.blocked)?.status.failure ?? httpFailure;
      how.push(f === 'connection_refused' ? 'ip-reset' : 'ip-drop');
    }
    if (flags & BLOCKING.tls) how.push('sni-reset');
    if (flags & BLOCKING.http) how.push(httpFailure === 'connection_reset' ? 'keyword-reset' : 'http-failure');
    if (flags & BLOCKING.http_diff) how.push('block-page');
  }
  const verdict: Verdict = accessible ? 'reachable' : blocking ? 'blocked' : 'down';
  return { ...base, dns_consistency: consistency, blocking, accessible, x_dns_flags: dnsFlags, x_blocking_flags: flags, x_verdict: verdict, x_blocked_how: how };
}

/** The final response came over HTTPS with a certificate that verified (our probe and OONI's always verify). */
function verifiedHttps(o: Observations): boolean {
  const url = o.http?.final.request.url || o.url;
  return url.startsWith('https:') && !o.http?.final.failure && o.http?.final.response != null;
}

// OONI's test helper says `dns_name_error` where a probe says `dns_nxdomain_error` (ts-017; probe-cli
// model.THDNSNameError); older helpers used other spellings for the same answers.
const TH_DNS_FAILURES: Record<string, string> = {
  dns_name_error: 'dns_nxdomain_error',
  dns_nxdomain_error: 'dns_nxdomain_error',
  dns_no_answer: 'dns_no_answer',
  dns_server_failure: 'dns_server_misbehaving',
};

/** The control's DNS failure in the probe's vocabulary; a control that resolved nothing without a failure got no answer. */
export function controlDnsFailure(c: ControlResponse): string | null {
  if (c.dns.failure) return TH_DNS_FAILURES[c.dns.failure] ?? c.dns.failure;
  return (c.dns.addrs ?? []).length ? null : 'dns_no_answer';
}

/** Whether the probe's and the control's DNS failures say the same thing about the name. */
function sameDnsFailure(probe: string | null, control: string | null): boolean {
  if (probe === control) return true;
  // Android's getaddrinfo says "no data" for every error; with the control saying NXDOMAIN it is NXDOMAIN (probe-cli v0.4).
  if (probe === 'android_dns_cache_no_data' && control === 'dns_nxdomain_error') return true;
  // A name with no addresses anywhere: NXDOMAIN on one side and an empty answer on the other is the same nonexistent site.
  const gone = new Set(['dns_nxdomain_error', 'dns_no_answer']);
  return probe !== null && control !== null && gone.has(probe) && gone.has(control);
}

/** Where the probe's own fetch broke: name resolution, TCP to the address it used, TLS, or HTTP. */
function failedStage(o: Observations): 'dns' | 'tcp' | 'tls' | 'http' {
  if (o.system.failure) return 'dns';
  const first = o.system.addrs[0];
  const mine = o.tcp.filter((t) => t.ip === first);
  if (mine.length && mine.every((t) => t.status.failure)) return 'tcp';
  if (o.url.startsWith('https:') && o.tls.some((t) => t.address.startsWith(`${first}:`) && t.failure)) return 'tls';
  return 'http';
}
