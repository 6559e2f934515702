/**
 * OONI's web-connectivity QA scenarios (ooni/probe-cli internal/webconnectivityqa), ported to our
 * namespace lab: each keeps OONI's name, input shape and expected `blocking` / `accessible`, and
 * adds what we expect beyond ts-017 (our verdict and mechanisms). Plus lab-only scenarios for the
 * Great Firewall behaviours OONI's QA does not model (raced injection, RST-based IP blocking,
 * residual penalty, site down everywhere). One lab holds every scenario at once, each on its own
 * hostname and address, so they run in parallel.
 */
import type { LabConfig } from './lab.ts';

export interface Expected {
  blocking: string | false | null;
  accessible: boolean | null;
  verdict: 'reachable' | 'blocked' | 'down' | 'unknown';
  dns_consistency?: 'consistent' | 'inconsistent' | null;
  http_experiment_failure?: string | null;
  /** Mechanisms that must appear in x_blocked_how. */
  how?: string[];
  injection?: boolean;
  residual?: boolean;
  /** Bits that must be set in x_blocking_flags. */
  flags?: number;
}

export interface Scenario {
  name: string;
  /** From OONI's QA suite (true) or lab-only (false). */
  ooni: boolean;
  input: string;
  expect: Expected;
  /** Needs a probe run whose test helper is unreachable. */
  controlDown?: boolean;
}

export interface ScenarioSet {
  scenarios: Scenario[];
  config: LabConfig;
}

/** Builds every scenario and the lab configuration that realises them. */
export function buildScenarios(penaltySeconds: number): ScenarioSet {
  const cfg: Required<Pick<LabConfig, 'zone' | 'inject' | 'dropIps' | 'rstIps' | 'downIps' | 'hostKeywords' | 'sniBlock' | 'sniResidual' | 'blockpageIps' | 'untrustedHosts' | 'untrustedIps' | 'wrongNameHosts' | 'redirects' | 'large'>> & LabConfig = {
    zone: {}, inject: {}, dropIps: [], rstIps: [], downIps: [], hostKeywords: [], sniBlock: [], sniResidual: [], blockpageIps: [],
    untrustedHosts: [], untrustedIps: [], wrongNameHosts: [], redirects: {}, large: [], penaltySeconds,
  };
  const scenarios: Scenario[] = [];
  let n = 10;
  let forged = 129;
  const site = (name: string): { host: string; ip: string } => {
    const host = `${name.toLowerCase()}.example`;
    const ip = `203.0.113.${n++}`;
    cfg.zone[host] = [ip];
    return { host, ip };
  };
  const forgedIp = (): string => `192.0.2.${forged++}`;
  const add = (s: Scenario): void => void scenarios.push(s);
  const BLOCKED = (blocking: string, extra: Partial<Expected> = {}): Expected => ({ blocking, accessible: false, verdict: 'blocked', ...extra });
  const OK: Expected = { blocking: false, accessible: true, verdict: 'reachable' };
  const DOWN = (extra: Partial<Expected> = {}): Expected => ({ blocking: false, accessible: false, verdict: 'down', ...extra });

  for (const scheme of ['http', 'https'] as const) {
    const name = `successWith${scheme.toUpperCase()}`;
    add({ name, ooni: true, input: `${scheme}://${site(name).host}/`, expect: { ...OK, dns_consistency: 'consistent', flags: 32 } });
  }
  {
    const s = site('dnsBlockingNXDOMAIN');
    cfg.inject[s.host] = 'nxdomain';
    add({ name: 'dnsBlockingNXDOMAIN', ooni: true, input: `https://${s.host}/`, expect: BLOCKED('dns', { dns_consistency: 'inconsistent', http_experiment_failure: 'dns_nxdomain_error', injection: true }) });
  }
  {
    const s = site('dnsBlockingBOGON');
    cfg.inject[s.host] = ['10.10.34.35'];
    add({ name: 'dnsBlockingBOGON', ooni: true, input: `https://${s.host}/`, expect: BLOCKED('dns', { dns_consistency: 'inconsistent', how: ['dns-injection'] }) });
  }
  for (const scheme of ['http', 'https'] as const) {
    const name = `dnsHijackingToLocalhostWith${scheme.toUpperCase()}`;
    const s = site(name);
    cfg.inject[s.host] = ['127.0.0.1'];
    add({ name, ooni: true, input: `${scheme}://${s.host}/`, expect: BLOCKED('dns', { dns_consistency: 'inconsistent' }) });
  }
  {
    // A forged answer pointing at a transparent passthrough box: inconsistent DNS, yet the page is intact.
    const passthrough = '203.0.113.250';
    cfg.zone['passthrough.example'] = [passthrough];
    for (const scheme of ['http', 'https'] as const) {
      const name = `dnsHijackingToProxyWith${scheme.toUpperCase()}URL`;
      const s = site(name);
      cfg.inject[s.host] = [passthrough];
      add({ name, ooni: true, input: `${scheme}://${s.host}/`, expect: { ...OK, dns_consistency: 'inconsistent', injection: true } });
    }
  }
  for (const scheme of ['http', 'https'] as const) {
    const name = `ghostDNSBlockingWith${scheme.toUpperCase()}`;
    const host = `${name.toLowerCase()}.example`; // not in the real zone: the domain is gone, the censor still answers
    cfg.inject[host] = [forgedIp()];
    add({ name, ooni: true, input: `${scheme}://${host}/`, expect: BLOCKED('dns', { dns_consistency: 'inconsistent' }) });
  }
  {
    const s = site('httpBlockingConnectionReset');
    cfg.hostKeywords.push(s.host);
    add({ name: 'httpBlockingConnectionReset', ooni: true, input: `http://${s.host}/`, expect: BLOCKED('http-failure', { dns_consistency: 'consistent', http_experiment_failure: 'connection_reset', how: ['keyword-reset'], flags: 8 }) });
  }
  {
    const s = site('httpDiffWithConsistentDNS');
    cfg.blockpageIps.push(s.ip);
    add({ name: 'httpDiffWithConsistentDNS', ooni: true, input: `http://${s.host}/`, expect: BLOCKED('http-diff', { dns_consistency: 'consistent', how: ['block-page'], flags: 16 }) });
  }
  {
    const s = site('httpDiffWithInconsistentDNS');
    const bp = '203.0.113.249';
    cfg.zone['blockpage-box.example'] = [bp];
    cfg.inject[s.host] = [bp];
    cfg.blockpageIps.push(s.ip, bp);
    add({ name: 'httpDiffWithInconsistentDNS', ooni: true, input: `http://${s.host}/`, expect: BLOCKED('dns', { dns_consistency: 'inconsistent' }) });
  }
  {
    const s = site('tcpBlockingConnectTimeout');
    cfg.dropIps.push(s.ip);
    add({ name: 'tcpBlockingConnectTimeout', ooni: true, input: `https://${s.host}/`, expect: BLOCKED('tcp_ip', { dns_consistency: 'consistent', http_experiment_failure: 'generic_timeout_error', how: ['ip-drop'], flags: 2 }) });
  }
  {
    const s = site('tcpBlockingConnectionRefusedWithInconsistentDNS');
    const f = '203.0.113.248';
    cfg.rstIps.push(f);
    cfg.inject[s.host] = [f];
    add({ name: 'tcpBlockingConnectionRefusedWithInconsistentDNS', ooni: true, input: `http://${s.host}/`, expect: BLOCKED('dns', { dns_consistency: 'inconsistent', http_experiment_failure: 'connection_refused' }) });
  }
  {
    const s = site('tlsBlockingConnectionResetWithConsistentDNS');
    cfg.sniBlock.push(s.host);
    add({ name: 'tlsBlockingConnectionResetWithConsistentDNS', ooni: true, input: `https://${s.host}/`, expect: BLOCKED('http-failure', { dns_consistency: 'consistent', http_experiment_failure: 'connection_reset', how: ['sni-reset'], flags: 4, residual: false }) });
  }
  {
    const s = site('tlsBlockingConnectionResetWithInconsistentDNS');
    cfg.sniBlock.push(s.host);
    cfg.inject[s.host] = ['203.0.113.250'];
    add({ name: 'tlsBlockingConnectionResetWithInconsistentDNS', ooni: true, input: `https://${s.host}/`, expect: BLOCKED('dns', { dns_consistency: 'inconsistent', http_experiment_failure: 'connection_reset' }) });
  }
  {
    const s = site('badSSLWithUnknownAuthorityWithConsistentDNS');
    cfg.untrustedHosts.push(s.host);
    add({ name: 'badSSLWithUnknownAuthorityWithConsistentDNS', ooni: true, input: `https://${s.host}/`, expect: DOWN({ dns_consistency: 'consistent', http_experiment_failure: 'ssl_unknown_authority' }) });
  }
  {
    const s = site('badSSLWithWrongServerName');
    cfg.wrongNameHosts.push(s.host);
    add({ name: 'badSSLWithWrongServerName', ooni: true, input: `https://${s.host}/`, expect: DOWN({ dns_consistency: 'consistent', http_experiment_failure: 'ssl_invalid_hostname' }) });
  }
  {
    const s = site('badSSLWithUnknownAuthorityWithInconsistentDNS');
    const badbox = '203.0.113.247';
    cfg.untrustedIps.push(badbox);
    cfg.inject[s.host] = [badbox];
    add({ name: 'badSSLWithUnknownAuthorityWithInconsistentDNS', ooni: true, input: `https://${s.host}/`, expect: BLOCKED('dns', { dns_consistency: 'inconsistent', http_experiment_failure: 'ssl_unknown_authority' }) });
  }
  for (const scheme of ['http', 'https'] as const) {
    const name = `controlFailureWithSuccessful${scheme.toUpperCase()}Website`;
    const s = site(name);
    add({
      name, ooni: true, input: `${scheme}://${s.host}/`, controlDown: true,
      expect: scheme === 'http' ? { blocking: null, accessible: null, verdict: 'unknown' } : { ...OK },
    });
  }
  {
    add({ name: 'websiteDownNXDOMAIN', ooni: true, input: 'http://websitedownnxdomain.example/', expect: DOWN({ dns_consistency: 'consistent', http_experiment_failure: 'dns_nxdomain_error' }) });
  }
  {
    const s = site('websiteDownTCPConnect');
    add({ name: 'websiteDownTCPConnect', ooni: true, input: `http://${s.host}:444/`, expect: DOWN({ dns_consistency: 'consistent', http_experiment_failure: 'connection_refused' }) });
  }
  {
    const host = 'websitedownnoaddrs.example';
    cfg.zone[host] = [];
    add({ name: 'websiteDownNoAddrs', ooni: true, input: `http://${host}/`, expect: DOWN({ dns_consistency: 'consistent' }) });
  }
  for (const scheme of ['HTTP', 'HTTPS'] as const) {
    const target = site(`redirectTarget${scheme}`);
    const refused = site(`redirectTargetRefused${scheme}`);
    cfg.hostKeywords.push(target.host);
    cfg.sniBlock.push(target.host);
    cfg.rstIps.push(refused.ip);
    const a = site(`redirectWithConsistentDNSAndThenConnectionResetFor${scheme}`);
    cfg.redirects[a.host] = `${scheme.toLowerCase()}://${target.host}/`;
    add({ name: `redirectWithConsistentDNSAndThenConnectionResetFor${scheme}`, ooni: true, input: `http://${a.host}/`, expect: BLOCKED('http-failure', { dns_consistency: 'consistent', http_experiment_failure: 'connection_reset' }) });
    const b = site(`redirectWithConsistentDNSAndThenConnectionRefusedFor${scheme}`);
    cfg.redirects[b.host] = `${scheme.toLowerCase()}://${refused.host}/`;
    add({ name: `redirectWithConsistentDNSAndThenConnectionRefusedFor${scheme}`, ooni: true, input: `http://${b.host}/`, expect: BLOCKED('http-failure', { dns_consistency: 'consistent', http_experiment_failure: 'connection_refused' }) });
  }
  {
    const target = site('redirectTargetNx');
    cfg.inject[target.host] = 'nxdomain';
    const a = site('redirectWithConsistentDNSAndThenNXDOMAIN');
    cfg.redirects[a.host] = `https://${target.host}/`;
    add({ name: 'redirectWithConsistentDNSAndThenNXDOMAIN', ooni: true, input: `https://${a.host}/`, expect: BLOCKED('dns', { dns_consistency: 'consistent', http_experiment_failure: 'dns_nxdomain_error' }) });
  }
  for (const scheme of ['http', 'https'] as const) {
    const name = `largeFileWith${scheme.toUpperCase()}`;
    const s = site(name);
    cfg.large.push(s.host);
    add({ name, ooni: true, input: `${scheme}://${s.host}/`, expect: { ...OK } });
  }
  {
    // IDNA: the resolver knows the punycode name; the probe must convert.
    const puny = 'xn--d1acpjx3f.example';
    cfg.zone[puny] = [`203.0.113.${n++}`];
    add({ name: 'idnaWithoutCensorshipLowercase', ooni: true, input: 'http://яндекс.example/', expect: { ...OK } });
  }

  // --- Lab-only scenarios: the Great Firewall's behaviours ---
  {
    const s = site('gfwDnsInjectionRacesRealAnswer');
    cfg.inject[s.host] = [forgedIp()];
    add({ name: 'gfwDnsInjectionRacesRealAnswer', ooni: false, input: `http://${s.host}/`, expect: BLOCKED('dns', { dns_consistency: 'inconsistent', how: ['dns-injection'], injection: true }) });
  }
  {
    const s = site('gfwIpBlockingByReset');
    cfg.rstIps.push(s.ip);
    add({ name: 'gfwIpBlockingByReset', ooni: false, input: `http://${s.host}/`, expect: BLOCKED('tcp_ip', { dns_consistency: 'consistent', http_experiment_failure: 'connection_refused', how: ['ip-reset'] }) });
  }
  {
    const s = site('gfwSniResetWithResidualPenalty');
    cfg.sniResidual.push(s.host);
    add({ name: 'gfwSniResetWithResidualPenalty', ooni: false, input: `https://${s.host}/`, expect: BLOCKED('http-failure', { dns_consistency: 'consistent', how: ['sni-reset', 'residual'], residual: true }) });
  }
  {
    const s = site('siteDownEverywhere');
    cfg.downIps.push(s.ip);
    add({ name: 'siteDownEverywhere', ooni: false, input: `https://${s.host}/`, expect: DOWN({ dns_consistency: 'consistent', http_experiment_failure: 'connection_refused' }) });
  }
  return { scenarios, config: cfg };
}
