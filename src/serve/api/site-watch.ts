/**
 * Site watch (issue 15) in the dashboard: the tracked sites with their state and counts by
 * verdict, one site's captures over time, one capture with its archive record, the text diff of
 * two captures, a screenshot of a capture rendered from the archive, and the archived page
 * replayed under a sandbox that runs no script and loads nothing from outside. The `/sites`
 * routes are the blocking probe's; this area lives under `/site-watch`.
 */
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { sql } from 'kysely';
import { ApiError, type ApiContext, idParam, limitParam, parseJson, route, validate } from './common.ts';
import { likePattern } from '../../report/export-filter.ts';
import { SITE_VERDICTS } from '../../detect/sites/types.ts';
import type { ArchivedAnswer } from '../../archive/types.ts';
import type { ArchiveReader } from '../archive-access.ts';
import { findSiteRecord, replayContentType, replayPath, replayTarget } from '../site-replay.ts';
import { chromiumPath, ScreenshotCache } from '../site-screenshot.ts';
import { captureDiff } from '../site-diff.ts';

/** The replay's own policy: a sandbox with no scripts, nothing from another origin, framed only by the dashboard. */
export const REPLAY_CSP = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; font-src 'self'; frame-ancestors 'self'";

const STATE_FILTER = [...SITE_VERDICTS, 'unchecked'] as const;
const offsetParam = z.coerce.number().int().min(0).max(1_000_000).default(0);
const idParams = z.object({ id: idParam });

/** Points drawn on a site's timeline at most (the most recent). */
const MAX_POINTS = 5000;

/** "5s", "15m", "1h30m", "2d": a revisit interval as the CLI's --every takes it. */
export function durationText(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return `${ms}ms`;
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  if (rest) parts.push(`${rest}ms`);
  return parts.join('');
}

const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const reasonsOf = (text: string | null): string[] => {
  const v = parseJson(text);
  return Array.isArray(v) ? v.map(String) : typeof v === 'string' && v ? [v] : [];
};
/** The page title a stored snapshot holds, when it holds one. */
export function snapshotTitle(snapshot: string | null): string | null {
  const v = parseJson(snapshot);
  return v && typeof v === 'object' && typeof (v as { title?: unknown }).title === 'string' ? (v as { title: string }).title : null;
}

/** The command that exports a site's captures as WACZ (issue 15's CLI). */
function waczCommand(url: string): string {
  const safe = url.replace(/'/g, `'\\''`);
  const file = `${(() => { try { return new URL(url).hostname; } catch { return 'site'; } })().replace(/[^A-Za-z0-9.-]+/g, '_')}.wacz`;
  return `censorscope archive export --site '${safe}' --out ${file}`;
}

/** Registers the site watch routes and pages. */
export async function siteWatchApi(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  ctx.pages.push('/site-watch', '/site-watch/:id', '/site-watch/:id/diff', '/site-watch/captures/:id');
  const db = ctx.store.db;
  let shots: ScreenshotCache | null = null;

  async function archive(): Promise<ArchiveReader> {
    const a = await ctx.archive();
    if (!a) throw new ApiError(404, 'no_archive', 'This store has no web archive: captures are archived by `censorscope watch` once sites are added with `censorscope site add`.');
    return a;
  }

  async function siteRow(id: number) {
    const s = await db.selectFrom('tracked_sites').selectAll().where('id', '=', id).executeTakeFirst();
    if (!s) throw new ApiError(404, 'not_found', `No tracked site has id ${id}; see /api/site-watch/sites for the sites tracked.`, 'id');
    return s;
  }

  async function captureRow(id: number, param = 'id') {
    const c = await db.selectFrom('site_captures as c').innerJoin('tracked_sites as s', 's.id', 'c.site_id')
      .select(['c.id', 'c.site_id', 'c.at', 'c.status', 'c.final_url', 'c.verdict', 'c.reasons', 'c.digest', 'c.error_code', 'c.snapshot', 'c.diff',
        'c.baseline_id', 'c.record_id', 'c.probe_measurement_id', 's.url as site_url', 's.name as site_name'])
      .where('c.id', '=', id).executeTakeFirst();
    if (!c) throw new ApiError(404, 'not_found', `No capture has id ${id}.`, param);
    return c;
  }

  /** A capture as lists show it. */
  const summary = (c: { id: unknown; at: unknown; status: unknown; verdict: string; reasons: string; digest: string | null; record_id: unknown; error_code: string | null }) => ({
    id: Number(c.id), at: Number(c.at), status: n(c.status), verdict: c.verdict, reasons: reasonsOf(c.reasons), digest: c.digest, recordId: n(c.record_id), errorCode: c.error_code,
  });

  const site = (s: { id: unknown; url: string; name: string | null; every_ms: unknown; category: string | null; enabled: unknown; added_at: unknown; next_check_at: unknown; state: string | null; state_since: unknown; webhook: string | null }) => ({
    id: Number(s.id), url: s.url, name: s.name, everyMs: Number(s.every_ms), every: durationText(Number(s.every_ms)), category: s.category,
    enabled: Number(s.enabled) === 1, addedAt: Number(s.added_at), nextCheckAt: Number(s.next_check_at), state: s.state, stateSince: n(s.state_since),
    // Whether an alert goes out, not where: the webhook URL may carry a secret.
    webhook: s.webhook ? 'site' : null,
  });

  async function countsBySite(ids: number[]): Promise<Map<number, Record<string, number>>> {
    const out = new Map<number, Record<string, number>>();
    if (!ids.length) return out;
    const rows = await db.selectFrom('site_captures').select(['site_id', 'verdict', (eb) => eb.fn.countAll<number>().as('n')])
      .where('site_id', 'in', ids).groupBy(['site_id', 'verdict']).execute();
    for (const r of rows) {
      const m = out.get(Number(r.site_id)) ?? Object.fromEntries(SITE_VERDICTS.map((v) => [v, 0]));
      m[r.verdict] = (m[r.verdict] ?? 0) + Number(r.n);
      out.set(Number(r.site_id), m);
    }
    return out;
  }

  route(app, ctx, {
    method: 'GET', url: '/api/site-watch/sites', tag: 'site-watch',
    summary: 'Tracked sites (`censorscope site add`): URL, name, revisit interval, state (the latest verdict) and since when, the latest capture, and counts of captures by verdict; filtered by state or a substring of URL or name. `states` counts every site by state, for the filter.',
    query: z.object({
      state: z.enum(STATE_FILTER).optional().meta({ description: 'a verdict (reachable, updated, defaced, injected, taken_down, down, blocked), or unchecked for sites not visited yet' }),
      q: z.string().trim().min(1).max(200).optional().meta({ description: 'substring of the URL or the name' }),
      limit: limitParam(50, 200), offset: offsetParam,
    }),
  }, async ({ query }) => {
    let qb = db.selectFrom('tracked_sites as s');
    if (query.state === 'unchecked') qb = qb.where('s.state', 'is', null);
    else if (query.state) qb = qb.where('s.state', '=', query.state);
    if (query.q) {
      const p = likePattern(query.q);
      qb = qb.where(sql<boolean>`(lower(s.url) like lower(${p}) escape '\\' or lower(s.name) like lower(${p}) escape '\\')`);
    }
    const [rows, total, states] = await Promise.all([
      qb.leftJoin('site_captures as c', 'c.id', 's.last_capture_id')
        .select(['s.id', 's.url', 's.name', 's.every_ms', 's.category', 's.enabled', 's.added_at', 's.next_check_at', 's.state', 's.state_since', 's.webhook',
          'c.id as c_id', 'c.at as c_at', 'c.status as c_status', 'c.verdict as c_verdict', 'c.reasons as c_reasons', 'c.digest as c_digest', 'c.record_id as c_record_id', 'c.error_code as c_error_code'])
        .orderBy('s.id').limit(query.limit).offset(query.offset).execute(),
      qb.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      db.selectFrom('tracked_sites').select(['state', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('state').execute(),
    ]);
    const counts = await countsBySite(rows.map((r) => Number(r.id)));
    const items = rows.map((r) => ({
      ...site(r),
      last: r.c_id === null ? null : summary({ id: r.c_id, at: r.c_at, status: r.c_status, verdict: r.c_verdict!, reasons: r.c_reasons!, digest: r.c_digest, record_id: r.c_record_id, error_code: r.c_error_code }),
      byVerdict: counts.get(Number(r.id)) ?? Object.fromEntries(SITE_VERDICTS.map((v) => [v, 0])),
    }));
    const byState: Record<string, number> = Object.fromEntries(STATE_FILTER.map((s) => [s, 0]));
    for (const s of states) byState[s.state ?? 'unchecked'] = (byState[s.state ?? 'unchecked'] ?? 0) + Number(s.n);
    const t = Number(total.n);
    return { total: t, items, next: query.offset + query.limit < t ? query.offset + query.limit : null, states: byState };
  });

  route(app, ctx, {
    method: 'GET', url: '/api/site-watch/sites/:id', tag: 'site-watch', params: idParams,
    summary: "One tracked site: its fields, counts by verdict, the timeline's points (time, verdict, capture id; the most recent 5,000) and its captures newest first, paged, optionally of one verdict.",
    query: z.object({ verdict: z.enum(SITE_VERDICTS).optional(), limit: limitParam(50, 500), offset: offsetParam }),
  }, async ({ params, query }) => {
    const s = await siteRow(params.id);
    let cq = db.selectFrom('site_captures').where('site_id', '=', params.id);
    if (query.verdict) cq = cq.where('verdict', '=', query.verdict);
    const [rows, total, points, counts] = await Promise.all([
      cq.select(['id', 'at', 'status', 'verdict', 'reasons', 'digest', 'record_id', 'error_code', 'snapshot']).orderBy('at', 'desc').orderBy('id', 'desc')
        .limit(query.limit).offset(query.offset).execute(),
      cq.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      db.selectFrom('site_captures').select(['id', 'at', 'verdict']).where('site_id', '=', params.id).orderBy('at', 'desc').orderBy('id', 'desc').limit(MAX_POINTS + 1).execute(),
      countsBySite([params.id]),
    ]);
    const t = Number(total.n);
    return {
      site: site(s),
      byVerdict: counts.get(params.id) ?? Object.fromEntries(SITE_VERDICTS.map((v) => [v, 0])),
      chart: { points: points.slice(0, MAX_POINTS).reverse().map((p) => [Number(p.at), p.verdict, Number(p.id)] as const), truncated: points.length > MAX_POINTS },
      captures: { total: t, items: rows.map((c) => ({ ...summary(c), title: snapshotTitle(c.snapshot) })), next: query.offset + query.limit < t ? query.offset + query.limit : null },
      wacz: { command: waczCommand(s.url) },
    };
  });

  route(app, ctx, {
    method: 'GET', url: '/api/site-watch/captures/:id', tag: 'site-watch', params: idParams,
    summary: 'One capture: what came back (status, final URL, error), the verdict and its reasons, the change summary against its baseline, the archive record holding what was served (WARC file, offset, record id, payload digest), the previous and next captures, and where to replay it, see it rendered, and export it.',
  }, async ({ params }) => {
    const c = await captureRow(params.id);
    const [rec, prev, next] = await Promise.all([
      c.record_id === null ? null : db.selectFrom('archive_records').selectAll().where('id', '=', Number(c.record_id)).executeTakeFirst(),
      db.selectFrom('site_captures').select('id').where('site_id', '=', c.site_id)
        .where((eb) => eb.or([eb('at', '<', c.at), eb.and([eb('at', '=', c.at), eb('id', '<', c.id)])])).orderBy('at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst(),
      db.selectFrom('site_captures').select('id').where('site_id', '=', c.site_id)
        .where((eb) => eb.or([eb('at', '>', c.at), eb.and([eb('at', '=', c.at), eb('id', '>', c.id)])])).orderBy('at', 'asc').orderBy('id', 'asc').limit(1).executeTakeFirst(),
    ]);
    const original = rec?.type === 'revisit' && rec.refers_to !== null
      ? await db.selectFrom('archive_records').select(['id', 'warc_record_id', 'file', 'date']).where('id', '=', Number(rec.refers_to)).executeTakeFirst() : null;
    const base = `/api/site-watch/captures/${Number(c.id)}`;
    return {
      id: Number(c.id), siteId: Number(c.site_id), site: { id: Number(c.site_id), url: c.site_url, name: c.site_name },
      at: Number(c.at), status: n(c.status), finalUrl: c.final_url, verdict: c.verdict, reasons: reasonsOf(c.reasons), digest: c.digest, errorCode: c.error_code,
      title: snapshotTitle(c.snapshot), change: parseJson(c.diff), baselineId: n(c.baseline_id), probeMeasurementId: n(c.probe_measurement_id),
      previousId: prev ? Number(prev.id) : null, nextId: next ? Number(next.id) : null,
      record: rec ? {
        id: Number(rec.id), type: rec.type, warcRecordId: rec.warc_record_id, file: rec.file, offset: Number(rec.record_offset), length: Number(rec.record_length),
        targetUri: rec.target_uri, date: Number(rec.date), payloadDigest: rec.payload_digest, httpStatus: n(rec.http_status), contentType: rec.content_type,
        revisitOf: original ? { id: Number(original.id), warcRecordId: original.warc_record_id, file: original.file, date: Number(original.date) } : null,
      } : null,
      replay: rec ? `${base}/replay${replayPath(c.final_url ?? c.site_url)}` : null,
      screenshot: rec && c.digest ? `${base}/screenshot.png` : null,
      wacz: { command: waczCommand(c.site_url) },
    };
  });

  route(app, ctx, {
    method: 'GET', url: '/api/site-watch/diff', tag: 'site-watch',
    summary: "The text difference between two captures of one site (a: the earlier, b: the later), as hunks of added and removed lines of the pages' main text after boilerplate normalisation, with both captures' titles, verdicts and reasons.",
    query: z.object({ a: idParam.meta({ description: 'capture id (the older)' }), b: idParam.meta({ description: 'capture id (the newer)' }) }),
  }, async ({ query }) => {
    const [a, b] = await Promise.all([captureRow(query.a, 'a'), captureRow(query.b, 'b')]);
    if (Number(a.site_id) !== Number(b.site_id)) throw new ApiError(400, 'invalid_parameter', `query parameter "b": capture ${query.b} is of another site than capture ${query.a}; compare two captures of one site.`, 'b');
    const side = (c: typeof a) => ({ id: Number(c.id), at: Number(c.at), status: n(c.status), verdict: c.verdict, reasons: reasonsOf(c.reasons), title: snapshotTitle(c.snapshot), digest: c.digest });
    return { siteId: Number(a.site_id), a: side(a), b: side(b), ...captureDiff(a.snapshot, b.snapshot) };
  });

  // Screenshots and the replay send bytes, not JSON: registered by hand, documented and validated like the rest.
  const shotSpec = {
    method: 'GET' as const, url: '/api/site-watch/captures/:id/screenshot.png', tag: 'site-watch', params: idParams, produces: ['image/png'],
    summary: 'A screenshot of the capture rendered by Chromium from the archive alone (JavaScript off; every request answered from the archive or aborted), cached by payload digest; 404 with a sentence when Chromium is not installed or nothing was archived.',
  };
  ctx.routes.push(shotSpec);
  app.get(shotSpec.url, async (req, reply) => {
    const { id } = validate(idParams, req.params ?? {}, 'path');
    const c = await captureRow(id);
    if (c.record_id === null || !c.digest) throw new ApiError(404, 'no_body', `Capture ${id} archived no page (${c.error_code ? `the site did not answer: ${c.error_code}` : 'no body came back'}), so there is nothing to render.`, 'id');
    const executable = chromiumPath();
    if (!executable) throw new ApiError(404, 'no_chromium', 'Screenshots need Chromium, which is not installed on this server (apt-get install chromium); the text diff and the replay work without it.', 'id');
    const a = await archive();
    shots ??= new ScreenshotCache(join(a.dir, 'screenshots'));
    const siteId = Number(c.site_id);
    const at = Number(c.at);
    const png = await shots.get(c.digest, async () => ({
      url: c.final_url ?? c.site_url,
      main: await a.read(Number(c.record_id)),
      lookup: async (url: string) => {
        const rid = await findSiteRecord(ctx.store, siteId, url, at);
        return rid === null ? null : a.read(rid);
      },
    }));
    return reply.type('image/png').header('Cache-Control', 'private, max-age=3600').send(png);
  });

  /**
   * Sends an archived answer as replay: its body, a vetted content type, and the sandbox policy. No
   * Cross-Origin-Resource-Policy: the sandboxed page has an opaque origin, and its own archived images must load.
   */
  const sendReplay = (reply: FastifyReply, answer: ArchivedAnswer) => reply
    .header('Content-Security-Policy', REPLAY_CSP).header('X-Frame-Options', 'SAMEORIGIN').header('Cache-Control', 'private, max-age=300')
    .header('Referrer-Policy', 'no-referrer')
    .type(replayContentType(answer.headers)).code(answer.status >= 200 && answer.status < 600 ? answer.status : 200).send(Buffer.from(answer.body));

  async function replay(id: number, rest: string | null, search: string, reply: FastifyReply) {
    const c = await captureRow(id);
    if (c.record_id === null) throw new ApiError(404, 'no_body', `Capture ${id} archived no page (${c.error_code ? `the site did not answer: ${c.error_code}` : 'no body came back'}), so there is nothing to replay.`, 'id');
    const a = await archive();
    const pageUrl = c.final_url ?? c.site_url;
    const target = rest === null ? pageUrl : replayTarget(pageUrl, rest, search);
    if (target === null) throw new ApiError(404, 'not_archived', 'This path cannot be on the captured site.');
    if (rest === null || target === new URL(pageUrl).href) return sendReplay(reply, await a.read(Number(c.record_id)));
    const rid = await findSiteRecord(ctx.store, Number(c.site_id), target, Number(c.at));
    if (rid === null) throw new ApiError(404, 'not_archived', `The archive holds no copy of ${target.slice(0, 300)}; the replay loads nothing from the live web.`);
    return sendReplay(reply, await a.read(rid));
  }

  const replaySpec = {
    method: 'GET' as const, url: '/api/site-watch/captures/:id/replay', tag: 'site-watch', params: idParams, produces: ['text/html'],
    summary: "The archived page as served (its body, with a vetted content type and none of its other headers) under `Content-Security-Policy: sandbox; default-src 'none'`: no script runs and nothing loads from outside the archive.",
  };
  ctx.routes.push(replaySpec);
  app.get(replaySpec.url, async (req, reply) => replay(validate(idParams, req.params ?? {}, 'path').id, null, '', reply));
  const replayPathSpec = {
    ...replaySpec, url: '/api/site-watch/captures/:id/replay/*',
    summary: "The capture replayed at its own path (`…/replay/news/`), so the page's relative links resolve; other paths of the site answer from the archive (the copy closest in time to the capture) or 404.",
  };
  ctx.routes.push(replayPathSpec);
  app.get(replayPathSpec.url, async (req, reply) => {
    const { id } = validate(idParams, { id: (req.params as Record<string, string>).id }, 'path');
    const rest = (req.params as Record<string, string>)['*'] ?? '';
    const q = req.url.indexOf('?');
    return replay(id, rest, q >= 0 ? req.url.slice(q) : '', reply);
  });
}
