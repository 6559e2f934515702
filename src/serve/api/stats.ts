/**
 * Aggregates for the overview: one snapshot of the counts a page shows (totals, posts per
 * status, per source and the top accounts, read in one transaction so no two numbers on the
 * page come from different moments), disappearances per hour by kind, and removal rates with
 * their 95% Wilson intervals. Cached briefly so a polling dashboard does not rescan the store.
 */
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import { ApiError, type ApiContext, limitParam, route, timeParam } from './common.ts';
import { num } from './posts.ts';
import { gonePerSource, postsPerSource } from '../../store/queries/post-counts.ts';
import { serveDb, tryDisappearances, type ServeDb } from './tables.ts';
import { simulatedSources } from './simulated.ts';
import { wilson } from '../../detect/terms/stats.ts';
import type { Store } from '../../store/open.ts';

const HOUR = 3_600_000;
/** Statuses that count as a removal (the post is gone, not by its author's hand). */
export const REMOVED = ['removed_by_platform', 'account_gone'] as const;
/**
 * Below this many posts a removal rate is too uncertain to rank (3 of 5 posts is anywhere from
 * 23% to 88% at 95%): such accounts are left out of the ranking, and such sources are listed
 * apart, with their counts but without a rank.
 */
export const MIN_POSTS = 10;
/** Rows of the overview's account table. */
const TOP_ACCOUNTS = 10;

/** How the rates are computed and ranked, as every rate response states it. */
const RATE_METHOD = {
  removedAs: [...REMOVED], minPosts: MIN_POSTS, confidence: 0.95, interval: 'wilson',
  rankedBy: 'the lower bound of the 95% Wilson interval (a rate the data supports at least), then removals',
} as const;

/** Registers the overview and aggregate routes. */
export async function statsApi(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  const db = serveDb(ctx.store.db);
  ctx.pages.push('/');
  const snapshot = () => ctx.cache.get('overview', () => overview(ctx.store, db));

  route(app, ctx, {
    method: 'GET', url: '/api/overview', tag: 'overview',
    summary: 'One snapshot of the overview\'s counts: totals, posts per status, per source (with removal rates and intervals), the top accounts by removal rate, which sources are simulated, and the time range of the data.',
  }, async () => {
    const [o, view] = await Promise.all([snapshot(), ctx.privacy.view()]);
    // The cache holds accounts as stored; the privacy policy applies to each response.
    return { ...o, topAccounts: { ...o.topAccounts, items: o.topAccounts.items.map((i) => viewAccount(view, i)) } };
  });

  route(app, ctx, {
    method: 'GET', url: '/api/simulated', tag: 'overview',
    summary: 'The simulated sources present in the store (`kind` posts or measurements, `source` its name); empty when all data is observed. The dashboard shows a banner on every page while any is present.',
  }, async () => ({ simulated: await ctx.cache.get('simulated', () => simulatedSources(db), 2000) }));

  route(app, ctx, {
    method: 'GET', url: '/api/disappearances', tag: 'overview', summary: 'Disappearances per time bucket (default hourly), stacked by kind, and the buckets in which any check was made.',
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
    return ctx.cache.get(key, async () => {
      const [series, checked] = await Promise.all([disappearanceSeries(db, from, to, query.bucket), checkedBuckets(db, from, to, query.bucket)]);
      return { from, to, bucket: query.bucket, series, checked };
    }, 3000);
  });

  route(app, ctx, {
    method: 'GET', url: '/api/removal-rates/accounts', tag: 'overview',
    summary: 'Accounts with at least `min_posts` posts, ranked by the lower bound of the 95% Wilson interval of their removal rate (removed or account gone / posts).',
    query: z.object({ limit: limitParam(20, 100), min_posts: z.coerce.number().int().min(1).max(1_000_000).default(MIN_POSTS) }),
  }, async ({ query }) => {
    const [rates, view] = await Promise.all([
      ctx.cache.get(`rates:accounts:${query.limit}:${query.min_posts}`, () => accountRates(db, query.limit, query.min_posts), 10_000),
      ctx.privacy.view(),
    ]);
    return { ...RATE_METHOD, minPosts: query.min_posts, items: rates.map((i) => viewAccount(view, i)) };
  });

  route(app, ctx, {
    method: 'GET', url: '/api/removal-rates/sources', tag: 'overview',
    summary: 'Sources by removal rate with 95% Wilson intervals: those with at least the minimum sample ranked by the interval\'s lower bound, then those below it (`ranked: false`). The same snapshot as /api/overview.',
    query: z.object({ limit: limitParam(20, 100) }),
  }, async ({ query }) => {
    const o = await snapshot();
    return { ...RATE_METHOD, asOf: o.asOf, items: o.bySource.slice(0, query.limit) };
  });
}

type AccountRate = Awaited<ReturnType<typeof accountRates>>[number];

/** An account row as the privacy policy lets it out (pseudonyms unless revealed). */
function viewAccount(view: Awaited<ReturnType<ApiContext['privacy']['view']>>, { source, ...i }: AccountRate) {
  return { ...i, handle: view.handle(source, i.platform_account_id, i.handle), platform_account_id: view.id(source, i.platform_account_id) };
}

/** Runs `read` in one transaction, so every count it reads comes from the same moment of the store. */
async function readSnapshot<T>(store: Store, db: ServeDb, read: (tx: ServeDb) => Promise<T>): Promise<T> {
  // Where other processes write concurrently (PostgreSQL), read committed would give each
  // statement its own snapshot; SQLite's read transaction already sees one state of the file.
  const tx = store.caps.concurrentWriters ? db.transaction().setIsolationLevel('repeatable read') : db.transaction();
  return tx.execute((t) => read(t));
}

/** A removal rate with its 95% Wilson interval and whether the sample is large enough to rank. */
function rateOf(posts: number, removed: number, minPosts: number) {
  const w = wilson(removed, posts);
  return { posts, removed, rate: posts ? removed / posts : 0, low: w.low, high: w.high, ranked: posts >= minPosts };
}

/** Orders rates by the interval's lower bound, then removals, then sample size. */
function byLowerBound<R extends { low: number; removed: number; posts: number }>(a: R, b: R): number {
  return b.low - a.low || b.removed - a.removed || b.posts - a.posts;
}

async function overview(store: Store, root: ServeDb) {
  return readSnapshot(store, root, async (db) => {
    // Tiles and the sources table come from this one GROUP BY, so they agree by construction.
    const [totals, gone, accounts, sources, findings, first, last, lastCheck, simulated, topAccounts] = await Promise.all([
      // Posts per source, and per source and status for the others (visible is the difference);
      // kept counts where the store has them (src/store/queries/post-counts.ts).
      postsPerSource(db, store.caps),
      gonePerSource(db, store.caps),
      db.selectFrom('accounts').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst(),
      db.selectFrom('sources').select(['id', 'name', 'kind', 'platform']).orderBy('id').execute(),
      db.selectFrom('findings').select(['kind', (eb) => eb.fn.countAll().as('n')]).groupBy('kind').execute(),
      // min and max in separate queries: each is one step down the index.
      db.selectFrom('posts').select((eb) => eb.fn.min('created_at').as('t')).executeTakeFirst(),
      db.selectFrom('posts').select((eb) => eb.fn.max('created_at').as('t')).executeTakeFirst(),
      db.selectFrom('observations').select((eb) => eb.fn.max('observed_at').as('t')).executeTakeFirst(),
      simulatedSources(db),
      accountRates(db, TOP_ACCOUNTS, MIN_POSTS),
    ]);
    const range = { first: first?.t, last: last?.t };
    const byStatus: Record<string, number> = { visible: 0 };
    const perSource = new Map<number, Record<string, number>>();
    let total = 0;
    for (const t of totals) {
      const n = Number(t.n);
      total += n;
      byStatus.visible! += n;
      perSource.set(Number(t.source_id), { visible: n });
    }
    for (const g of gone) {
      const n = Number(g.n);
      const s = perSource.get(Number(g.source_id))!;
      s[g.status] = (s[g.status] ?? 0) + n;
      s.visible! -= n;
      byStatus[g.status] = (byStatus[g.status] ?? 0) + n;
      byStatus.visible! -= n;
    }
    const bySource = sources.filter((s) => perSource.has(Number(s.id))).map((s) => {
      const st = perSource.get(Number(s.id))!;
      const posts = Object.values(st).reduce((a, b) => a + b, 0);
      const removed = REMOVED.reduce((a, k) => a + (st[k] ?? 0), 0);
      return { source_id: Number(s.id), name: s.name, kind: s.kind, platform: s.platform, byStatus: st, ...rateOf(posts, removed, MIN_POSTS) };
    });
    bySource.sort((a, b) => Number(b.ranked) - Number(a.ranked) || (a.ranked ? byLowerBound(a, b) : b.posts - a.posts));
    const lastPostAt = num(range?.last);
    const lastCheckAt = num(lastCheck?.t);
    return {
      posts: total, accounts: Number(accounts?.n ?? 0), sources: sources.length, byStatus,
      removed: REMOVED.reduce((a, k) => a + (byStatus[k] ?? 0), 0),
      findings: Object.fromEntries(findings.map((f) => [f.kind, Number(f.n)])),
      bySource,
      topAccounts: { ...RATE_METHOD, items: topAccounts },
      simulated,
      /** The data's own clock: when its posts were written and when it was last checked. */
      range: { firstPostAt: num(range?.first), lastPostAt, lastCheckAt, dataTo: Math.max(lastPostAt ?? 0, lastCheckAt ?? 0) || null },
      /** When this snapshot was read (the server's clock). */
      asOf: Date.now(),
      generatedAt: Date.now(),
    };
  });
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
 * Buckets in which at least one check was made: a bucket without checks has no data (the
 * watcher was not running), which a chart must show as a gap, not as zero disappearances.
 */
async function checkedBuckets(db: ServeDb, from: number, to: number, width: number): Promise<number[]> {
  const rows = await db.selectFrom('observations')
    .select(sql<number>`(observed_at / ${sql.lit(width)}) * ${sql.lit(width)}`.as('bucket'))
    .where('observed_at', '>=', from).where('observed_at', '<', to).groupBy('bucket').execute();
  return rows.map((r) => Math.floor(Number(r.bucket) / width) * width).sort((a, b) => a - b);
}

/** Upper bound of the Wilson lower bound an account with `removed` removals can reach (all its posts removed, or the smallest sample). */
function bestLowerBound(removed: number, minPosts: number): number {
  return wilson(removed, Math.max(removed, minPosts)).low;
}

/**
 * Accounts with at least `minPosts` posts, ranked by the lower bound of their removal rate's
 * 95% Wilson interval. Only accounts with a removal can rank above zero, so candidates come from
 * the partial index of non-visible posts, most removals first, and totals are looked up a chunk
 * at a time. The lower bound grows with removals and shrinks with posts, so an account with r
 * removals can reach at most bestLowerBound(r): once the ranking's last row beats that bound for
 * the next candidate, no later candidate can enter it, and the ranking is exact without a
 * full-table GROUP BY.
 */
async function accountRates(db: ServeDb, limit: number, minPosts: number) {
  const candidates = (await db.selectFrom('posts')
    .select(['account_id', (eb) => eb.fn.countAll().as('n')])
    .where(sql<boolean>`status <> 'visible'`).where('status', 'in', [...REMOVED]).where('account_id', 'is not', null)
    .groupBy('account_id').execute())
    .map((c) => ({ id: Number(c.account_id), removed: Number(c.n) }))
    .sort((a, b) => b.removed - a.removed || a.id - b.id);
  const ranked: Array<{ account_id: number } & ReturnType<typeof rateOf>> = [];
  const CHUNK = 1000;
  for (let i = 0; i < candidates.length; i += CHUNK) {
    if (ranked.length >= limit && ranked[limit - 1]!.low > bestLowerBound(candidates[i]!.removed, minPosts)) break;
    const chunk = candidates.slice(i, i + CHUNK);
    const removed = new Map(chunk.map((c) => [c.id, c.removed]));
    // Posts per account from the (account_id, created_at) index alone; names are read for the winners only.
    const totals = await db.selectFrom('posts').select(['account_id', (eb) => eb.fn.countAll().as('n')])
      .where('account_id', 'in', chunk.map((c) => c.id)).groupBy('account_id').execute();
    for (const t of totals) {
      const posts = Number(t.n);
      if (posts >= minPosts) ranked.push({ account_id: Number(t.account_id), ...rateOf(posts, removed.get(Number(t.account_id)) ?? 0, minPosts) });
    }
    ranked.sort((a, b) => byLowerBound(a, b) || a.account_id - b.account_id);
    ranked.length = Math.min(ranked.length, limit);
  }
  if (!ranked.length) return [];
  const named = new Map((await db.selectFrom('accounts as a').innerJoin('sources as s', 's.id', 'a.source_id')
    .select(['a.id', 'a.handle', 'a.platform_account_id', 'a.status', 'a.source_id', 's.name as source'])
    .where('a.id', 'in', ranked.map((r) => r.account_id)).execute()).map((a) => [Number(a.id), a]));
  return ranked.flatMap((r) => {
    const a = named.get(r.account_id);
    return a ? [{ ...r, handle: a.handle, platform_account_id: a.platform_account_id, status: a.status, source_id: Number(a.source_id), source: a.source }] : [];
  });
}
