/**
 * The test helper (`censorscope th`): from an unfiltered network it resolves the name, connects to
 * every endpoint the probe saw plus its own, handshakes TLS and fetches the page, then answers in
 * OONI's response shape.
 */
import http from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import { ControlRequestSchema, type ControlRequest, type ControlResponse } from './shapes.ts';
import { systemLookup } from '../dns/system.ts';
import { tcpConnect } from '../tcp.ts';
import { tlsHandshake } from '../tls.ts';
import { httpGet, pageTitle } from '../http.ts';
import { isBogon } from '../dns/bogon.ts';
import { internalAddressReason } from '../../net/address-policy.ts';

export interface ThOptions {
  port?: number;
  host?: string;
  /** Per-operation timeout in ms (default 10 s). */
  timeoutMs?: number;
  allowTestNets?: boolean;
  /** Connect to loopback and private addresses too (`th --allow-private`, for tests on one machine). */
  allowPrivate?: boolean;
}

/**
 * Endpoints measured per request, the TH's own answers first. A probe sends the few addresses it
 * resolved; more is someone using the helper as a port scanner.
 */
export const MAX_ENDPOINTS = 16;

/** A control request the helper will not serve (answered 400 with the sentence). */
export class RefusedRequest extends Error {}

interface Policy {
  allowTestNets?: boolean;
  allowPrivate?: boolean;
}

/** Why the helper refuses to connect to `ip` (loopback, private, link-local, ... ), or null. */
export function refusedAddress(ip: string, p: Policy): string | null {
  if (p.allowPrivate) return null;
  const bare = ip.replace(/^\[|\]$/g, '');
  const reason = internalAddressReason(bare);
  if (reason) return reason;
  return isBogon(bare, { allowTestNets: p.allowTestNets }) ? 'a reserved address' : null;
}

/** Performs the control measurement for one request. */
export async function controlMeasure(req: ControlRequest, opts: { timeoutMs: number } & Policy): Promise<ControlResponse> {
  const url = new URL(req.http_request);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const host = url.hostname;
  const literal = host.replace(/^\[|\]$/g, '');
  const literalReason = isIP(literal) ? refusedAddress(literal, opts) : null;
  if (literalReason) throw new RefusedRequest(`${req.http_request} points to ${literal}, ${literalReason}; this test helper only measures public addresses (start it with --allow-private to allow them).`);
  const refuse = (ip: string) => refusedAddress(ip, opts);
  const dns = await systemLookup(host, opts.timeoutMs);
  // Only public addresses, at most MAX_ENDPOINTS: no port scanning at scale, no reaching into the
  // helper's own network. (Other ports stay allowed: OONI probes send :443 endpoints for http URLs.)
  const endpoints = new Set<string>();
  for (const ep of [...dns.addrs.map((a) => `${a}:${port}`), ...req.tcp_connect]) {
    if (endpoints.size >= MAX_ENDPOINTS) break;
    const i = ep.lastIndexOf(':');
    const ip = ep.slice(0, i).replace(/^\[|\]$/g, '');
    const p = Number(ep.slice(i + 1));
    if (!Number.isInteger(p) || p < 1 || p > 65535 || !isIP(ip) || refuse(ip)) continue;
    endpoints.add(ep);
  }
  const httpAddrs = dns.addrs.filter((a) => !refuse(a));
  const tcp: ControlResponse['tcp_connect'] = {};
  const tlsOut: NonNullable<ControlResponse['tls_handshake']> = {};
  const [, httpRes] = await Promise.all([
    Promise.all([...endpoints].map(async (ep) => {
      const i = ep.lastIndexOf(':');
      const ip = ep.slice(0, i).replace(/^\[|\]$/g, '');
      const p = Number(ep.slice(i + 1));
      if (!ip || !Number.isInteger(p)) return;
      const c = await tcpConnect(ip, p, opts.timeoutMs);
      tcp[ep] = { status: c.status.success, failure: c.status.failure };
      if (c.status.success && url.protocol === 'https:') {
        const t = await tlsHandshake(ip, p, host, opts.timeoutMs);
        tlsOut[ep] = { server_name: host, status: !t.failure, failure: t.failure };
      }
    })),
    dns.failure ? Promise.resolve(null) : httpGet(req.http_request, { timeoutMs: opts.timeoutMs, resolved: new Map([[host, httpAddrs.length ? httpAddrs : dns.addrs]]), refuse }),
  ]);
  const fin = httpRes?.final;
  const ipInfo: NonNullable<ControlResponse['ip_info']> = {};
  // The probe's addresses are described (a bogon it was given is evidence) even when not connected to.
  const described = [...dns.addrs, ...[...endpoints, ...req.tcp_connect.slice(0, MAX_ENDPOINTS)].map((e) => e.slice(0, e.lastIndexOf(':')).replace(/^\[|\]$/g, ''))];
  for (const a of new Set(described)) {
    // Flags as in OONI's TH: 1 = resolved by the TH, 2 = sent by the probe, 4 = bogon.
    let flags = 0;
    if (dns.addrs.includes(a)) flags |= 1;
    if (req.tcp_connect.some((e) => e.startsWith(`${a}:`))) flags |= 2;
    if (isBogon(a, { allowTestNets: opts.allowTestNets })) flags |= 4;
    ipInfo[a] = { asn: 0, flags };
  }
  return {
    tcp_connect: tcp,
    tls_handshake: tlsOut,
    http_request: {
      body_length: fin?.response ? fin.response.body_length : -1,
      discovered_h3_endpoint: '',
      failure: dns.failure ?? fin?.failure ?? null,
      title: fin?.response ? pageTitle(fin.response.body) : '',
      headers: fin?.response ? fin.response.headers : {},
      status_code: fin?.response ? fin.response.code : -1,
    },
    dns: { failure: dns.failure, addrs: dns.addrs },
    ip_info: ipInfo,
  };
}

/** Starts the test helper; POST / (or /api/v1/websiteconnectivity) with a control request. */
export async function startTestHelper(opts: ThOptions = {}): Promise<{ url: string; close(): Promise<void> }> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const server = http.createServer((req, res) => {
    const send = (code: number, body: unknown): void => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'POST') return send(405, { error: 'POST a web-connectivity control request' });
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 1 << 20) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      let parsed: ControlRequest;
      try {
        parsed = ControlRequestSchema.parse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch (err) {
        return send(400, { error: `invalid control request: ${(err as Error).message.slice(0, 200)}` });
      }
      controlMeasure(parsed, { timeoutMs, allowTestNets: opts.allowTestNets, allowPrivate: opts.allowPrivate })
        .then((out) => send(200, out))
        .catch((err) => send(err instanceof RefusedRequest ? 400 : 500, { error: String((err as Error).message) }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const a = server.address() as AddressInfo;
  return {
    url: `http://${a.address}:${a.port}/`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
