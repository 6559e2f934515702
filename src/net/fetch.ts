/**
 * The one way the observatory fetches a URL from a server that may be hostile: the address policy
 * applied to the address actually connected to (a custom DNS lookup, so a name cannot rebind
 * between the check and the connect) and again at every redirect hop, redirects followed by hand
 * up to a limit, a body cap, a timeout and the caller's stop signal.
 */
import http from 'node:http';
import https from 'node:https';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { allowedOrigins, BlockedAddressError, internalAddressReason, type AddressPolicy } from './address-policy.ts';

export { BlockedAddressError, type AddressPolicy } from './address-policy.ts';

/** An answer larger than the caller allows: a hostile or broken server, not a transient failure. */
export class TooLargeError extends Error {}

/** A network failure with a stable code (`timeout`, `aborted`, `ECONNREFUSED`, `too_many_redirects`, ...). */
export class FetchError extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
    this.name = 'FetchError';
  }
}

export interface SafeFetchOptions {
  policy: AddressPolicy;
  headers?: Record<string, string>;
  /** Largest body read (default 32 MiB); larger answers throw TooLargeError. */
  maxBytes?: number;
  /** Wall-clock limit for the whole request, redirects included (default 10 s). */
  timeoutMs?: number;
  /** Stops the request at once (the watcher's stop). */
  signal?: AbortSignal;
  /** Redirects followed (default 5). */
  maxRedirects?: number;
}

export interface SafeFetchAnswer {
  status: number;
  headers: Headers;
  bytes: Uint8Array;
  /** The URL that answered, after redirects. */
  url: string;
}

export const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** A DNS lookup that refuses names resolving to an internal address (any of them, so no fallback can reach one). */
function guardedLookup(hostname: string, options: object, callback: (...args: unknown[]) => void): void {
  const opts = options as { all?: boolean; family?: number };
  dnsLookup(hostname, { ...opts, all: true }, (err, addresses: LookupAddress[]) => {
    if (err) return callback(err);
    for (const a of addresses) {
      const reason = internalAddressReason(a.address);
      if (reason) return callback(new BlockedAddressError(`${hostname} resolves to ${a.address}, ${reason}; refusing to connect (watch --allow-private allows it).`));
    }
    if (!addresses.length) return callback(new FetchError(`${hostname} has no address.`, 'ENOTFOUND'));
    if (opts.all) callback(null, addresses);
    else callback(null, addresses[0].address, addresses[0].family);
  });
}

/** Throws BlockedAddressError when `url` may not be fetched under `policy`; returns whether its host may be internal. */
export function checkUrl(url: URL, policy: AddressPolicy, trusted = allowedOrigins(policy)): boolean {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new BlockedAddressError(`${url.href} is not an http(s) URL; refusing to fetch it.`);
  const internalOk = policy.allowPrivate === true || trusted.has(url.origin);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!internalOk && isIP(host)) {
    const reason = internalAddressReason(host);
    if (reason) throw new BlockedAddressError(`${url.href} points to ${host}, ${reason}; refusing to fetch it (watch --allow-private allows it).`);
  }
  return internalOk;
}

function once(url: URL, o: SafeFetchOptions, internalOk: boolean, signal: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const mod = url.protocol === 'https:' ? https : http;
    const req = mod.request(url, {
      method: 'GET',
      headers: o.headers,
      agent: false,
      signal,
      ...(internalOk ? {} : { lookup: guardedLookup as unknown as typeof dnsLookup }),
    }, resolve);
    req.on('error', reject);
    req.end();
  });
}

async function readBody(res: IncomingMessage, url: string, max: number): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size > max) {
      res.destroy();
      throw new TooLargeError(`${url} answered more than ${max} bytes; refusing to read it.`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function toHeaders(raw: IncomingMessage['headers']): Headers {
  const h = new Headers();
  for (const [k, v] of Object.entries(raw)) {
    if (v == null) continue;
    try {
      for (const x of Array.isArray(v) ? v : [v]) h.append(k, x);
    } catch {
      // A header value fetch's Headers refuses: leave it out rather than fail the answer.
    }
  }
  return h;
}

/** GETs `url` under the address policy; throws BlockedAddressError, TooLargeError or FetchError. */
export async function safeFetch(url: string, o: SafeFetchOptions): Promise<SafeFetchAnswer> {
  const timeout = AbortSignal.timeout(o.timeoutMs ?? 10_000);
  const signal = o.signal ? AbortSignal.any([o.signal, timeout]) : timeout;
  const trusted = allowedOrigins(o.policy);
  const maxRedirects = o.maxRedirects ?? 5;
  let current: URL;
  try {
    current = new URL(url);
  } catch {
    throw new BlockedAddressError(`"${url}" is not a URL; refusing to fetch it.`);
  }
  for (let hop = 0; ; hop++) {
    const internalOk = checkUrl(current, o.policy, trusted);
    let res: IncomingMessage;
    try {
      res = await once(current, o, internalOk, signal);
      const location = res.headers.location;
      if (REDIRECTS.has(res.statusCode ?? 0) && location) {
        res.resume();
        if (hop >= maxRedirects) throw new FetchError(`${url} redirected more than ${maxRedirects} times.`, 'too_many_redirects');
        current = new URL(location, current);
        continue;
      }
      const bytes = await readBody(res, current.href, o.maxBytes ?? DEFAULT_MAX_BYTES);
      return { status: res.statusCode ?? 0, headers: toHeaders(res.headers), bytes, url: current.href };
    } catch (err) {
      if (err instanceof BlockedAddressError || err instanceof TooLargeError || err instanceof FetchError) throw err;
      const e = err as Error & { code?: string; cause?: unknown };
      if (e.cause instanceof BlockedAddressError) throw e.cause;
      if (o.signal?.aborted) throw new FetchError(`stopped while fetching ${current.href}`, 'aborted');
      if (timeout.aborted) throw new FetchError(`${current.href} did not answer within ${o.timeoutMs ?? 10_000} ms`, 'timeout');
      throw new FetchError(`${e.code ?? 'network_error'} for ${current.href}: ${e.message}`, e.code ?? 'network_error');
    }
  }
}
