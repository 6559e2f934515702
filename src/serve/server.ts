/**
 * The observatory's HTTP server: the JSON API (one Fastify plugin per area), its OpenAPI
 * document, and the dashboard bundle with a strict Content-Security-Policy. Each area plugin
 * declares its routes and its dashboard pages, so a new capability adds a plugin here and a
 * page in the dashboard without touching the others.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { timingSafeEqual, createHash } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyPluginAsync, type FastifyReply } from 'fastify';
import fastifyStatic from '@fastify/static';
import rateLimit from '@fastify/rate-limit';
import type { Store } from '../store/open.ts';
import { ApiError, errorBody, TtlCache, type ApiContext, type RouteSpec } from './api/common.ts';
import { postsApi } from './api/posts.ts';
import { statsApi } from './api/stats.ts';
import { findingsApi } from './api/findings.ts';
import { termsApi } from './api/terms.ts';
import { sourcesApi } from './api/sources.ts';
import { watchApi } from './api/watch.ts';
import { settingsApi, ServerPrivacy } from './api/settings.ts';
import { blockingApi } from './api/blocking.ts';
import { evidenceApi } from './api/evidence.ts';
import { downloadsApi } from './api/downloads.ts';
import { PseudonymIndex } from '../report/privacy.ts';
import { FilterError } from '../report/export-filter.ts';
import { impostorsApi } from './api/impostors.ts';
import { siteWatchApi } from './api/site-watch.ts';
import { archiveAccess, type ArchiveReader } from './archive-access.ts';
import { openArchive } from '../archive/index.ts';
import { archiveDirFor } from '../archive/location.ts';
import { openApiDocument } from './openapi.ts';
import { Services } from './services.ts';
import { PROJECT_ROOT, WEB_DIST } from './web-build.ts';
import { hostAllowed, allowedHostNames } from './hosts.ts';

/** The API areas, in registration order; a capability adds its plugin here. */
export const API_PLUGINS: Array<(app: FastifyInstance, ctx: ApiContext) => Promise<void>> = [
  statsApi, postsApi, termsApi, findingsApi, sourcesApi, watchApi, settingsApi,
  blockingApi, evidenceApi, downloadsApi, impostorsApi, siteWatchApi,
];

/** No inline script or style attributes; charts draw on canvas, and ECharts sets styles through CSSOM; frames only of this server (the site watch's sandboxed replay). */
export const CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'", "frame-src 'self'",
  "font-src 'self'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'", "object-src 'none'",
].join('; ');

/** Headers every response carries, errors included. */
export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

/** Headers a route may set to a stricter policy of its own (the archived replay's sandbox, framed by the dashboard only). */
const ROUTE_POLICY = new Set(['Content-Security-Policy', 'X-Frame-Options']);

function secure(reply: FastifyReply): FastifyReply {
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) if (!(ROUTE_POLICY.has(k) && reply.hasHeader(k))) reply.header(k, v);
  return reply;
}

/**
 * Fastify answers malformed requests itself, before any hook runs, with its own body and no
 * security headers: answer them in the project's error shape with the same headers.
 */
function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'timeout', 'The request took too long to arrive; send it again.']
    : err.code === 'HPE_HEADER_OVERFLOW' ? [431, 'headers_too_large', 'The request headers are too large; send fewer or shorter headers.']
      : [400, 'bad_request', 'The request is not valid HTTP.'];
  const body = JSON.stringify(errorBody(status, code, message));
  if (socket.writable) {
    const headers = { ...SECURITY_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)), 'Cache-Control': 'no-store', Connection: 'close' };
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n${body}`);
  }
  socket.destroy(err);
}

export interface ServerOptions {
  port?: number;
  host?: string;
  /** Bearer token for write/admin endpoints; without one they are refused. */
  token?: string;
  /** Requests per IP per window (default 600 per 10 s). */
  rateLimit?: { max: number; timeWindowMs: number };
  /** Share the demo's watcher and detectors (default: the server's own). */
  services?: Services;
  /** Log requests to stderr. */
  logger?: boolean;
  /** Host names the server answers to besides 127.0.0.1, localhost, [::1] and the bound host (DNS rebinding defence). */
  allowedHosts?: string[];
  /** Byte bounds of the API response cache (default 32 MB in all, 4 MB per entry). */
  cache?: { maxBytes?: number; maxEntryBytes?: number };
  /** The web archive the site watch pages replay from (default: opened on first use from the archive folder). */
  archive?: ArchiveReader;
  /** The archive folder to open when no `archive` is given (default: archiveDirFor, from the environment). */
  archiveDir?: string;
}

export interface RunningServer {
  url: string;
  app: FastifyInstance;
  services: Services;
  /** Method and path of every route served. */
  served: Array<{ method: string; url: string }>;
  /** The API response cache (its `bytes` is what it holds). */
  cache: TtlCache;
  close(): Promise<void>;
}

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

/** "10 seconds", "1 minute", "1.5 seconds": the rate limit's window as words. */
function windowText(ms: number): string {
  const [n, unit] = ms % 60_000 === 0 ? [ms / 60_000, 'minute'] : [ms / 1000, 'second'];
  return n === 1 ? `1 ${unit}` : `${n} ${unit}s`;
}

function tokenMatches(given: string, expected: string): boolean {
  // Compare digests so the comparison takes the same time whatever the lengths.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Builds the Fastify app (not listening); tests use it with `inject` or listen themselves. */
export async function buildApp(store: Store, opts: ServerOptions = {}): Promise<{ app: FastifyInstance; services: Services; served: Array<{ method: string; url: string }>; cache: TtlCache }> {
  const app = Fastify({
    logger: opts.logger ?? false, bodyLimit: 64 * 1024, routerOptions: { maxParamLength: 300 }, clientErrorHandler,
    // Bad URLs and overlong parameters are answered before hooks run: same shape and headers as every error.
    frameworkErrors: (err, _req, reply) => {
      const e = err as Error & { statusCode?: number; code?: string };
      const status = e.statusCode ?? 400;
      const message = e.code === 'FST_ERR_BAD_URL' ? 'The URL is not valid: check its percent-encoding.'
        : e.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'A path parameter of the URL is too long.' : 'The request could not be routed.';
      void secure(reply).header('Cache-Control', 'no-store').code(status).send(errorBody(status, String(e.code ?? 'bad_request').toLowerCase(), message));
    },
  });
  const services = opts.services ?? new Services(store);
  const routes: RouteSpec[] = [];
  const pages: string[] = [];
  const token = opts.token ?? '';
  // Every route Fastify actually serves, so a test can prove the OpenAPI document covers them all.
  const served: Array<{ method: string; url: string }> = [];
  app.addHook('onRoute', (r) => {
    for (const m of [r.method].flat()) if (m !== 'HEAD') served.push({ method: m, url: r.url });
  });

  // DNS rebinding: a page on an attacker's domain that resolves to this machine reaches the
  // server with its own name in Host. Answer only to names the operator expects.
  const hosts = allowedHostNames(opts.host, opts.allowedHosts);
  app.addHook('onRequest', async (req) => {
    if (!hostAllowed(req.headers.host, hosts)) {
      throw new ApiError(421, 'unknown_host', `This server does not answer to the host name in the request (${JSON.stringify(String(req.headers.host ?? '').slice(0, 100))}); its operator can add the name with --allowed-hosts.`);
    }
  });

  app.addHook('onSend', async (req, reply, payload) => {
    secure(reply);
    if (req.url.startsWith('/api/') && !reply.hasHeader('cache-control')) reply.header('Cache-Control', 'no-store');
    return payload;
  });

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    if (err instanceof ApiError) return reply.code(err.status).send(errorBody(err.status, err.code, err.message, err.param));
    if (err instanceof FilterError) return reply.code(400).send(errorBody(400, 'invalid_parameter', `query parameter "${err.param}": ${err.message}.`, err.param));
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status === 429) return reply.code(429).send(errorBody(429, 'rate_limited', err.message));
    if (status < 500) return reply.code(status).send(errorBody(status, String(err.code ?? 'bad_request').toLowerCase(), err.message));
    req.log.error(err);
    if (!opts.logger) process.stderr.write(`censorscope serve: ${req.method} ${req.url}: ${err.stack ?? err.message}\n`);
    return reply.code(500).send(errorBody(500, 'internal', 'The server failed to answer this request; see its log.'));
  });

  await app.register(rateLimit, {
    global: true,
    max: opts.rateLimit?.max ?? 600,
    timeWindow: opts.rateLimit?.timeWindowMs ?? 10_000,
    errorResponseBuilder: (_req, ctx) => Object.assign(new Error(
      `Too many requests: this server answers at most ${ctx.max} requests per ${windowText(opts.rateLimit?.timeWindowMs ?? 10_000)} from one address; retry in ${ctx.after}.`,
    ), { statusCode: 429 }),
  });

  const requireToken: ApiContext['requireToken'] = async (req) => {
    if (!token) throw new ApiError(403, 'admin_disabled', 'Write and admin endpoints are disabled: start the server with --token or CENSORSCOPE_TOKEN.');
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(header);
    if (!m) throw new ApiError(401, 'unauthorized', 'This endpoint needs an "Authorization: Bearer <token>" header.');
    if (!tokenMatches(m[1]!.trim(), token)) throw new ApiError(401, 'unauthorized', 'The bearer token is wrong.');
  };

  const cache = new TtlCache(5000, Date.now, opts.cache);
  // The site watch pages read the archive; a folder that does not exist yet means nothing was archived.
  const archiveDir = opts.archiveDir ?? archiveDirFor();
  // The watcher the dashboard starts writes to the folder the pages read (the demo sets its own).
  services.archiveDir ??= archiveDir;
  const archive = archiveAccess(opts.archive, async () => existsSync(archiveDir) ? openArchive(store, { dir: archiveDir }) : null);
  const ctx: ApiContext = { store, routes, pages, cache, services, requireToken, privacy: new ServerPrivacy(store, cache), pseudonyms: new PseudonymIndex(store), archive };
  for (const plugin of API_PLUGINS) await app.register(plugin as FastifyPluginAsync<ApiContext>, ctx);

  routes.push({ method: 'GET', url: '/openapi.json', tag: 'meta', summary: 'This OpenAPI document.' });
  const doc = JSON.stringify(openApiDocument(routes, packageVersion()));
  app.get('/openapi.json', async (_req, reply) => reply.type('application/json; charset=utf-8').send(doc));

  // The dashboard: hashed assets from dist/web, index.html for every page route (History API).
  const haveBundle = existsSync(join(WEB_DIST, 'index.html'));
  if (haveBundle) {
    await app.register(fastifyStatic, {
      root: WEB_DIST, prefix: '/', index: false, wildcard: true, maxAge: '1h', immutable: false,
      // index.html names the hashed assets of the current build: browsers must revalidate it.
      setHeaders: (reply, path) => { if (basename(path) === 'index.html') reply.header('Cache-Control', 'no-cache'); },
    });
  }
  const sendIndex = async (_req: unknown, reply: import('fastify').FastifyReply) => {
    if (!haveBundle) {
      return reply.code(503).type('text/plain; charset=utf-8').send('The dashboard bundle is not built: run `npm run build:web` (the API under /api/ works).');
    }
    return reply.sendFile('index.html');
  };
  for (const p of new Set(pages)) app.get(p, sendIndex);

  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send(errorBody(404, 'not_found', `Nothing at ${req.method} ${req.url.split('?')[0]}; see /openapi.json for the API.`));
  });

  return { app, services, served, cache };
}

/** Starts the server; resolves once it listens. */
export async function startServer(store: Store, opts: ServerOptions = {}): Promise<RunningServer> {
  const { app, services, served, cache } = await buildApp(store, opts);
  const host = opts.host ?? '127.0.0.1';
  await app.listen({ port: opts.port ?? 8787, host });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port ?? 8787;
  const shown = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    url: `http://${shown}:${port}`,
    app,
    services,
    served,
    cache,
    close: async () => {
      if (!opts.services) await services.close();
      await app.close();
    },
  };
}
