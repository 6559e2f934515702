/** Small hand-made stores for coordination tests. */
import type { Store } from '../../../src/store/open.ts';
import type { PostRecord } from '../../../src/store/bulk.ts';

/** A post with sensible defaults. */
export function p(id: string, account: string, createdAt: number, text: string, extra: Partial<PostRecord> = {}): PostRecord {
  return {
    platformPostId: id, accountId: account, accountHandle: account, accountName: null, createdAt, text, language: null, url: null,
    replyToId: null, repostOfId: null, hashtags: null, urls: null, mentions: null, status: 'visible', statusChangedAt: null,
    statusEvidence: null, extra: null, ...extra,
  };
}

/** Creates a source and writes the posts; returns the source id. */
export async function seed(store: Store, posts: PostRecord[], name = 'fixture'): Promise<number> {
  const row = await store.db.insertInto('sources')
    .values({ kind: 'import', name, platform: 'test', config: '{}', enabled: 1, created_at: Date.now(), cursor: null })
    .returning('id').executeTakeFirstOrThrow();
  await store.bulkWriter().writePosts(Number(row.id), posts, Date.now());
  return Number(row.id);
}

/** Store post id of each platform post id. */
export async function postIds(store: Store): Promise<Map<string, number>> {
  const rows = await store.db.selectFrom('posts').select(['id', 'platform_post_id']).execute();
  return new Map(rows.map((r) => [r.platform_post_id, Number(r.id)]));
}
