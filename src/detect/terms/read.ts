/** Streams the posts whose outcome is known, in id order, a page at a time (constant memory). */
import type { Store } from '../../store/open.ts';

/** Statuses that say what happened to a post; 'unknown' and 'account_gone' say too little. */
export const KNOWN_OUTCOMES = ['visible', 'deleted_by_author', 'removed_by_platform'] as const;

export interface OutcomePost {
  id: number;
  accountId: number | null;
  createdAt: number | null;
  text: string;
  removed: boolean;
}

/** Yields posts with known outcomes, `page` rows per query. */
export async function* outcomePosts(store: Store, page = 5000): AsyncGenerator<OutcomePost[]> {
  let after = 0;
  for (;;) {
    const rows = await store.db.selectFrom('posts')
      .select(['id', 'account_id', 'created_at', 'text', 'status'])
      .where('id', '>', after)
      .where('status', 'in', [...KNOWN_OUTCOMES])
      .orderBy('id')
      .limit(page)
      .execute();
    if (!rows.length) return;
    after = Number(rows[rows.length - 1]!.id);
    yield rows.map((r) => ({
      id: Number(r.id),
      accountId: r.account_id === null ? null : Number(r.account_id),
      createdAt: r.created_at === null ? null : Number(r.created_at),
      text: r.text,
      removed: r.status === 'removed_by_platform',
    }));
  }
}
