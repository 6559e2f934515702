/** Streams the posts whose outcome is known, in id order, a page at a time (constant memory). */
import type { Store } from '../../store/open.ts';
import type { PostStatus } from '../../store/schema.ts';

/** Statuses that say what happened to a post; 'unknown' and 'account_gone' say too little. */
export const KNOWN_OUTCOMES: readonly PostStatus[] = ['visible', 'deleted_by_author', 'removed_by_platform'];

/** What counts as a removal by default: only the platform's own, attributed removals. */
export const DEFAULT_REMOVED_AS: readonly PostStatus[] = ['removed_by_platform'];

/**
 * Which statuses a term analysis reads, and which of them are removals. A status counted as a
 * removal (e.g. `deleted`, gone with the actor unknown, on platforms that never say who) is read
 * too; other statuses outside KNOWN_OUTCOMES are left out as saying too little.
 */
export interface OutcomeRule {
  /** The statuses counted as removals (what the rule was made from). */
  removedAs: PostStatus[];
  statuses: PostStatus[];
  removed: (status: string) => boolean;
}

/** The outcome rule for the statuses counted as removals. */
export function outcomeRule(removedAs: readonly PostStatus[] = DEFAULT_REMOVED_AS): OutcomeRule {
  const removed = new Set<string>(removedAs);
  return { removedAs: [...removed] as PostStatus[], statuses: [...new Set([...KNOWN_OUTCOMES, ...removedAs])], removed: (status) => removed.has(status) };
}

export interface OutcomePost {
  id: number;
  accountId: number | null;
  createdAt: number | null;
  text: string;
  removed: boolean;
}

interface PostRow { id: unknown; account_id: unknown; created_at: unknown; text: string; status: string }

/** One stored row as the analysis sees it, its removal decided by `rule`. */
function toOutcome(rule: OutcomeRule, r: PostRow): OutcomePost {
  return {
    id: Number(r.id),
    accountId: r.account_id === null ? null : Number(r.account_id),
    createdAt: r.created_at === null ? null : Number(r.created_at),
    text: r.text,
    removed: rule.removed(r.status),
  };
}

/** The posts a rule reads, as a query still to be narrowed. */
function outcomeQuery(store: Store, rule: OutcomeRule) {
  return store.db.selectFrom('posts').select(['id', 'account_id', 'created_at', 'text', 'status']).where('status', 'in', rule.statuses);
}

/** Pages through `query`'s rows in id order, `page` rows a query (keyset paging: constant memory). */
async function* byId(query: ReturnType<typeof outcomeQuery>, rule: OutcomeRule, page: number): AsyncGenerator<OutcomePost[]> {
  let after = 0;
  for (;;) {
    const rows = await query.where('id', '>', after).orderBy('id').limit(page).execute();
    if (!rows.length) return;
    after = Number(rows[rows.length - 1]!.id);
    yield rows.map((r) => toOutcome(rule, r));
  }
}

/** Yields posts with known outcomes, `page` rows per query. */
export function outcomePosts(store: Store, rule: OutcomeRule = outcomeRule(), page = 5000): AsyncGenerator<OutcomePost[]> {
  return byId(outcomeQuery(store, rule), rule, page);
}

/**
 * Yields posts with known outcomes grouped by author: those without an author first (id order),
 * then by account id and id, about `page` rows a query, so a consumer sees each author's posts
 * one after another (constant memory but for the largest author's page).
 */
export async function* postsByAuthor(store: Store, rule: OutcomeRule = outcomeRule(), page = 5000): AsyncGenerator<OutcomePost[]> {
  const base = () => outcomeQuery(store, rule);
  yield* byId(base().where('account_id', 'is', null), rule, page);
  // Authors' post counts, a chunk at a time, decide which authors share one query.
  let lastAuthor = -Infinity;
  let sizes: Array<[number, number]> = [];
  let i = 0;
  const more = async () => {
    const rows = await store.db.selectFrom('posts').select(['account_id', (eb) => eb.fn.countAll().as('n')])
      .where('status', 'in', rule.statuses).where('account_id', 'is not', null)
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
      yield* byId(base().where('account_id', '=', lo), rule, page);
    } else {
      const rows = await base().where('account_id', '>=', lo).where('account_id', '<=', hi).orderBy('account_id').orderBy('id').execute();
      if (rows.length) yield rows.map((r) => toOutcome(rule, r));
    }
  }
}
