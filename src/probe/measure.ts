/**
 * One web-connectivity measurement (ts-017): DNS (system resolver and raw UDP keeping every
 * answer), TCP connect to every address, TLS with the URL's SNI, HTTP GET with redirects, the
 * control from a test helper, then classification. Steps run in OONI's order so a reset
 * triggered by one step is seen by the next, as it would be on a censored network.
 */
import { isIP } from 'node:net';
import { systemLookup, type SystemLookup } from './dns/system.ts';
import { systemNameserver, udpLookup, type UdpLookup } from './dns/udp.ts';
import { tcpConnect, type TcpConnectEntry } from './tcp.ts';
import { tlsHandshake, type TlsHandshakeEntry } from './tls.ts';
import { httpGet, type HttpResult } from './http.ts';
import { queryControl, type ControlResult } from './control/client.ts';
import { classify, type Analysis } from './classify/index.ts';
import { checkResidual, type ResidualCheck } from './residual.ts';

export interface ProbeOptions {
  /** Test helper URL; without one the verdict is mostly `unknown`. */
  thUrl?: string;
  dnsTimeoutMs?: number;
  /** TCP, TLS and HTTP timeout (OONI: 10 s). */
  timeoutMs?: number;
  /** How long to keep listening for late DNS answers. */
  dnsWaitMs?: number;
  controlTimeoutMs?: number;
  resolver?: string;
  /** Resolver port (53; tests use a local resolver on another port). */
  resolverPort?: number;
  /** Treat RFC 5737 documentation ranges as ordinary addresses (our namespace lab uses them). */
  allowTestNets?: boolean;
  residual?: boolean;
  residualDelaysS?: number[];
  /** Addresses known to come only from the censor's DNS injector. */
  knownForged?: ReadonlySet<string>;
}

export const DEFAULTS = { dnsTimeoutMs: 4000, timeoutMs: 10_000, dnsWaitMs: 2000, controlTimeoutMs: 30_000, residualDelaysS: [0, 30, 95] };

export interface RawMeasurement {
  input: string;
  startedAt: Date;
  runtimeS: number;
  resolver: string;
  system: SystemLookup;
  udp: UdpLookup | null;
  tcp: TcpConnectEntry[];
  tls: TlsHandshakeEntry[];
  http: HttpResult | null;
  control: ControlResult;
  analysis: Analysis;
  residual: ResidualCheck | null;
  thUrl: string | null;
}

/** Measures one URL; never throws for network failures (they are the data). */
export async function measureUrl(input: string, opts: ProbeOptions = {}): Promise<RawMeasurement> {
  const o = { ...DEFAULTS, ...opts };
  const startedAt = new Date();
  const t0 = performance.now();
  const url = new URL(input);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const resolver = o.resolver ?? systemNameserver();

  const [system, udp] = await Promise.all([
    systemLookup(host, o.dnsTimeoutMs),
    // An address literal needs no DNS, and must not leak a query for it to the resolver.
    isIP(host) ? Promise.resolve(null) : udpLookup(host, { resolver, timeoutMs: o.dnsTimeoutMs, waitMs: o.dnsWaitMs, port: o.resolverPort }),
  ]);
  const addrs = [...new Set([...system.addrs, ...(udp?.answers ?? []).flatMap((a) => a.addrs)])];
  const endpoints = addrs.map((a) => `${a}:${port}`);
  const controlP: Promise<ControlResult> = o.thUrl
    ? queryControl(o.thUrl, input, endpoints, o.controlTimeoutMs)
    : Promise.resolve({ control: null, failure: 'no_test_helper' });

  const tcp = await Promise.all(addrs.map((a) => tcpConnect(a, port, o.timeoutMs)));
  const tls: TlsHandshakeEntry[] = [];
  // The residual check starts the moment we see a reset, alongside the rest: the penalty is short-lived.
  const pending: { residual: Promise<ResidualCheck> | null } = { residual: null };
  const onReset = (): void => {
    if (o.residual && !pending.residual && system.addrs[0]) pending.residual = checkResidual(system.addrs[0], port, performance.now(), o.residualDelaysS, o.timeoutMs);
  };
  if (url.protocol === 'https:') {
    for (const t of tcp.filter((x) => x.status.success)) {
      const h = await tlsHandshake(t.ip, port, host, o.timeoutMs);
      if (h.failure === 'connection_reset' && t.ip === system.addrs[0]) onReset();
      tls.push(h);
    }
  }
  const http = system.failure ? null : await httpGet(input, { timeoutMs: o.timeoutMs, resolved: new Map([[host, system.addrs]]) });
  if (http?.failure === 'connection_reset' && http.requests.length === 1) onReset();
  const control = await controlP;
  const analysis = classify({ url: input, system, udp, tcp, tls, http, control: control.control, controlFailure: control.failure, allowTestNets: o.allowTestNets, knownForged: o.knownForged });

  const residual: ResidualCheck | null = pending.residual ? await pending.residual : null;
  if (residual?.detected && analysis.blocking) analysis.x_blocked_how.push('residual');
  return {
    input, startedAt, runtimeS: (performance.now() - t0) / 1000, resolver, system, udp, tcp, tls, http, control, analysis, residual,
    thUrl: o.thUrl ?? null,
  };
}
