/**
 * The posts list in the posts' own time order: newest `created_at` first, ties by id, posts
 * without a time last (by id). Paging is keyset: the cursor is the id of the last post a page
 * covered, and the next page starts right after that post's place in the order, so a page
 * never repeats or skips a post, however the store grows meanwhile. Dated and undated posts
 * are read as two runs of one order because SQLite and PostgreSQL sort NULL differently.
 */
import { sql, type ExpressionBuilder, type SelectQueryBuilder } from 'kysely';
import type { Database } from '../../store/schema.ts';
import type { PostStatus } from '../../store/schema.ts';
import { ApiError } from './common.ts';
import type { ServeDb } from './tables.ts';
import { likePattern } from '../../report/export-filter.ts';

export { likePattern };

/**
 * Rows one filtered request may scan. Full-text search is LIKE: unindexed, so each page scans
 * at most this many posts (in list order) and hands back a cursor to continue, keeping every
 * request bounded.
 */
export const SCAN_WINDOW = 50_000;

/** The filters of one list request, accounts already resolved to store ids. */
export interface ListFilter {
  q?: string;
  source?: number;
  accounts?: number[];
  status?: PostStatus;
  from?: number;
  to?: number;
  before?: number;
  limit: number;
}

/** A place in the order: after this post. */
interface Position { created: number | null; id: number }

type Qb = SelectQueryBuilder<Database & { p: Database['posts'] }, 'p', object>;
type Eb = ExpressionBuilder<Database & { p: Database['posts'] }, 'p'>;


/** Posts strictly after `at` in list order (dated run only; `at` dated). */
function afterDated(eb: Eb, at: Position) {
  return eb.and([eb('p.created_at', '<=', at.created!), eb.or([eb('p.created_at', '<', at.created!), eb('p.id', '<', at.id)])]);
}

/** Posts at or before `at` in list order (dated run only; `at` dated). */
function notAfterDated(eb: Eb, at: Position) {
  return eb.and([eb('p.created_at', '>=', at.created!), eb.or([eb('p.created_at', '>', at.created!), eb('p.id', '>=', at.id)])]);
}

/** Reads one page of the list; `window` is SCAN_WINDOW except in tests of the window's edges. */
export async function listPosts(db: ServeDb, f: ListFilter, window = SCAN_WINDOW) {
  if (f.from !== undefined && f.to !== undefined && f.from > f.to) throw new ApiError(400, 'invalid_parameter', 'query parameter "from": must not be after "to"', 'from');
  if (f.accounts && f.accounts.length === 0) return { items: [], next: null, scanned: null };
  const start = f.before === undefined ? null : await positionOf(db, f.before);
  // Windowed scan for filters no index serves well; an account's posts are few and indexed.
  const windowed = (f.q !== undefined || f.source !== undefined) && f.accounts === undefined;
  const end = windowed ? await windowEnd(db, f, start, window) : null;
  // A time range excludes undated posts; so does a window that ends among the dated ones.
  const undatedToo = f.from === undefined && f.to === undefined && (end === null || end.created === null);

  const filtered = (qb: Qb): Qb => {
    if (f.q !== undefined) qb = qb.where(sql<boolean>`p.text like ${likePattern(f.q)} escape '\\'`);
    // Unary plus keeps the planner off the (source_id, platform_post_id) key, which would read
    // every post of the source and sort them: the window's time range is the narrower read.
    if (f.source !== undefined) qb = qb.where(sql<boolean>`+p.source_id = ${f.source}`);
    if (f.accounts !== undefined) qb = qb.where('p.account_id', 'in', f.accounts);
    if (f.from !== undefined) qb = qb.where('p.created_at', '>=', f.from);
    if (f.to !== undefined) qb = qb.where('p.created_at', '<', f.to);
    if (f.status !== undefined) {
      qb = qb.where('p.status', '=', f.status);
      // The literal lets SQLite use the partial indexes on non-visible posts.
      if (f.status !== 'visible') qb = qb.where(sql<boolean>`p.status <> 'visible'`);
    }
    return qb;
  };
  const base = () => filtered(db.selectFrom('posts as p') as unknown as Qb);
  const want = f.limit + 1;
  const ids: Array<{ id: unknown; created_at: unknown }> = [];
  if (start === null || start.created !== null) {
    let qb = base().select(['p.id', 'p.created_at']).where('p.created_at', 'is not', null);
    if (start) qb = qb.where((eb) => afterDated(eb, start));
    if (end && end.created !== null) qb = qb.where((eb) => notAfterDated(eb, end));
    ids.push(...await qb.orderBy('p.created_at', 'desc').orderBy('p.id', 'desc').limit(want).execute());
  }
  if (ids.length < want && undatedToo) {
    let qb = base().select(['p.id', 'p.created_at']).where('p.created_at', 'is', null);
    if (start && start.created === null) qb = qb.where('p.id', '<', start.id);
    if (end && end.created === null) qb = qb.where('p.id', '>=', end.id);
    ids.push(...await qb.orderBy('p.id', 'desc').limit(want - ids.length).execute());
  }
  const pageIds = ids.slice(0, f.limit).map((r) => Number(r.id));
  // The page's time span, so a store partitioned by created_at (PostgreSQL) reads only the
  // partitions the page covers instead of looking each id up in every partition.
  const times = ids.slice(0, f.limit).map((r) => num(r.created_at)).filter((t): t is number => t !== null);
  const undatedOnPage = times.length < pageIds.length;
  const rows = pageIds.length ? await db.selectFrom('posts as p')
    .leftJoin('accounts as a', 'a.id', 'p.account_id')
    .leftJoin('sources as s', 's.id', 'p.source_id')
    .select(['p.id', 'p.source_id', 's.name as source', 'p.platform_post_id', 'p.account_id', 'a.handle as account',
      'a.platform_account_id', 'p.created_at', 'p.text', 'p.url', 'p.status', 'p.status_changed_at', 'p.last_seen'])
    .where('p.id', 'in', pageIds)
    .$if(times.length > 0, (qb) => qb.where((eb) => {
      const span = eb.and([eb('p.created_at', '>=', Math.min(...times)), eb('p.created_at', '<=', Math.max(...times))]);
      return undatedOnPage ? eb.or([span, eb('p.created_at', 'is', null)]) : span;
    }))
    .execute() : [];
  const byId = new Map(rows.map((r) => [Number(r.id), r]));
  const items = pageIds.map((id) => byId.get(id)!).filter(Boolean).map((r) => ({
    ...r, id: Number(r.id), source_id: Number(r.source_id), account_id: r.account_id == null ? null : Number(r.account_id),
    created_at: num(r.created_at), status_changed_at: num(r.status_changed_at), last_seen: num(r.last_seen),
  }));
  let next: number | null = null;
  if (ids.length > f.limit) next = pageIds[pageIds.length - 1]!;
  else if (end !== null) next = end.id;
  return {
    items, next,
    scanned: windowed ? { window, newest: start?.created ?? null, oldest: end?.created ?? null } : null,
  };
}

/** Where the post `id` stands in the order; a cursor must name a post that exists. */
async function positionOf(db: ServeDb, id: number): Promise<Position> {
  const row = await db.selectFrom('posts').select(['id', 'created_at']).where('id', '=', id).executeTakeFirst();
  if (!row) {
    throw new ApiError(400, 'invalid_parameter',
      `query parameter "before": no post has id ${id} (a paging cursor names the last post of the previous page); start again from the first page.`, 'before');
  }
  return { created: num(row.created_at), id: Number(row.id) };
}

/**
 * The last post of the scan window that starts after `start`: `window` posts further down the
 * order, counted on the index alone. Null when the window reaches the end of the list. A window
 * never spans the dated and undated runs, so each stays one index range.
 */
async function windowEnd(db: ServeDb, f: ListFilter, start: Position | null, window: number): Promise<Position | null> {
  const undated = async (below: number | null): Promise<Position | null> => {
    let qb = db.selectFrom('posts as p').select('p.id').where('p.created_at', 'is', null);
    if (below !== null) qb = qb.where('p.id', '<', below);
    const row = await qb.orderBy('p.id', 'desc').limit(1).offset(window - 1).executeTakeFirst();
    return row ? { created: null, id: Number(row.id) } : null;
  };
  if (start && start.created === null) return undated(start.id);
  const dated = () => {
    let qb = db.selectFrom('posts as p').select(['p.id', 'p.created_at']).where('p.created_at', 'is not', null);
    if (f.from !== undefined) qb = qb.where('p.created_at', '>=', f.from);
    if (f.to !== undefined) qb = qb.where('p.created_at', '<', f.to);
    if (start) qb = qb.where((eb) => afterDated(eb as unknown as Eb, start) as never);
    return qb;
  };
  const row = await dated().orderBy('p.created_at', 'desc').orderBy('p.id', 'desc').limit(1).offset(window - 1).executeTakeFirst();
  if (row) return { created: num(row.created_at), id: Number(row.id) };
  // Fewer dated posts remain than a window holds: this window ends with the oldest of them,
  // and undated posts, if any, get windows of their own.
  if (f.from !== undefined || f.to !== undefined) return null;
  const anyUndated = await db.selectFrom('posts').select('id').where('created_at', 'is', null).limit(1).executeTakeFirst();
  if (!anyUndated) return null;
  const last = await dated().orderBy('p.created_at', 'asc').orderBy('p.id', 'asc').limit(1).executeTakeFirst();
  return last ? { created: num(last.created_at), id: Number(last.id) } : undated(null);
}

/** Normalises a bigint column (PostgreSQL returns strings for int8). */
export function num(v: unknown): number | null {
  return v == null ? null : Number(v);
}
