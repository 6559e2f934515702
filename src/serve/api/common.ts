/**
 * What every API plugin shares: the one error shape, zod validation that names the bad
 * parameter, the route registry the OpenAPI document is generated from, and a small cache
 * for aggregates that would otherwise scan a million rows on every request.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerHookHandler } from 'fastify';
import { z } from 'zod';
import type { Store } from '../../store/open.ts';
import type { Services } from '../services.ts';
import type { ServerPrivacy } from './settings.ts';
import type { PseudonymIndex } from '../../report/privacy.ts';
import type { ArchiveAccess } from '../archive-access.ts';

/** An error the API reports as `{ error: { status, code, message, param? } }`. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly param?: string) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The body of every error response. */
export function errorBody(status: number, code: string, message: string, param?: string) {
  return { error: { status, code, message, ...(param ? { param } : {}) } };
}

/** One documented route: the OpenAPI document is built from these, so it cannot drift. */
export interface RouteSpec {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Fastify path syntax (`/api/posts/:id`). */
  url: string;
  tag: string;
  summary: string;
  query?: z.ZodObject;
  params?: z.ZodObject;
  body?: z.ZodType;
  /** Requires the bearer token. */
  admin?: boolean;
  /** Media types of a 200 that is a file, not JSON (downloads); the handler sends it through `reply` and returns `reply`. */
  produces?: string[];
}

/** What the server hands to each API plugin. */
export interface ApiContext {
  store: Store;
  routes: RouteSpec[];
  /** Dashboard page paths this area adds (served as index.html). */
  pages: string[];
  cache: TtlCache;
  services: Services;
  requireToken: preHandlerHookHandler;
  /** The privacy policy every response that shows accounts applies (src/report/privacy.ts). */
  privacy: ServerPrivacy;
  /** Pseudonyms back to store accounts, for filters that take the pseudonym a page shows (one per server). */
  pseudonyms: PseudonymIndex;
  /** The web archive, opened on first use (site watch replay and screenshots). */
  archive: ArchiveAccess;
}

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

/** Registers a validated, documented route. */
export function route<Q extends z.ZodObject | undefined, P extends z.ZodObject | undefined, B extends z.ZodType | undefined>(
  app: FastifyInstance, ctx: ApiContext, spec: RouteSpec & { query?: Q; params?: P; body?: B },
  handler: (input: { query: Parsed<Q>; params: Parsed<P>; body: Parsed<B>; req: FastifyRequest; reply: FastifyReply }) => Promise<unknown>,
): void {
  ctx.routes.push(spec);
  app.route({
    method: spec.method,
    url: spec.url,
    ...(spec.admin ? { preHandler: ctx.requireToken } : {}),
    handler: async (req, reply) => {
      const query = (spec.query ? validate(spec.query, req.query ?? {}, 'query') : undefined) as Parsed<Q>;
      const params = (spec.params ? validate(spec.params, req.params ?? {}, 'path') : undefined) as Parsed<P>;
      const body = (spec.body ? validate(spec.body, req.body ?? {}, 'body') : undefined) as Parsed<B>;
      const result = await handler({ query, params, body, req, reply });
      // A download sent through `reply` applied the privacy policy to what it wrote (src/serve/api/downloads.ts).
      if (result === reply) return reply;
      // A followed account's handle is in its source's name, which many responses carry.
      return spec.method === 'GET' ? ctx.privacy.scrubFollowed(result) : result;
    },
  });
}

/** Parses `value` or throws a 400 naming the first bad parameter. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, where: 'query' | 'path' | 'body'): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const param = issue.path.map(String).join('.') || undefined;
  const message = param ? `${where} parameter "${param}": ${issue.message}` : `${where}: ${issue.message}`;
  throw new ApiError(400, 'invalid_parameter', message, param);
}

/** A point in time given as epoch milliseconds or an ISO 8601 date. */
export const timeParam = z.string().transform((s, ctx) => {
  const n = /^\d{1,15}$/.test(s) ? Number(s) : Date.parse(s);
  if (!Number.isFinite(n)) {
    ctx.addIssue({ code: 'custom', message: `"${s.slice(0, 40)}" is neither epoch milliseconds nor an ISO 8601 date` });
    return z.NEVER;
  }
  return n;
}).meta({ description: 'epoch milliseconds or ISO 8601 date', type: 'string' });

/** A positive integer id. */
export const idParam = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** Page size, bounded so one request cannot ask for the whole store. */
export function limitParam(def: number, max: number) {
  return z.coerce.number().int().min(1).max(max).default(def);
}

/**
 * Caches slow aggregates, sharing one computation between concurrent requests: the dashboard
 * polls, and a million-row GROUP BY must not run per request. Once a value has been computed,
 * an expired entry is served stale while one refresh runs (stale-while-revalidate), so only
 * the very first request waits. An entry lives at least COST_FACTOR times as long as it took
 * to compute, so refreshing never takes more than ~1% of the server's time (SQLite queries
 * run on the event loop and block every other request while they run).
 *
 * Memory is bounded by bytes, not entries: anyone can ask for many distinct large pages (120
 * searches once held 3 GB). Each settled value is measured as its JSON; least recently used
 * entries are evicted past `maxBytes`, and a value larger than `maxEntryBytes` is served but
 * not kept.
 */
const COST_FACTOR = 100;
const MAX_TTL_MS = 60_000;
const MAX_ENTRIES = 500;

/** Default byte bounds of the API cache. */
export const CACHE_DEFAULTS = { maxBytes: 32 * 1024 * 1024, maxEntryBytes: 4 * 1024 * 1024 };

interface CacheEntry { at: number; ttl: number; value: Promise<unknown>; settled: boolean; refreshing: boolean; bytes: number }

export class TtlCache {
  private entries = new Map<string, CacheEntry>();
  private total = 0;
  private readonly maxBytes: number;
  private readonly maxEntryBytes: number;

  constructor(private ttlMs: number, private now: () => number = Date.now, limits: Partial<typeof CACHE_DEFAULTS> = {}) {
    this.maxBytes = limits.maxBytes ?? CACHE_DEFAULTS.maxBytes;
    this.maxEntryBytes = Math.min(limits.maxEntryBytes ?? CACHE_DEFAULTS.maxEntryBytes, this.maxBytes);
  }

  /** Bytes (as JSON) of the values the cache holds. */
  get bytes(): number {
    return this.total;
  }

  /** Number of entries, computing or settled. */
  get size(): number {
    return this.entries.size;
  }

  /** Returns the cached value for `key`, computing it when absent or refreshing it when older than the TTL. */
  get<T>(key: string, compute: () => Promise<T>, ttlMs = this.ttlMs): Promise<T> {
    const hit = this.entries.get(key);
    if (hit) {
      // Least recently used first: a hit moves the entry to the end of the Map's order.
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    if (hit && (this.now() - hit.at < hit.ttl || !hit.settled)) return hit.value as Promise<T>;
    const ttlFor = (started: number) => Math.min(MAX_TTL_MS, Math.max(ttlMs, (this.now() - started) * COST_FACTOR));
    if (hit) {
      if (!hit.refreshing) {
        hit.refreshing = true;
        const started = this.now();
        compute().then((v) => {
          const fresh: CacheEntry = { at: this.now(), ttl: ttlFor(started), value: Promise.resolve(v), settled: true, refreshing: false, bytes: 0 };
          this.admit(key, fresh, v);
        }, () => { hit.refreshing = false; hit.at = this.now(); });
      }
      return hit.value as Promise<T>;
    }
    const started = this.now();
    const entry: CacheEntry = { at: started, ttl: ttlMs, value: compute() as Promise<unknown>, settled: false, refreshing: false, bytes: 0 };
    this.entries.set(key, entry);
    entry.value.then((v) => {
      entry.settled = true;
      entry.ttl = ttlFor(started);
      entry.at = this.now();
      if (this.entries.get(key) !== entry) return; // evicted or cleared while computing
      this.admit(key, entry, v);
    }, () => { if (this.entries.get(key) === entry) this.entries.delete(key); });
    if (this.entries.size > MAX_ENTRIES) this.remove(this.entries.keys().next().value!);
    return entry.value as Promise<T>;
  }

  clear(): void {
    this.entries.clear();
    this.total = 0;
  }

  /** Keeps a settled value if it fits, then evicts least recently used entries past the bound. */
  private admit(key: string, entry: CacheEntry, value: unknown): void {
    this.remove(key);
    const bytes = jsonBytes(value);
    if (bytes > this.maxEntryBytes) return;
    entry.bytes = bytes;
    this.entries.set(key, entry);
    this.total += bytes;
    for (const [k, e] of this.entries) {
      if (this.total <= this.maxBytes) break;
      if (e.settled) this.remove(k); // computing entries hold no bytes yet and share work
    }
  }

  private remove(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.total -= e.bytes;
    this.entries.delete(key);
  }
}

/** Size of a value as the JSON the API sends (UTF-8 bytes); unmeasurable values count as infinitely large. */
function jsonBytes(value: unknown): number {
  try {
    const json = JSON.stringify(value);
    return json === undefined ? 0 : Buffer.byteLength(json);
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/** Parses a JSON text column, tolerating null and garbage (evidence is written by many hands). */
export function parseJson(text: string | null | undefined): unknown {
  if (text == null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
