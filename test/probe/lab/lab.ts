/**
 * A censored network in Linux network namespaces, created and removed by the tests themselves:
 *
 *   client (198.51.100.2) ── router (the censor) ── server (203.0.113.0/24: resolver .53, sites, test helper .2)
 *                                  └── injector (192.0.2.2; also holds the resolver address)
 *
 * The router dups DNS queries to the injector (forged answers race the delayed real one), blackholes
 * forged addresses, drops or resets traffic to blocked IPs, resets on an HTTP Host keyword or TLS
 * SNI (iptables xt_string marks, nft rejects), keeps a residual-penalty set with a timeout, and
 * redirects blocked sites' port 80 to a block-page proxy. Every process runs inside a namespace,
 * so no packet leaves them. Addresses come from the RFC 5737 documentation ranges.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { makeCerts } from './certs.ts';
import type { ServerConfig } from './servers.ts';
import type { InjectorConfig } from './injector.ts';

export const ROOT = resolve(import.meta.dirname, '../../..');
export const NET = {
  client: '198.51.100.2', router: '198.51.100.1', serverGw: '203.0.113.1', server: '203.0.113.2', resolver: '203.0.113.53',
  injector: '192.0.2.2', injectorGw: '192.0.2.1', blackhole: '192.0.2.128/25', th: 'http://203.0.113.2:8080/',
};

export interface LabConfig {
  /** Real DNS: hostname → addresses (every address is added to the server namespace). Missing → NXDOMAIN. */
  zone: Record<string, string[]>;
  inject?: InjectorConfig['inject'];
  /** Router drops packets to these addresses (TCP connect times out). */
  dropIps?: string[];
  /** Router answers SYNs to these addresses with RST (connection refused). */
  rstIps?: string[];
  /** Server refuses connections on these addresses: the site is down for everyone. */
  downIps?: string[];
  /** Router resets HTTP requests whose Host header is one of these. */
  hostKeywords?: string[];
  /** Router resets TLS ClientHellos carrying one of these SNIs. */
  sniBlock?: string[];
  /** Like sniBlock, and then keeps resetting client→server:port for `penaltySeconds` (residual censorship). */
  sniResidual?: string[];
  penaltySeconds?: number;
  /** Port 80 traffic to these addresses goes to the block-page proxy. */
  blockpageIps?: string[];
  untrustedHosts?: string[];
  untrustedIps?: string[];
  /** Hostnames left out of the CA-signed certificate (wrong server name). */
  wrongNameHosts?: string[];
  redirects?: Record<string, string>;
  large?: string[];
  dnsDelayMs?: number;
  /** Test-helper timeout (ms); keep it below the probe's control timeout. */
  thTimeoutMs?: number;
}

export interface Lab {
  id: string;
  dir: string;
  caFile: string;
  /** Runs `censorscope ARGS` inside the client namespace. */
  probe(args: string[], opts?: { timeoutMs?: number }): Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** Runs a command inside a lab namespace (for assertions about the lab itself). */
  exec(ns: 'client' | 'router' | 'server', cmd: string[]): string;
  close(): Promise<void>;
}

/** Why the lab cannot run here, or null when it can. */
export function labUnavailable(): string | null {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'the namespace lab needs root (CI runs as root)';
  for (const tool of ['ip', 'nft', 'iptables', 'openssl']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not installed (apt-get install iproute2 nftables iptables openssl)`;
  }
  const probe = `cslprobe-${process.pid}-${randomBytes(2).toString('hex')}`;
  const r = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  if (r.status !== 0) return `cannot create a network namespace: ${r.stderr.trim()}`;
  try {
    const n = spawnSync('ip', ['netns', 'exec', probe, 'nft', 'list', 'ruleset'], { encoding: 'utf8' });
    if (n.status !== 0) return `nftables does not work in a namespace: ${n.stderr.trim()}`;
    const x = spawnSync('ip', ['netns', 'exec', probe, 'iptables', '-t', 'mangle', '-A', 'FORWARD', '-m', 'string', '--string', 'x', '--algo', 'bm', '-j', 'MARK', '--set-mark', '1'], { encoding: 'utf8' });
    if (x.status !== 0) return `iptables string match (xt_string) is unavailable: ${x.stderr.trim()}`;
  } finally {
    spawnSync('ip', ['netns', 'del', probe]);
  }
  return null;
}

function sh(cmd: string, args: string[], input?: string): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${e.stderr?.trim() || e.message}`);
  }
}

/** Deletes namespaces left behind by lab runs whose process is gone. */
function sweepStale(): void {
  const list = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  for (const line of list.split('\n')) {
    const m = /^(csl-(\d+)-[0-9a-f]+-[crsi])\b/.exec(line);
    if (!m) continue;
    let alive = true;
    try {
      process.kill(Number(m[2]), 0);
    } catch {
      alive = false;
    }
    if (!alive) {
      spawnSync('ip', ['netns', 'del', m[1]]);
      rmSync(`/etc/netns/${m[1]}`, { recursive: true, force: true });
    }
  }
}

/** Builds the lab, starts its servers, and returns once everything answers. */
export async function startLab(cfg: LabConfig): Promise<Lab> {
  sweepStale();
  const id = `csl-${process.pid}-${randomBytes(3).toString('hex')}`;
  const ns = { client: `${id}-c`, router: `${id}-r`, server: `${id}-s`, injector: `${id}-i` };
  const dir = mkdtempSync(join(tmpdir(), 'censorscope-lab-'));
  const children: ChildProcess[] = [];
  const created: string[] = [];
  const cleanupSync = (): void => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const n of created) {
      spawnSync('ip', ['netns', 'del', n]);
      rmSync(`/etc/netns/${n}`, { recursive: true, force: true });
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // Namespaces outlive their processes: remove them on exit and on Ctrl-C / SIGTERM too.
  const onSignal = (sig: NodeJS.Signals): void => {
    cleanupSync();
    process.kill(process.pid, sig);
  };
  const unhook = (): void => {
    process.removeListener('exit', cleanupSync);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  };
  process.once('exit', cleanupSync);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    for (const n of Object.values(ns)) {
      sh('ip', ['netns', 'add', n]);
      created.push(n);
      sh('ip', ['-n', n, 'link', 'set', 'lo', 'up']);
    }
    const ipn = (n: string, ...args: string[]): string => sh('ip', ['-n', n, ...args]);
    ipn(ns.router, 'link', 'add', 'r-c', 'type', 'veth', 'peer', 'name', 'c-r', 'netns', ns.client);
    ipn(ns.router, 'link', 'add', 'r-s', 'type', 'veth', 'peer', 'name', 's-r', 'netns', ns.server);
    ipn(ns.router, 'link', 'add', 'r-i', 'type', 'veth', 'peer', 'name', 'i-r', 'netns', ns.injector);
    ipn(ns.client, 'addr', 'add', `${NET.client}/24`, 'dev', 'c-r');
    ipn(ns.router, 'addr', 'add', `${NET.router}/24`, 'dev', 'r-c');
    ipn(ns.router, 'addr', 'add', `${NET.serverGw}/24`, 'dev', 'r-s');
    ipn(ns.router, 'addr', 'add', `${NET.injectorGw}/28`, 'dev', 'r-i');
    ipn(ns.server, 'addr', 'add', `${NET.server}/24`, 'dev', 's-r');
    ipn(ns.server, 'addr', 'add', `${NET.resolver}/32`, 'dev', 's-r');
    ipn(ns.injector, 'addr', 'add', `${NET.injector}/28`, 'dev', 'i-r');
    ipn(ns.injector, 'addr', 'add', `${NET.resolver}/32`, 'dev', 'i-r');
    const siteIps = new Set([...Object.values(cfg.zone).flat(), ...(cfg.downIps ?? []), ...(cfg.untrustedIps ?? [])]
      .filter((a) => a.startsWith('203.0.113.') && a !== NET.server && a !== NET.resolver));
    for (const a of siteIps) ipn(ns.server, 'addr', 'add', `${a}/32`, 'dev', 's-r');
    for (const [n, dev] of [[ns.client, 'c-r'], [ns.router, 'r-c'], [ns.router, 'r-s'], [ns.router, 'r-i'], [ns.server, 's-r'], [ns.injector, 'i-r']]) {
      ipn(n, 'link', 'set', dev, 'up');
    }
    ipn(ns.client, 'route', 'add', 'default', 'via', NET.router);
    ipn(ns.server, 'route', 'add', 'default', 'via', NET.serverGw);
    ipn(ns.injector, 'route', 'add', 'default', 'via', NET.injectorGw);
    // Forged answers point into this range; the censor makes sure nothing there ever answers.
    ipn(ns.router, 'route', 'add', 'blackhole', NET.blackhole);
    // The injector answers from the resolver's address through another interface: no reverse-path filtering.
    const sysctl = ['net.ipv4.ip_forward=1', 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0',
      ...['r-c', 'r-s', 'r-i'].map((d) => `net.ipv4.conf.${d}.rp_filter=0`)];
    for (const s of sysctl) sh('ip', ['netns', 'exec', ns.router, 'sysctl', '-qw', s]);
    for (const n of [ns.client, ns.server]) {
      mkdirSync(`/etc/netns/${n}`, { recursive: true });
      writeFileSync(`/etc/netns/${n}/resolv.conf`, `nameserver ${NET.resolver}\noptions timeout:2 attempts:1\n`);
      writeFileSync(`/etc/netns/${n}/hosts`, '127.0.0.1 localhost\n');
    }

    applyCensorship(ns.router, ns.server, cfg);

    const hosts = Object.keys(cfg.zone).filter((h) => !(cfg.wrongNameHosts ?? []).includes(h));
    const certs = makeCerts(dir, hosts, cfg.untrustedHosts ?? []);
    const serverCfg: ServerConfig = {
      resolverIp: NET.resolver, clientPrefix: '198.51.100.', dnsDelayMs: cfg.dnsDelayMs ?? 300, zone: cfg.zone,
      leafCert: certs.leafCert, leafKey: certs.leafKey, untrustedCert: certs.untrustedCert, untrustedKey: certs.untrustedKey,
      untrustedHosts: cfg.untrustedHosts ?? [], untrustedIps: cfg.untrustedIps ?? [], redirects: cfg.redirects ?? {}, large: cfg.large ?? [],
    };
    writeFileSync(join(dir, 'server.json'), JSON.stringify(serverCfg));
    writeFileSync(join(dir, 'injector.json'), JSON.stringify({ resolverIp: NET.resolver, inject: cfg.inject ?? {} } satisfies InjectorConfig));

    // getaddrinfo runs on libuv's thread pool (4 threads by default); many URLs at once need more.
    const env = { ...process.env, NODE_EXTRA_CA_CERTS: certs.caFile, UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? '64' };
    const start = (n: string, args: string[], ready: RegExp): Promise<void> => {
      const child = spawn('ip', ['netns', 'exec', n, process.execPath, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      return waitFor(child, ready, `${args.slice(-2).join(' ')} in ${n}`);
    };
    const tsx = ['--import', 'tsx'];
    await Promise.all([
      start(ns.server, [...tsx, join(import.meta.dirname, 'servers.ts'), join(dir, 'server.json')], /ready/),
      start(ns.injector, [...tsx, join(import.meta.dirname, 'injector.ts'), join(dir, 'injector.json')], /ready/),
      start(ns.router, [...tsx, join(import.meta.dirname, 'blockpage.ts'), '8081'], /ready/),
      start(ns.server, [join(ROOT, 'bin/censorscope.js'), 'th', '--host', NET.server, '--port', '8080', '--timeout', String(cfg.thTimeoutMs ?? 2500), '--allow-test-nets'], /listening/),
    ]);

    return {
      id, dir, caFile: certs.caFile,
      probe: (args, opts = {}) => new Promise((res, rej) => {
        const child = spawn('ip', ['netns', 'exec', ns.client, process.execPath, join(ROOT, 'bin/censorscope.js'), ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
        children.push(child);
        let stdout = '';
        let stderr = '';
        child.stdout!.on('data', (d: Buffer) => (stdout += d));
        child.stderr!.on('data', (d: Buffer) => (stderr += d));
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          rej(new Error(`probe timed out; stderr: ${stderr.slice(-2000)}`));
        }, opts.timeoutMs ?? 120_000);
        child.on('close', (code) => {
          clearTimeout(timer);
          res({ code, stdout, stderr });
        });
      }),
      exec: (which, cmd) => sh('ip', ['netns', 'exec', ns[which], ...cmd]),
      close: async () => {
        for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
        await new Promise((r) => setTimeout(r, 100));
        unhook();
        cleanupSync();
      },
    };
  } catch (err) {
    unhook();
    cleanupSync();
    throw err;
  }
}

function waitFor(child: ChildProcess, re: RegExp, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    // Starting the CLI under tsx takes 10 s or more on a loaded machine (test files run two at a time).
    const timer = setTimeout(() => reject(new Error(`${what} did not start within 60 s: ${err.slice(-1000)}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      if (re.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr!.on('data', (d: Buffer) => (err += d));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code}): ${err.slice(-1000)}`));
    });
  });
}

/** The censor: nft in the router (and the server's "down" addresses), iptables string matches for keyword/SNI. */
function applyCensorship(router: string, server: string, cfg: LabConfig): void {
  const set = (ips: string[] | undefined): string | null => (ips?.length ? `{ ${ips.join(', ')} }` : null);
  const penalty = cfg.penaltySeconds ?? 90;
  const rules: string[] = [
    `ip saddr . ip daddr . tcp dport @penalty reject with tcp reset`,
    `meta l4proto tcp meta mark 2 update @penalty { ip saddr . ip daddr . tcp dport timeout ${penalty}s } reject with tcp reset`,
    `meta l4proto tcp meta mark 1 reject with tcp reset`,
  ];
  if (set(cfg.dropIps)) rules.push(`ip daddr ${set(cfg.dropIps)} drop`);
  if (set(cfg.rstIps)) rules.push(`meta l4proto tcp ip daddr ${set(cfg.rstIps)} reject with tcp reset`);
  const nat = set(cfg.blockpageIps) ? `ip daddr ${set(cfg.blockpageIps)} tcp dport 80 redirect to :8081` : '';
  sh('ip', ['netns', 'exec', router, 'nft', '-f', '-'], `
table ip censor {
  set penalty { type ipv4_addr . ipv4_addr . inet_service; flags dynamic,timeout; timeout ${penalty}s; }
  chain dnsdup { type filter hook prerouting priority -300; policy accept; iifname "r-c" udp dport 53 dup to ${NET.injector} device "r-i"; }
  chain blockpage { type nat hook prerouting priority -100; policy accept;
    ${nat}
  }
  chain censor { type filter hook forward priority 10; policy accept;
    ${rules.join('\n    ')}
  }
}
`);
  const mark = (port: number, hexNeedle: string, m: number): void => {
    sh('ip', ['netns', 'exec', router, 'iptables', '-t', 'mangle', '-A', 'FORWARD', '-p', 'tcp', '--dport', String(port),
      '-m', 'string', '--hex-string', hexNeedle, '--algo', 'bm', '-j', 'MARK', '--set-mark', String(m)]);
  };
  // Exact names, not substrings: the Host header up to its CRLF, and the SNI with its 2-byte length
  // prefix, so blocking news.example does not also hit zh.news.example.
  const hostNeedle = (h: string): string => `Host: ${h}|0d 0a|`;
  const sniNeedle = (h: string): string => `|${(h.length >> 8).toString(16).padStart(2, '0')} ${(h.length & 255).toString(16).padStart(2, '0')}|${h}`;
  for (const h of cfg.hostKeywords ?? []) mark(80, hostNeedle(h), 1);
  for (const h of cfg.sniBlock ?? []) mark(443, sniNeedle(h), 1);
  for (const h of cfg.sniResidual ?? []) mark(443, sniNeedle(h), 2);
  if (set(cfg.downIps)) {
    sh('ip', ['netns', 'exec', server, 'nft', '-f', '-'], `
table ip down {
  chain refuse {
    type filter hook input priority 0; policy accept;
    meta l4proto tcp ip daddr ${set(cfg.downIps)} reject with tcp reset
  }
}
`);
  }
}

