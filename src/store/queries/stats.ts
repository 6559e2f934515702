/** Counts for `censorscope stats`. */
import type { Store } from '../open.ts';
import { POST_STATUSES, type PostStatus } from '../schema.ts';
import { postsPerStatus } from './post-counts.ts';

export interface StoreStats {
  posts: number;
  accounts: number;
  byStatus: Record<PostStatus, number>;
}

/** Posts, accounts, and posts by status (every status present, zero when none). */
export async function storeStats(store: Store): Promise<StoreStats> {
  const [accounts, rows] = await Promise.all([
    store.db.selectFrom('accounts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    postsPerStatus(store.db, store.caps),
  ]);
  const byStatus = Object.fromEntries(POST_STATUSES.map((s) => [s, 0])) as Record<PostStatus, number>;
  let posts = 0;
  for (const r of rows) {
    byStatus[r.status as PostStatus] = r.n;
    posts += r.n;
  }
  return { posts, accounts: Number(accounts.n), byStatus };
}
