/**
 * The simulated microblog platform: an HTTP server speaking the Mastodon API subset the
 * `mastodon` source uses, serving a seeded Scenario at the simulator's clock (accelerated with
 * --speed, or a shared VirtualClock in tests and benchmarks). It injects transient 503/429
 * answers (with Retry-After), bursts of 503 (outages) and slow answers, and records ground truth.
 * A test fixture and demo data source — never presented as a real platform.
 *
 * It answers exactly as the platform of its mode does, so what the watcher can tell apart here
 * it can tell apart there. Mode `mastodon` (the only one, and the default) follows Mastodon 4.x:
 * a status deleted by its author and one removed by a moderator both answer 404
 * `{"error":"Record not found"}`; a suspended account's statuses answer 404 while the account
 * answers 200 with `"suspended": true` and its profile emptied, and its timeline is empty. The
 * ground truth still knows who acted; the answers do not say.
 */
import http from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createRng } from '../../util/random.ts';
import { AcceleratedClock, SIM_SPEED_HEADER, SIM_TIME_HEADER, type Clock } from '../../watch/clock.ts';
import { Scenario, type ScenarioOptions, type SimAccount, type SimPost, type TruthEvent } from './scenario.ts';

export type { TruthEvent } from './scenario.ts';

/** The real platform whose answers the simulator reproduces. */
export type SimPlatform = 'mastodon';
export const SIM_PLATFORMS: readonly SimPlatform[] = ['mastodon'];

/** Windows in which every request answers 503: one of `forMs` every `everyMs`, the first `offsetMs` after the start. */
export interface OutageOptions { everyMs: number; forMs: number; offsetMs: number }
const DEFAULT_OUTAGES: OutageOptions = { everyMs: 6 * 3_600_000, forMs: 3 * 60_000, offsetMs: 2 * 3_600_000 + 13 * 60_000 };

export interface SimOptions {
  /** Which platform's answers to reproduce (default and only mode: mastodon). */
  platform?: SimPlatform;
  port?: number;
  seed?: number;
  /** Simulated seconds per real second (default 1). */
  speed?: number;
  /** Writes one JSON line per disappearance (rewritten every few seconds and on close). */
  truthFile?: string;
  host?: string;
  /** Use this clock instead of an accelerated wall clock (benchmarks share one VirtualClock). */
  clock?: Clock;
  /** Simulated start time (default: now, to the minute). */
  start?: number;
  /** Share of requests answered 503/429 (default 0.03), and answered slowly (default 0.01). */
  faultRate?: number;
  slowRate?: number;
  /**
   * Wall-clock ms every answer takes (default 0): the round trip and the server's work of a real
   * platform, for benchmarks of many requests in flight. The answer itself does not change.
   */
  latencyMs?: number;
  /** Bursts of 503 (default: 3 minutes every 6 hours when faultRate is not 0; null for none). */
  outages?: OutageOptions | null;
  scenario?: Partial<Omit<ScenarioOptions, 'seed' | 'start'>>;
}

export interface SimHandle {
  url: string;
  close(): Promise<void>;
  truth(): TruthEvent[];
  /** Simulated time of every request served, for budget checks. */
  requests(): number[];
  /** How many 503/429 answers were injected (outages included). */
  faults(): number;
  /** The most requests it was serving at once (connections open with a request not yet answered). */
  peakInFlight(): number;
  scenario: Scenario;
  clock: Clock;
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Starts the simulated platform on 127.0.0.1 (or `host`). */
export async function startSim(opts: SimOptions): Promise<SimHandle> {
  const seed = opts.seed ?? 1;
  const start = opts.start ?? Math.floor(Date.now() / 60_000) * 60_000;
  const speed = opts.speed ?? 1;
  const clock = opts.clock ?? new AcceleratedClock(start, speed);
  // A clock whose pace changes (the demo's, which slows to the wall clock's once it catches up) says its current rate.
  const currentRate = () => (clock as Partial<{ rate: number }>).rate ?? speed;
  const scenario = new Scenario({ seed, start, ...opts.scenario });
  const faults = createRng(seed ^ 0x5eed);
  const faultRate = opts.faultRate ?? 0.03;
  const slowRate = opts.slowRate ?? 0.01;
  const platform = opts.platform ?? 'mastodon';
  if (!SIM_PLATFORMS.includes(platform)) throw new Error(`Unknown simulator platform "${String(platform)}"; known: ${SIM_PLATFORMS.join(', ')}.`);
  const outages = opts.outages === undefined ? (faultRate > 0 ? DEFAULT_OUTAGES : null) : opts.outages;
  const inOutage = (t: number) => outages != null && t >= start + outages.offsetMs && (t - start - outages.offsetMs) % outages.everyMs < outages.forMs;
  const log: number[] = [];
  let injected = 0;
  let inFlight = 0;
  let peak = 0;
  const latencyMs = opts.latencyMs ?? 0;
  let base = '';

  const suspended = (a: SimAccount, t: number) => a.suspendedAt != null && a.suspendedAt <= t;
  // As Mastodon's REST::AccountSerializer: a suspended account keeps its id and names, gains
  // `suspended: true`, and loses its profile (display name, note, fields, emojis).
  const accountJson = (a: SimAccount, t: number) => suspended(a, t)
    ? { id: a.id, username: a.handle, acct: a.handle, display_name: '', note: '', url: `${base}/@${a.handle}`, fields: [], emojis: [], suspended: true }
    : { id: a.id, username: a.handle, acct: a.handle, display_name: a.name, note: '', url: `${base}/@${a.handle}`, fields: [], emojis: [] };
  const statusJson = (p: SimPost, t: number) => {
    const edited = p.edit && p.edit.at <= t ? p.edit : null;
    const text = edited ? edited.text : p.text;
    let html = escapeHtml(text);
    for (const u of p.urls) html = html.replace(escapeHtml(u), `<a href="${escapeHtml(u)}" rel="nofollow">${escapeHtml(u)}</a>`);
    return {
      id: p.id, created_at: new Date(p.created).toISOString(), edited_at: edited ? new Date(edited.at).toISOString() : null,
      content: `<p>${html}</p>`, url: `${base}/@${p.account.handle}/${p.id}`, uri: `${base}/users/${p.account.handle}/statuses/${p.id}`,
      language: 'zh', in_reply_to_id: null, visibility: 'public', account: accountJson(p.account, t),
      tags: p.tags.map((name) => ({ name, url: `${base}/tags/${encodeURIComponent(name)}` })), mentions: [],
      reblog: p.reblogOf ? { id: p.reblogOf } : null,
    };
  };
  const alive = (p: SimPost, t: number) => p.created <= t && !(p.fate && p.fate.at <= t);
  const listed = (p: SimPost, t: number) => alive(p, t) && !(p.ghostFrom != null && p.ghostFrom <= t);

  /** Mastodon timeline paging: newest first; min_id pages forward from a cursor, max_id backward. */
  function page(candidates: SimPost[], q: URLSearchParams, t: number, keep: (p: SimPost) => boolean) {
    const limit = Math.min(40, Math.max(1, Number(q.get('limit') ?? 20) || 20));
    const minId = q.get('min_id'), sinceId = q.get('since_id'), maxId = q.get('max_id');
    const out: SimPost[] = [];
    if (minId) {
      for (const p of candidates) {
        if (p.id <= minId) continue;
        if (p.created > t) break;
        if (keep(p)) out.push(p);
        if (out.length >= limit) break;
      }
      return out.reverse();
    }
    for (let i = candidates.length - 1; i >= 0 && out.length < limit; i--) {
      const p = candidates[i];
      if (p.created > t || (maxId && p.id >= maxId) || !keep(p)) continue;
      if (sinceId && p.id <= sinceId) break;
      out.push(p);
    }
    return out;
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const arrived = clock.now();
    log.push(arrived);
    if (latencyMs > 0) await delay(latencyMs);
    const t = clock.now();
    scenario.ensureUntil(t + 86_400_000);
    const u = new URL(req.url ?? '/', 'http://sim');
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', [SIM_TIME_HEADER]: String(clock.now()), [SIM_SPEED_HEADER]: String(currentRate()), ...headers });
      res.end(JSON.stringify(body));
    };
    if (inOutage(t)) {
      injected++;
      return send(503, { error: 'Service temporarily unavailable' });
    }
    const r = faults.next();
    if (r < faultRate) injected++;
    if (r < faultRate * 0.66) return send(503, { error: 'Service temporarily unavailable' });
    if (r < faultRate) return send(429, { error: 'Too many requests' }, { 'retry-after': String(faults.int(1, 5)) });
    if (r < faultRate + slowRate) await clock.sleep(faults.int(1000, 4000));
    const now = clock.now();
    let m: RegExpMatchArray | null;
    const path = u.pathname;
    if (path === '/api/v1/instance') return send(200, { uri: u.host, title: 'censorscope simulated platform (not a real service)', version: '4.2.0-sim' });
    if (path === '/api/v1/timelines/public') return send(200, page(scenario.posts, u.searchParams, now, (p) => listed(p, now)).map((p) => statusJson(p, now)));
    if ((m = path.match(/^\/api\/v1\/timelines\/tag\/([^/]+)$/))) {
      const tag = decodeURIComponent(m[1]);
      return send(200, page(scenario.posts, u.searchParams, now, (p) => listed(p, now) && p.tags.includes(tag)).map((p) => statusJson(p, now)));
    }
    if (path === '/api/v1/accounts/lookup') {
      const a = scenario.accounts.find((x) => x.handle === u.searchParams.get('acct'));
      return a ? send(200, accountJson(a, now)) : send(404, { error: 'Record not found' });
    }
    if ((m = path.match(/^\/api\/v1\/accounts\/(\d+)(\/statuses)?$/))) {
      const a = scenario.accounts[Number(m[1]) - 1000];
      if (!a) return send(404, { error: 'Record not found' });
      if (!m[2]) return send(200, accountJson(a, now));
      if (suspended(a, now)) return send(200, []);
      return send(200, page(scenario.postsByAccount.get(a.id)!, u.searchParams, now, (p) => listed(p, now)).map((p) => statusJson(p, now)));
    }
    if ((m = path.match(/^\/api\/v1\/statuses\/(\d+)$/))) {
      const p = scenario.byId.get(m[1]);
      // Author deletion, moderator removal and a suspended author all answer the same 404.
      if (!p || p.created > now || !alive(p, now)) return send(404, { error: 'Record not found' });
      return send(200, statusJson(p, now));
    }
    return send(404, { error: 'Not found' });
  }

  const server = http.createServer((req, res) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    res.once('close', () => { inFlight--; });
    handle(req, res).catch((err) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: String((err as Error).message) }));
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  base = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
  const truth = () => {
    const t = clock.now();
    scenario.ensureUntil(t);
    return scenario.truthUntil(t);
  };
  const writeTruth = () => {
    if (opts.truthFile) writeFileSync(opts.truthFile, truth().map((e) => JSON.stringify(e)).join('\n') + (truth().length ? '\n' : ''));
  };
  const timer = opts.truthFile ? setInterval(writeTruth, 2000) : null;
  timer?.unref();
  return {
    url: base,
    truth,
    requests: () => [...log],
    faults: () => injected,
    peakInFlight: () => peak,
    scenario,
    clock,
    async close() {
      if (timer) clearInterval(timer);
      writeTruth();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
