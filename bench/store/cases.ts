/**
 * The API's reads of posts and observations, as bench cases: the posts list through its own
 * code (src/serve/api/posts-list.ts), the other routes' statements built as the routes build
 * them (src/serve/api/stats.ts overview, posts.ts a post's page, campaign-texts.ts, the watch
 * chart of stats.ts). Ids follow created_at (both generators write posts in time order), so
 * the id 10% of the way up is a post 90% of the way down the newest-first list.
 */
import { sql } from 'kysely';
import type { ServeDb } from '../../src/serve/api/tables.ts';
import { listPosts, type ListFilter } from '../../src/serve/api/posts-list.ts';
import { gonePerSource, postsPerSource } from '../../src/store/queries/post-counts.ts';
import type { Capabilities } from '../../src/store/backend.ts';

/** First millisecond of the generated year (2025, UTC). */
export const YEAR_START = Date.UTC(2025, 0, 1);
/** The generated span: one year. */
export const SPAN = 365 * 86_400_000;

export interface Case { name: string; run: () => Promise<unknown> }

/** The cases for a store of `posts` generated posts; `account` is one account's store id. */
export function apiCases(db: ServeDb, posts: number, account: number, caps: Capabilities): Case[] {
  const week = 7 * 86_400_000;
  const mid = YEAR_START + 180 * 86_400_000;
  const deepId = Math.floor(posts * 0.1) + 1;
  const list = (f: Omit<ListFilter, 'limit'>) => () => listPosts(db, { limit: 50, ...f });
  const campaign = Array.from({ length: 500 }, (_, i) => 1 + ((i * 7919 * 104729) % posts));
  return [
    { name: 'posts list, first page', run: list({}) },
    { name: 'posts list, deep keyset page', run: list({ before: deepId }) },
    { name: 'posts list, status=removed_by_platform, first page', run: list({ status: 'removed_by_platform' }) },
    { name: 'posts list, status=removed_by_platform, deep page', run: list({ status: 'removed_by_platform', before: deepId + 6 }) },
    { name: 'posts list, source=2, first page (scan window)', run: list({ source: 2 }) },
    { name: 'posts list, source=2, deep page', run: list({ source: 2, before: deepId }) },
    { name: 'posts list, q=protest, first page (scan window)', run: list({ q: 'protest' }) },
    { name: 'posts list, q=protest, deep page', run: list({ q: 'protest', before: deepId }) },
    { name: 'posts list, account, first page', run: list({ accounts: [account] }) },
    { name: 'posts list, from/to one week, first page', run: list({ from: mid, to: mid + week }) },
    { name: 'posts list, from/to one week, deep page', run: list({ from: mid - week, to: mid + week, before: Math.floor(posts * 180 / 365) }) },
    { name: 'overview: posts per source', run: () => postsPerSource(db, caps) },
    { name: 'overview: non-visible per source and status', run: () => gonePerSource(db, caps) },
    { name: 'overview: first post', run: () => db.selectFrom('posts').select((eb) => eb.fn.min('created_at').as('t')).executeTakeFirst() },
    { name: 'overview: last post', run: () => db.selectFrom('posts').select((eb) => eb.fn.max('created_at').as('t')).executeTakeFirst() },
    { name: 'overview: last check', run: () => db.selectFrom('observations').select((eb) => eb.fn.max('observed_at').as('t')).executeTakeFirst() },
    { name: 'a post by id (/api/posts/:id)', run: () => db.selectFrom('posts as p').leftJoin('accounts as a', 'a.id', 'p.account_id').leftJoin('sources as s', 's.id', 'p.source_id')
      .selectAll('p').select(['s.name as source', 'a.handle as account']).where('p.id', '=', deepId).executeTakeFirst() },
    { name: "a post's observations", run: () => db.selectFrom('observations').select(['id', 'observed_at', 'outcome']).where('post_id', '=', deepId).orderBy('observed_at', 'desc').limit(1000).execute() },
    { name: 'campaign posts (500 ids, /api/campaigns/:id/texts)', run: () => db.selectFrom('posts as p').leftJoin('accounts as a', 'a.id', 'p.account_id').innerJoin('sources as s', 's.id', 'p.source_id')
      .select(['p.id', 'p.text', 'p.created_at', 'p.status', 'p.platform_post_id', 's.name as source', 'a.handle']).where('p.id', 'in', campaign).execute() },
    { name: 'watch chart: checked buckets of a week', run: () => db.selectFrom('observations').select(sql<number>`(observed_at / 3600000) * 3600000`.as('bucket'))
      .where('observed_at', '>=', mid).where('observed_at', '<', mid + week).groupBy('bucket').execute() },
    { name: 'import: a stored key (conflict check)', run: () => db.selectFrom('posts').select(['id', 'text', 'created_at'])
      .where('source_id', '=', 1 + (deepId % 5)).where('platform_post_id', '=', String(deepId)).execute() },
  ];
}
