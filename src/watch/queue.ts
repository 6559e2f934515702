/**
 * The persisted revisit queue. A watcher claims due posts by writing a lease on them; with
 * PostgreSQL the claim reads rows with FOR UPDATE SKIP LOCKED, so several watchers on several
 * machines take disjoint work and never check one post at the same time. SQLite has one writer
 * and one watcher, so the same query runs without the lock clause.
 */
import type { Store } from '../store/open.ts';
import type { SchedulePolicy } from './policy.ts';
import { nextInterval } from './policy.ts';

export interface Claimed {
  postId: number;
  sourceId: number;
  postedAt: number;
  nextCheckAt: number;
  checks: number;
  transientStreak: number;
  pendingKind: string | null;
  pendingSince: number | null;
  platformPostId: string;
  url: string | null;
  text: string;
  lastSeen: number;
  accountId: number | null;
  accountPlatformId: string | null;
}

/**
 * Leases up to `limit` due posts of the given sources to `owner` until now + leaseMs, most
 * overdue first. With `perSource` (source id → how many), each source gets at most its own
 * share instead, so one source's backlog cannot fill the claim.
 */
export async function claimDue(store: Store, o: { sourceIds: number[]; now: number; limit: number; owner: string; leaseMs: number; perSource?: Map<number, number> }): Promise<Claimed[]> {
  if (!o.sourceIds.length) return [];
  const ids = await store.db.transaction().execute(async (tx) => {
    const due = (sourceIds: number[], limit: number) => {
      let q = tx.selectFrom('watch_schedule').select('post_id')
        .where('done', '=', 0)
        .where('next_check_at', '<=', o.now)
        .where('source_id', 'in', sourceIds)
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', o.now)]))
        .orderBy('next_check_at').limit(limit);
      if (store.caps.skipLocked) q = q.forUpdate().skipLocked();
      return q.execute();
    };
    const rows = [];
    // One small indexed query per source: PostgreSQL allows no FOR UPDATE beside a window function.
    if (o.perSource) for (const [id, n] of o.perSource) rows.push(...(n > 0 ? await due([id], n) : []));
    else rows.push(...await due(o.sourceIds, o.limit));
    const picked = rows.map((r) => Number(r.post_id));
    if (picked.length) {
      await tx.updateTable('watch_schedule').set({ lease_owner: o.owner, lease_until: o.now + o.leaseMs }).where('post_id', 'in', picked).execute();
    }
    return picked;
  });
  if (!ids.length) return [];
  const rows = await store.db.selectFrom('watch_schedule as w')
    .innerJoin('posts as p', 'p.id', 'w.post_id')
    .leftJoin('accounts as a', 'a.id', 'p.account_id')
    .select(['w.post_id', 'w.source_id', 'w.posted_at', 'w.next_check_at', 'w.checks', 'w.transient_streak', 'w.pending_kind', 'w.pending_since',
      'p.platform_post_id', 'p.url', 'p.text', 'p.last_seen', 'p.account_id', 'a.platform_account_id'])
    .where('w.post_id', 'in', ids).orderBy('w.next_check_at').execute();
  return rows.map((r) => ({
    postId: Number(r.post_id), sourceId: Number(r.source_id), postedAt: Number(r.posted_at), nextCheckAt: Number(r.next_check_at), checks: Number(r.checks),
    transientStreak: Number(r.transient_streak), pendingKind: r.pending_kind, pendingSince: r.pending_since == null ? null : Number(r.pending_since),
    platformPostId: r.platform_post_id, url: r.url, text: r.text, lastSeen: Number(r.last_seen),
    accountId: r.account_id == null ? null : Number(r.account_id), accountPlatformId: r.platform_account_id ?? null,
  }));
}

/** Adds newly listed posts to the schedule (posts already there are left alone). */
export async function schedulePosts(store: Store, policy: SchedulePolicy, now: number, rows: Array<{ postId: number; sourceId: number; postedAt: number }>): Promise<void> {
  if (!rows.length) return;
  const values = rows.map((r) => {
    const age = now - r.postedAt;
    return { post_id: r.postId, source_id: r.sourceId, posted_at: r.postedAt, next_check_at: Math.max(now, r.postedAt + nextInterval(policy, age)), checks: 0, transient_streak: 0, done: 0 };
  });
  for (let i = 0; i < values.length; i += 500) {
    await store.db.insertInto('watch_schedule').values(values.slice(i, i + 500)).onConflict((oc) => oc.column('post_id').doNothing()).execute();
  }
}

/** The earliest next check among open posts, or null when nothing is scheduled. */
export async function nextDue(store: Store, sourceIds: number[]): Promise<number | null> {
  if (!sourceIds.length) return null;
  const r = await store.db.selectFrom('watch_schedule').select((eb) => eb.fn.min('next_check_at').as('t'))
    .where('done', '=', 0).where('source_id', 'in', sourceIds).executeTakeFirst();
  return r?.t == null ? null : Number(r.t);
}
