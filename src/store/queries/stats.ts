/** Counts for `censorscope stats`. */
import type { Store } from '../open.ts';
import { POST_STATUSES, type PostStatus } from '../schema.ts';

export interface StoreStats {
  posts: number;
  accounts: number;
  byStatus: Record<PostStatus, number>;
}

/** Posts, accounts, and posts by status (every status present, zero when none). */
export async function storeStats(store: Store): Promise<StoreStats> {
  const [posts, accounts, rows] = await Promise.all([
    store.db.selectFrom('posts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    store.db.selectFrom('accounts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    store.db.selectFrom('posts').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status').execute(),
  ]);
  const byStatus = Object.fromEntries(POST_STATUSES.map((s) => [s, 0])) as Record<PostStatus, number>;
  for (const r of rows) byStatus[r.status] = Number(r.n);
  return { posts: Number(posts.n), accounts: Number(accounts.n), byStatus };
}
