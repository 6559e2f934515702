/** Watch health (checks per minute, errors, from `observations`) and starting or stopping the watcher (admin). */
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import { redactSecrets } from '../../report/redact.ts';
import { ApiError, type ApiContext, route } from './common.ts';
import { num } from './posts.ts';
import { serveDb, type ServeDb } from './tables.ts';
import { DETECTORS } from '../../detect/index.ts';

const MINUTE = 60_000;
/** Outcomes that mean the check itself failed, not that the post is gone. */
const ERROR_OUTCOMES = ['transient', 'unknown'];

/** Registers the watch and detector routes. */
export async function watchApi(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  const db = serveDb(ctx.store.db);

  route(app, ctx, {
    method: 'GET', url: '/api/watch/health', tag: 'watch', summary: 'Checks and errors per minute over the `minutes` up to the latest check (the data\'s clock; minutes without checks are absent from `series`), and whether the watcher runs here.',
    query: z.object({ minutes: z.coerce.number().int().min(1).max(24 * 60).default(30) }),
  }, async ({ query }) => ({
    ...(await ctx.cache.get(`health:${query.minutes}`, () => health(db, query.minutes), 2000)),
    // The watcher's state lives in this process and costs nothing to read: never serve it stale
    // from the cache (right after a stop it would still say "running"). Its last error quotes
    // the URL it failed on, which may carry a source's credentials.
    watcher: redactSecrets(ctx.services.watch),
  }));

  route(app, ctx, {
    method: 'POST', url: '/api/watch/start', tag: 'watch', summary: 'Start the watcher in this server (admin: bearer token).', admin: true,
    body: z.object({ durationMs: z.number().int().positive().max(30 * 24 * 3600_000).optional() }),
  }, async ({ body }) => {
    return { watcher: await ctx.services.startWatch(body) };
  });

  route(app, ctx, { method: 'POST', url: '/api/watch/stop', tag: 'watch', summary: 'Stop the watcher (admin: bearer token).', admin: true },
    async () => ({ watcher: await ctx.services.stopWatch() }));

  route(app, ctx, {
    method: 'GET', url: '/api/detectors', tag: 'detectors', summary: 'The detectors this server can run (the registry in src/detect/index.ts), with their default options.',
  }, async () => ({ items: DETECTORS.map((d) => ({ name: d.name, description: d.description, defaults: d.defaults })) }));

  route(app, ctx, {
    method: 'POST', url: '/api/detectors/:name/run', tag: 'detectors', summary: 'Run a detector now and store its findings (admin: bearer token).', admin: true,
    params: z.object({ name: z.string().max(100) }),
  }, async ({ params }) => {
    if (!DETECTORS.some((d) => d.name === params.name)) {
      throw new ApiError(404, 'not_found', `There is no detector "${params.name}"; the detectors are ${DETECTORS.map((d) => d.name).join(', ')}.`, 'name');
    }
    const result = await ctx.services.runDetector(params.name);
    ctx.cache.clear();
    return { result };
  });
}

async function health(db: ServeDb, minutes: number) {
  const last = await db.selectFrom('observations').select((eb) => eb.fn.max('observed_at').as('t')).executeTakeFirst();
  // The window ends at the data's own clock, the latest check: checks against a simulated
  // platform are stamped with its clock, which need not be the server's, and a watcher stopped
  // yesterday still has a last half hour worth showing (the page says when it ended).
  const now = last?.t != null ? Number(last.t) + 1 : Date.now();
  const since = Math.floor((now - minutes * MINUTE) / MINUTE) * MINUTE;
  const rows = await db.selectFrom('observations')
    .select([
      sql<number>`(observed_at / ${sql.lit(MINUTE)}) * ${sql.lit(MINUTE)}`.as('minute'),
      (eb) => eb.fn.countAll().as('checks'),
      sql<number>`sum(case when outcome in (${sql.join(ERROR_OUTCOMES.map((o) => sql.lit(o)))}) or error_code is not null then 1 else 0 end)`.as('errors'),
    ])
    .where('observed_at', '>=', since).groupBy('minute').orderBy('minute').execute();
  const series = rows.map((r) => ({ minute: Math.floor(Number(r.minute) / MINUTE) * MINUTE, checks: Number(r.checks), errors: Number(r.errors ?? 0) }));
  const checks = series.reduce((s, r) => s + r.checks, 0);
  const errors = series.reduce((s, r) => s + r.errors, 0);
  // The current minute is partial: the rate uses the complete minutes of the window.
  const recent = series.filter((r) => r.minute >= now - 5 * MINUTE - MINUTE && r.minute < Math.floor(now / MINUTE) * MINUTE);
  return {
    // `series` holds only minutes with checks: a minute absent from it had no check (no data), not zero.
    minutes, since, to: now, checks, errors, errorRate: checks ? errors / checks : 0,
    checksPerMinute: recent.length ? recent.reduce((s, r) => s + r.checks, 0) / 5 : 0,
    lastCheckAt: num(last?.t), series,
  };
}
