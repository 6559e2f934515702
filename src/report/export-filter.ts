/**
 * Which posts an export writes (a `PostSelection` for export-posts.ts): a filtered list with the
 * same filters and the same meaning as the dashboard's post list (GET /api/posts: q, status,
 * source, account, from, to), or a given set of posts (a campaign's). Every selection pages in
 * id order and bounds what one query may scan, because on SQLite a query blocks the server
 * while it runs: a text search (LIKE, unindexed) reads at most SCAN_IDS ids per query.
 */
import { sql } from 'kysely';
import { z } from 'zod';
import { POST_STATUSES } from '../store/schema.ts';
import { idParam, timeParam } from '../serve/api/common.ts';
import { MAX_ACCOUNT_MATCHES, resolveAccounts, type AccountMatch } from '../serve/api/post-accounts.ts';
import { serveDb } from '../serve/api/tables.ts';
import type { AccountView, PseudonymIndex } from './privacy.ts';
import type { Store } from '../store/open.ts';
import { postRowsQuery, type PostRow, type PostRowsQuery, type PostSelection } from './export-posts.ts';

/** Ids one windowed query may scan (the post list's SCAN_WINDOW). */
export const SCAN_IDS = 50_000;

/** The post list's filters, as query parameters (the API) or flags (the CLI). */
export const postFilterShape = {
  q: z.string().trim().min(1).max(200).optional().meta({ description: 'substring to search for in the text' }),
  status: z.enum(POST_STATUSES).optional(),
  source: idParam.optional().meta({ description: 'source id' }),
  account: z.string().trim().min(1).max(200).optional().meta({ description: "account: its store id, handle, platform id or the pseudonym shown (acct_…); every matching account's posts" }),
  from: timeParam.optional().meta({ description: 'created at or after (epoch ms or ISO date)' }),
  to: timeParam.optional().meta({ description: 'created before (epoch ms or ISO date)' }),
};
export const postFilter = z.object(postFilterShape);
export type PostFilter = z.output<typeof postFilter>;
/** A filter whose `account` has been resolved to the store accounts it names (none: no posts). */
export type ResolvedFilter = Omit<PostFilter, 'account'> & { accounts?: number[] };

/**
 * Resolves the filter's `account` as the post list does (store id, handle, platform id or
 * pseudonym): the list and its downloads both call this, so they select the same posts.
 * `matches` says which accounts it named and how (undefined without an account filter).
 */
export async function resolveFilter<F extends { account?: string }>(store: Store, pseudonyms: PseudonymIndex, view: AccountView, f: F): Promise<{ filter: Omit<F, 'account'> & { accounts?: number[] }; matches?: AccountMatch[] }> {
  const { account, ...rest } = f;
  if (account === undefined) return { filter: rest };
  const matches = await resolveAccounts(serveDb(store.db), pseudonyms, view, account);
  if (matches.length > MAX_ACCOUNT_MATCHES) throw new FilterError('account', `"${account.slice(0, 40)}" matches more than ${MAX_ACCOUNT_MATCHES} accounts; give one account's store id or pseudonym`);
  return { filter: { ...rest, accounts: matches.map((a) => a.id) }, matches };
}

/** A filter value that cannot be used, naming the parameter. */
export class FilterError extends Error {
  constructor(readonly param: string, message: string) {
    super(message);
  }
}

/** Escapes LIKE wildcards so the search is a plain substring match. */
export function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** A filter that cannot select anything sensible, as a sentence (null when fine). */
export function filterProblem(f: PostFilter | ResolvedFilter): { param: string; message: string } | null {
  if (f.from !== undefined && f.to !== undefined && f.from > f.to) return { param: 'from', message: '"from" must not be after "to"' };
  return null;
}

/** Applies the post list's filters to an export query. */
function applyFilter(qb: PostRowsQuery, f: ResolvedFilter): PostRowsQuery {
  if (f.q !== undefined) qb = qb.where(sql<boolean>`posts.text like ${likePattern(f.q)} escape '\\'`);
  if (f.source !== undefined) qb = qb.where('posts.source_id', '=', f.source);
  if (f.accounts !== undefined) qb = qb.where('posts.account_id', 'in', f.accounts.length ? f.accounts : [-1]);
  if (f.from !== undefined) qb = qb.where('posts.created_at', '>=', f.from);
  if (f.to !== undefined) qb = qb.where('posts.created_at', '<', f.to);
  if (f.status !== undefined) {
    qb = qb.where('posts.status', '=', f.status);
    // The literal lets SQLite use the partial index on non-visible posts.
    if (f.status !== 'visible') qb = qb.where(sql<boolean>`posts.status <> 'visible'`);
  }
  return qb;
}

/**
 * Pages of `narrow(query)` in id order. With `windowed`, each query reads one window of
 * SCAN_IDS ids (for filters no index serves), up to the largest id when the export started:
 * posts arriving meanwhile are left for the next export, so a file is one consistent cut.
 */
export async function* pagedById(store: Store, pageSize: number, narrow: (qb: PostRowsQuery) => PostRowsQuery, windowed: boolean): AsyncGenerator<PostRow[]> {
  const top = await store.db.selectFrom('posts').select((eb) => eb.fn.max('id').as('max')).executeTakeFirst();
  const last = Number(top?.max ?? 0);
  let after = 0;
  while (after < last) {
    const end = windowed ? Math.min(last, after + SCAN_IDS) : last;
    const rows = await narrow(postRowsQuery(store)).where('posts.id', '>', after).where('posts.id', '<=', end)
      .orderBy('posts.id').limit(pageSize).execute();
    if (rows.length === pageSize) after = Number(rows[rows.length - 1]!.id);
    else after = end;
    if (rows.length) yield rows;
  }
}

/** The posts GET /api/posts lists for these filters: all of them, oldest id first. */
export function filteredPosts(f: ResolvedFilter): PostSelection {
  // As the post list does: an account's posts and non-visible statuses are indexed; the rest is scanned in windows.
  const indexed = f.accounts !== undefined || (f.status !== undefined && f.status !== 'visible');
  return (store, pageSize) => pagedById(store, pageSize, (qb) => applyFilter(qb, f), !indexed);
}

/** The posts with these store ids (a campaign's), in id order; ids no longer in the store are skipped. */
export function postsWithIds(ids: Iterable<number>): PostSelection {
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  return async function* (store, pageSize) {
    const chunk = Math.min(pageSize, 500);
    for (let i = 0; i < sorted.length; i += chunk) {
      const rows = await postRowsQuery(store).where('posts.id', 'in', sorted.slice(i, i + chunk)).orderBy('posts.id').execute();
      if (rows.length) yield rows;
    }
  };
}

/** Only the posts `keep` accepts from another selection's pages (a check SQL cannot make, such as tokenising). */
export function keepPosts(select: PostSelection, keep: (row: PostRow) => boolean): PostSelection {
  return async function* (store, pageSize) {
    for await (const rows of select(store, pageSize)) {
      const kept = rows.filter(keep);
      if (kept.length) yield kept;
    }
  };
}
