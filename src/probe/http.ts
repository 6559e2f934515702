/**
 * HTTP GET with redirects (at most 10), a per-request deadline and a body cap, recorded as OONI's
 * `requests` entries. Names are resolved by the system resolver, as a browser would.
 */
import { isIP } from 'node:net';
import http from 'node:http';
import https from 'node:https';
import { ProbeTimeout, toFailure } from './failure.ts';
import { BODY_CAPS } from '../net/fetch.ts';
import { guardedLookup, systemLookup, type Lookup, type RefuseAddress } from '../net/lookup.ts';

export type { RefuseAddress } from '../net/lookup.ts';

export const MAX_REDIRECTS = 10;
export const BODY_CAP = BODY_CAPS.probe.maxBytes;

/** The headers OONI's probe sends, so servers treat both probes alike. */
export const REQUEST_HEADERS: Record<string, string> = {
  Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'Accept-Language': 'en-US,en;q=0.9',
  'User-Agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/118.0.0.0 Safari/537.36',
};

export interface HttpRequestEntry {
  failure: string | null;
  request: { url: string; method: 'GET'; headers: Record<string, string>; body: string; tor: { is_tor: false; exit_ip: null; exit_name: null } };
  response: { code: number; headers: Record<string, string>; body: string; body_is_truncated: boolean; body_length: number } | null;
  t: number;
}

export interface HttpResult {
  /** Every hop, last one first (OONI's order). */
  requests: HttpRequestEntry[];
  final: HttpRequestEntry;
  failure: string | null;
}

/** Fetches `url`, following redirects; never throws. */
export async function httpGet(url: string, opts: { timeoutMs: number; bodyCap?: number; maxRedirects?: number; resolved?: Map<string, string[]>; refuse?: RefuseAddress }): Promise<HttpResult> {
  const hops: HttpRequestEntry[] = [];
  let current = url;
  for (let i = 0; i <= (opts.maxRedirects ?? MAX_REDIRECTS); i++) {
    const entry = await one(current, opts.timeoutMs, opts.bodyCap ?? BODY_CAP, opts.resolved, opts.refuse);
    hops.push(entry);
    const r = entry.response;
    const loc = r?.headers.location ?? r?.headers.Location;
    if (entry.failure || !r || r.code < 300 || r.code > 399 || !loc) break;
    try {
      current = new URL(loc, current).toString();
    } catch {
      entry.failure = 'http_invalid_redirect_location_host';
      break;
    }
    if (i === (opts.maxRedirects ?? MAX_REDIRECTS)) entry.failure = 'http_too_many_redirects';
  }
  const final = hops[hops.length - 1];
  return { requests: [...hops].reverse(), final, failure: final.failure };
}

/** The failure string of a hop the address policy refused. */
export const REFUSED_FAILURE = 'th_refused_private_address';

function one(url: string, timeoutMs: number, cap: number, resolved?: Map<string, string[]>, refuse?: RefuseAddress): Promise<HttpRequestEntry> {
  const started = performance.now();
  const entry: HttpRequestEntry = {
    failure: null,
    request: { url, method: 'GET', headers: { ...REQUEST_HEADERS }, body: '', tor: { is_tor: false, exit_ip: null, exit_name: null } },
    response: null,
    t: 0,
  };
  return new Promise((resolve) => {
    let settled = false;
    const finish = (err: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      entry.failure = toFailure(err);
      entry.t = (performance.now() - started) / 1000;
      req.destroy();
      resolve(entry);
    };
    let u: URL;
    try {
      u = new URL(url);
    } catch (err) {
      entry.failure = 'http_invalid_redirect_location_host';
      resolve(entry);
      return;
    }
    const mod = u.protocol === 'https:' ? https : http;
    const bare = u.hostname.replace(/^\[|\]$/g, '');
    const known = resolved?.get(bare);
    if (refuse && ((isIP(bare) && refuse(bare)) || (!/^https?:$/.test(u.protocol)))) {
      entry.failure = REFUSED_FAILURE;
      resolve(entry);
      return;
    }
    const base = known?.length ? pinned(known) : refuse ? systemLookup(4) : undefined;
    const lookup = refuse ? guardedLookup(refuse, { base, refused: (host, ip) => Object.assign(new Error(`${host} resolves to ${ip}, which the test helper refuses`), { refused: true }) }) : base;
    const req = mod.request(u, { method: 'GET', headers: REQUEST_HEADERS, agent: false, family: 4, ...(lookup ? { lookup: lookup as never } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[canonical(k)] = Array.isArray(v) ? v.join(', ') : v;
      const complete = (err: unknown): void => {
        const body = Buffer.concat(chunks).subarray(0, cap);
        entry.response = { code: res.statusCode ?? 0, headers, body: body.toString('utf8'), body_is_truncated: truncated, body_length: body.length };
        finish(err);
      };
      res.on('data', (c: Buffer) => {
        if (truncated) return;
        chunks.push(c);
        size += c.length;
        if (size >= cap) {
          truncated = true;
          complete(null);
        }
      });
      res.on('end', () => complete(null));
      res.on('error', (err) => complete(err));
      res.on('aborted', () => complete(Object.assign(new Error('eof'), { code: 'ECONNRESET' })));
    });
    const timer = setTimeout(() => finish(new ProbeTimeout('HTTP request')), timeoutMs);
    req.on('error', (err: Error & { refused?: boolean }) => {
      if (err.refused) {
        if (settled) return;
        finish(err);
        entry.failure = REFUSED_FAILURE;
        return;
      }
      finish(err);
    });
    req.end();
  });
}

/** A lookup that answers with the addresses the probe already resolved (the system resolver's), so
 * the fetch uses the same answer that was measured and does not queue for getaddrinfo again. */
function pinned(addrs: string[]): Lookup {
  return (_host, opts, cb) => {
    if (opts?.all) cb(null, addrs.map((address) => ({ address, family: 4 })));
    else cb(null, addrs[0], 4);
  };
}

function canonical(k: string): string {
  return k.replace(/(^|-)([a-z])/g, (_, d: string, c: string) => d + c.toUpperCase());
}

/** The page title, as OONI compares them (first <title>, at most 128 characters). */
export function pageTitle(body: string): string {
  const m = /<title[^>]*>([^<]{1,128})/i.exec(body);
  return m ? m[1].trim() : '';
}
