/**
 * The one way the observatory fetches a URL from a server that may be hostile: the address policy
 * applied to the address actually connected to (a custom DNS lookup, so a name cannot rebind
 * between the check and the connect) and again at every redirect hop, redirects followed by hand
 * up to a limit, a body cap, a timeout and the caller's stop signal.
 */
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { guardedLookup } from './lookup.ts';
import { allowedOrigins, BlockedAddressError, internalAddressReason, type AddressPolicy } from './address-policy.ts';
import type { HostSlots } from './host-slots.ts';

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
  /** GET (default) or POST; a POST becomes a GET after a 301, 302 or 303, as browsers do. */
  method?: 'GET' | 'POST';
  body?: string;
  headers?: Record<string, string>;
  /** Largest body read (default 32 MiB); larger answers throw TooLargeError. */
  maxBytes?: number;
  /** Past `maxBytes`, stop reading and answer with the first `maxBytes` (truncated: true) instead of throwing. */
  truncate?: boolean;
  /** Wall-clock limit for the whole request, redirects included (default 10 s). */
  timeoutMs?: number;
  /** Stops the request at once (the watcher's stop). */
  signal?: AbortSignal;
  /** Redirects followed (default 5). */
  maxRedirects?: number;
  /** Politeness: each hop waits for a connection slot to its host (src/net/host-slots.ts). */
  hostSlots?: HostSlots;
}

export interface SafeFetchAnswer {
  status: number;
  headers: Headers;
  bytes: Uint8Array;
  /** The URL that answered, after redirects. */
  url: string;
  /** The body was cut at `maxBytes` (only with `truncate`). */
  truncated: boolean;
}

export const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;

/** How much of an answer one kind of fetch reads, and whether more is an error or just cut off. */
export interface BodyCap {
  maxBytes: number;
  truncate?: boolean;
}

const MiB = 1024 * 1024;
/**
 * The body cap of every kind of outbound fetch, so a server that streams an endless body costs at
 * most this much memory (a 1.5 GB feed once took the watcher to 652 MB). Sized well above real
 * answers: feeds of thousands of items are a few MiB, a Mastodon page of 40 statuses a few hundred
 * KiB, an OONI control answer a few KiB. Link re-checks and the probe only need the status and the
 * start of the page, so they read the start and stop.
 */
export const BODY_CAPS = {
  feed: { maxBytes: 20 * MiB },
  mastodon: { maxBytes: 8 * MiB },
  'http-json': { maxBytes: 16 * MiB },
  /** A feed item's own link, fetched to confirm it is gone: only the status counts. */
  recheck: { maxBytes: 1 * MiB, truncate: true },
  /** The probe's page fetch (OONI's probe keeps 512 KiB too). */
  probe: { maxBytes: 512 * 1024, truncate: true },
  oracle: { maxBytes: 1 * MiB },
  /** A test helper's control answer. */
  control: { maxBytes: 4 * MiB },
  /** A tracked site's page (site watch): real front pages are well under 5 MiB; beyond, the start is kept and archived as truncated. */
  site: { maxBytes: 5 * MiB, truncate: true },
} as const satisfies Record<string, BodyCap>;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** The system resolver, refusing names that resolve to an internal address (src/net/lookup.ts). */
const internalGuard = guardedLookup(internalAddressReason, {
  refused: (host, ip, reason) => new BlockedAddressError(`${host} resolves to ${ip}, ${reason}; refusing to connect (watch --allow-private allows it).`),
});

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

function once(url: URL, o: SafeFetchOptions, method: 'GET' | 'POST', internalOk: boolean, signal: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const mod = url.protocol === 'https:' ? https : http;
    const req = mod.request(url, {
      method,
      headers: o.headers,
      agent: false,
      signal,
      ...(internalOk ? {} : { lookup: internalGuard as never }),
    }, resolve);
    req.on('error', reject);
    req.end(method === 'POST' ? o.body : undefined);
  });
}

/** Reads at most `max` bytes, destroying the socket once over: an endless body costs `max`, never more. */
async function readBody(res: IncomingMessage, url: string, max: number, truncate: boolean): Promise<{ bytes: Uint8Array; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    if (size + chunk.byteLength > max) {
      res.destroy();
      if (!truncate) throw new TooLargeError(`${url} answered more than ${max} bytes; refusing to read it.`);
      chunks.push(chunk.subarray(0, max - size));
      return { bytes: Buffer.concat(chunks), truncated: true };
    }
    size += chunk.byteLength;
    chunks.push(chunk);
  }
  return { bytes: Buffer.concat(chunks), truncated: false };
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
  let method = o.method ?? 'GET';
  let current: URL;
  try {
    current = new URL(url);
  } catch {
    throw new BlockedAddressError(`"${url}" is not a URL; refusing to fetch it.`);
  }
  for (let hop = 0; ; hop++) {
    const internalOk = checkUrl(current, o.policy, trusted);
    let res: IncomingMessage;
    let free: (() => void) | undefined;
    try {
      free = await o.hostSlots?.acquire(current.host, signal);
      res = await once(current, o, method, internalOk, signal);
      const location = res.headers.location;
      if (REDIRECTS.has(res.statusCode ?? 0) && location) {
        res.destroy();
        if (hop >= maxRedirects) throw new FetchError(`${url} redirected more than ${maxRedirects} times.`, 'too_many_redirects');
        if (res.statusCode !== 307 && res.statusCode !== 308) method = 'GET';
        current = new URL(location, current);
        continue;
      }
      const body = await readBody(res, current.href, o.maxBytes ?? DEFAULT_MAX_BYTES, o.truncate === true);
      return { status: res.statusCode ?? 0, headers: toHeaders(res.headers), ...body, url: current.href };
    } catch (err) {
      if (err instanceof BlockedAddressError || err instanceof TooLargeError || err instanceof FetchError) throw err;
      const e = err as Error & { code?: string; cause?: unknown };
      if (e.cause instanceof BlockedAddressError) throw e.cause;
      if (o.signal?.aborted) throw new FetchError(`stopped while fetching ${current.href}`, 'aborted');
      if (timeout.aborted) throw new FetchError(`${current.href} did not answer within ${o.timeoutMs ?? 10_000} ms`, 'timeout');
      throw new FetchError(`${e.code ?? 'network_error'} for ${current.href}: ${e.message}`, e.code ?? 'network_error');
    } finally {
      free?.();
    }
  }
}
