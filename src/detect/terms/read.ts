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

/**
 * Yields posts with known outcomes grouped by author: those without an author first (id order),
 * then by account id and id, about `page` rows a query, so a consumer sees each author's posts
 * one after another (constant memory but for the largest author's page).
 */
export async function* postsByAuthor(store: Store, page = 5000): AsyncGenerator<OutcomePost[]> {
  const toPost = (r: { id: unknown; account_id: unknown; created_at: unknown; text: string; status: string }): OutcomePost => ({
    id: Number(r.id),
    accountId: r.account_id === null ? null : Number(r.account_id),
    createdAt: r.created_at === null ? null : Number(r.created_at),
    text: r.text,
    removed: r.status === 'removed_by_platform',
  });
  const base = () => store.db.selectFrom('posts').select(['id', 'account_id', 'created_at', 'text', 'status']).where('status', 'in', [...KNOWN_OUTCOMES]);
  let after = 0;
  for (;;) {
    const rows = await base().where('account_id', 'is', null).where('id', '>', after).orderBy('id').limit(page).execute();
    if (!rows.length) break;
    after = Number(rows[rows.length - 1]!.id);
    yield rows.map(toPost);
  }
  // Authors' post counts, a chunk at a time, decide which authors share one query.
  let lastAuthor = -Infinity;
  let sizes: Array<[number, number]> = [];
  let i = 0;
  const more = async () => {
    const rows = await store.db.selectFrom('posts').select(['account_id', (eb) => eb.fn.countAll().as('n')])
      .where('status', 'in', [...KNOWN_OUTCOMES]).where('account_id', 'is not', null)
      .$if(lastAuthor > -Infinity, (q) => q.where('account_id', '>', lastAuthor))
      .groupBy('account_id').orderBy('account_id').limit(20_000).execute();
    sizes = rows.map((r) => [Number(r.account_id), Number(r.n)]);
    i = 0;
    if (sizes.length) lastAuthor = sizes[sizes.length - 1]![0];
    return sizes.length > 0;
  };
  if (!(await more())) return;
  for (;;) {
    if (i >= sizes.length && !(await more())) return;
    const [lo, first] = sizes[i++]!;
    let hi = lo;
    let sum = first;
    while (i < sizes.length && sum + sizes[i]![1] <= page) {
      sum += sizes[i]![1];
      hi = sizes[i++]![0];
    }
    if (lo === hi && first > page) {
      // One prolific author: page through their posts by id.
      let afterId = 0;
      for (;;) {
        const rows = await base().where('account_id', '=', lo).where('id', '>', afterId).orderBy('id').limit(page).execute();
        if (!rows.length) break;
        afterId = Number(rows[rows.length - 1]!.id);
        yield rows.map(toPost);
      }
    } else {
      const rows = await base().where('account_id', '>=', lo).where('account_id', '<=', hi).orderBy('account_id').orderBy('id').execute();
      if (rows.length) yield rows.map(toPost);
    }
  }
}
