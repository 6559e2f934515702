/**
 * Aggregates for the overview: totals, disappearances per hour by kind, removal rates per
 * account and per source. Each is computed on the server, from indexes where possible, and
 * cached briefly so a polling dashboard does not rescan the store.
 */
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import { ApiError, type ApiContext, limitParam, route, timeParam } from './common.ts';
import { num } from './posts.ts';
import { serveDb, tryDisappearances, type ServeDb } from './tables.ts';

const HOUR = 3_600_000;
/** Statuses that count as a removal (the post is gone, not by its author's hand). */
const REMOVED = ['removed_by_platform', 'account_gone'] as const;

/** Registers the overview and aggregate routes. */
export async function statsApi(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  const db = serveDb(ctx.store.db);
  ctx.pages.push('/');

  route(app, ctx, { method: 'GET', url: '/api/overview', tag: 'overview', summary: 'Totals: posts tracked, accounts, sources, posts per status.' },
    () => ctx.cache.get('overview', () => overview(db)));

  route(app, ctx, {
    method: 'GET', url: '/api/disappearances', tag: 'overview', summary: 'Disappearances per time bucket (default hourly), stacked by kind.',
    query: z.object({
      from: timeParam.optional(), to: timeParam.optional(),
      bucket: z.coerce.number().int().min(60_000).max(7 * 24 * HOUR).default(HOUR).meta({ description: 'bucket width in ms (default one hour)' }),
    }),
  }, async ({ query }) => {
    const span = await ctx.cache.get('disappearances:span', () => disappearanceSpan(db), 2000);
    const to = query.to ?? (span.last != null ? span.last + 1 : Date.now());
    // Default: the last 48 hours with data, but no empty days before the first disappearance.
    const from = query.from ?? Math.max(to - 48 * HOUR, Math.min(span.first ?? to, to - 12 * query.bucket));
    if (from >= to) throw new ApiError(400, 'invalid_parameter', 'query parameter "from": must be before "to"', 'from');
    if ((to - from) / query.bucket > 2000) throw new ApiError(400, 'invalid_parameter', 'query parameter "bucket": too small for the range (at most 2000 buckets)', 'bucket');
    const key = `disappearances:${from}:${to}:${query.bucket}`;
    return ctx.cache.get(key, async () => ({ from, to, bucket: query.bucket, series: await disappearanceSeries(db, from, to, query.bucket) }), 3000);
  });

  route(app, ctx, {
    method: 'GET', url: '/api/removal-rates/accounts', tag: 'overview', summary: 'Accounts ranked by removal rate (removed or account gone / posts).',
    query: z.object({ limit: limitParam(20, 100), min_posts: z.coerce.number().int().min(1).max(1_000_000).default(3) }),
  }, async ({ query }) => {
    const [rates, view] = await Promise.all([
      ctx.cache.get(`rates:accounts:${query.limit}:${query.min_posts}`, () => accountRates(db, query.limit, query.min_posts), 10_000),
      ctx.privacy.view(),
    ]);
    // The cache holds accounts as stored; the privacy policy applies to each response.
    return {
      items: rates.items.map(({ source, ...i }) => ({
        ...i, handle: view.handle(source, i.platform_account_id, i.handle), platform_account_id: view.id(source, i.platform_account_id),
      })),
    };
  });

  route(app, ctx, {
    method: 'GET', url: '/api/removal-rates/sources', tag: 'overview', summary: 'Sources ranked by removal rate.',
    query: z.object({ limit: limitParam(20, 100) }),
  }, async ({ query }) => ctx.cache.get('rates:sources', () => sourceRates(db), 10_000).then((r) => ({ items: r.items.slice(0, query.limit) })));
}

async function overview(db: ServeDb) {
  const [posts, accounts, sources, statuses, findings] = await Promise.all([
    db.selectFrom('posts').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst(),
    db.selectFrom('accounts').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst(),
    db.selectFrom('sources').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst(),
    // The literal predicate matches the partial index, so this reads only non-visible posts.
    db.selectFrom('posts').select(['status', (eb) => eb.fn.countAll().as('n')]).where(sql<boolean>`status <> 'visible'`).groupBy('status').execute(),
    db.selectFrom('findings').select(['kind', (eb) => eb.fn.countAll().as('n')]).groupBy('kind').execute(),
  ]);
  const total = Number(posts?.n ?? 0);
  const byStatus: Record<string, number> = { visible: total };
  for (const s of statuses) {
    byStatus[s.status] = Number(s.n);
    byStatus.visible! -= Number(s.n);
  }
  return {
    posts: total, accounts: Number(accounts?.n ?? 0), sources: Number(sources?.n ?? 0), byStatus,
    findings: Object.fromEntries(findings.map((f) => [f.kind, Number(f.n)])), generatedAt: Date.now(),
  };
}

async function disappearanceSpan(db: ServeDb): Promise<{ first: number | null; last: number | null }> {
  return tryDisappearances(
    async () => {
      const r = await db.selectFrom('disappearances').select((eb) => [eb.fn.min('first_missing_at').as('first'), eb.fn.max('first_missing_at').as('last')]).executeTakeFirst();
      return { first: num(r?.first), last: num(r?.last) };
    },
    async () => {
      const r = await db.selectFrom('posts').select((eb) => [eb.fn.min('status_changed_at').as('first'), eb.fn.max('status_changed_at').as('last')])
        .where(sql<boolean>`status <> 'visible'`).executeTakeFirst();
      return { first: num(r?.first), last: num(r?.last) };
    },
  );
}

/** Counts per (bucket, kind); `bucket` is the bucket's start in epoch ms. */
async function disappearanceSeries(db: ServeDb, from: number, to: number, width: number) {
  const rows = await tryDisappearances(
    () => db.selectFrom('disappearances')
      .select([sql<number>`(first_missing_at / ${sql.lit(width)}) * ${sql.lit(width)}`.as('bucket'), 'kind', (eb) => eb.fn.countAll().as('n')])
      .where('first_missing_at', '>=', from).where('first_missing_at', '<', to)
      .groupBy(['bucket', 'kind']).execute(),
    // Before the watch capability exists: a post's status change is its disappearance.
    () => db.selectFrom('posts')
      .select([sql<number>`(status_changed_at / ${sql.lit(width)}) * ${sql.lit(width)}`.as('bucket'), 'status as kind', (eb) => eb.fn.countAll().as('n')])
      .where(sql<boolean>`status <> 'visible'`).where('status_changed_at', '>=', from).where('status_changed_at', '<', to)
      .groupBy(['bucket', 'status']).execute(),
  );
  return rows.map((r) => ({ bucket: Math.floor(Number(r.bucket) / width) * width, kind: r.kind, count: Number(r.n) }))
    .sort((a, b) => a.bucket - b.bucket || a.kind.localeCompare(b.kind));
}

/**
 * Only accounts with at least one non-visible post can rank, so candidates come from the
 * partial index and totals are looked up for those accounts only: no full-table GROUP BY.
 */
async function accountRates(db: ServeDb, limit: number, minPosts: number) {
  const candidates = await db.selectFrom('posts')
    .select(['account_id', (eb) => eb.fn.countAll().as('n')])
    .where(sql<boolean>`status <> 'visible'`).where('status', 'in', [...REMOVED]).where('account_id', 'is not', null)
    .groupBy('account_id').orderBy('n', 'desc').limit(500).execute();
  if (!candidates.length) return { items: [] };
  const ids = candidates.map((c) => Number(c.account_id));
  const totals = await db.selectFrom('posts as p').innerJoin('accounts as a', 'a.id', 'p.account_id').innerJoin('sources as s', 's.id', 'a.source_id')
    .select(['p.account_id', 'a.handle', 'a.platform_account_id', 'a.status', 'a.source_id', 's.name as source', (eb) => eb.fn.countAll().as('n')])
    .where('p.account_id', 'in', ids).groupBy(['p.account_id', 'a.handle', 'a.platform_account_id', 'a.status', 'a.source_id', 's.name']).execute();
  const removed = new Map(candidates.map((c) => [Number(c.account_id), Number(c.n)]));
  const items = totals.map((t) => {
    const posts = Number(t.n);
    const r = removed.get(Number(t.account_id)) ?? 0;
    return { account_id: Number(t.account_id), handle: t.handle, platform_account_id: t.platform_account_id, status: t.status, source_id: Number(t.source_id), source: t.source, posts, removed: r, rate: posts ? r / posts : 0 };
  }).filter((i) => i.posts >= minPosts).sort((a, b) => b.rate - a.rate || b.removed - a.removed).slice(0, limit);
  return { items };
}

async function sourceRates(db: ServeDb) {
  const [totals, removed, sources] = await Promise.all([
    db.selectFrom('posts').select(['source_id', (eb) => eb.fn.countAll().as('n')]).groupBy('source_id').execute(),
    db.selectFrom('posts').select(['source_id', (eb) => eb.fn.countAll().as('n')])
      .where(sql<boolean>`status <> 'visible'`).where('status', 'in', [...REMOVED]).groupBy('source_id').execute(),
    db.selectFrom('sources').select(['id', 'name', 'kind', 'platform']).execute(),
  ]);
  const rem = new Map(removed.map((r) => [Number(r.source_id), Number(r.n)]));
  const byId = new Map(sources.map((s) => [Number(s.id), s]));
  const items = totals.map((t) => {
    const posts = Number(t.n);
    const r = rem.get(Number(t.source_id)) ?? 0;
    const s = byId.get(Number(t.source_id));
    return { source_id: Number(t.source_id), name: s?.name ?? null, kind: s?.kind ?? null, platform: s?.platform ?? null, posts, removed: r, rate: posts ? r / posts : 0 };
  }).sort((a, b) => b.rate - a.rate || b.posts - a.posts);
  return { items };
}
