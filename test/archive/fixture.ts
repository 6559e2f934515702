/** A small archived history for the WACZ and CLI tests: one tracked site and one watched post. */
import type { Store } from '../../src/store/open.ts';
import type { Archive, HttpExchange } from '../../src/archive/types.ts';

export const SITE_URL = 'http://news.example.test/';
const T0 = Date.UTC(2026, 10, 1, 8, 0, 0);

/** Inserts the site and the post, and archives their captures; answers their ids. */
export async function fillArchive(store: Store, archive: Archive): Promise<{ siteId: number; postId: number }> {
  const site = await store.db.insertInto('tracked_sites').values({
    url: SITE_URL, name: 'News', every_ms: 60_000, webhook: null, category: null, enabled: 1, added_at: T0,
    next_check_at: T0, lease_owner: null, lease_until: null, state: null, state_since: null, last_capture_id: null,
  }).returning('id').executeTakeFirstOrThrow();
  await store.db.insertInto('sources').values({ kind: 'import', name: 'fixture', platform: 'weibo', config: '{}', created_at: T0 } as never).execute();
  const source = await store.db.selectFrom('sources').select('id').where('name', '=', 'fixture').executeTakeFirstOrThrow();
  const post = await store.db.insertInto('posts').values({
    source_id: Number(source.id), platform_post_id: 'p1', account_id: null, created_at: T0, text: 'x', language: null, url: 'http://social.example.test/p/1',
    reply_to_id: null, repost_of_id: null, hashtags: null, urls: null, mentions: null, first_seen: T0, last_seen: T0, status: 'visible',
    status_changed_at: null, status_evidence: null, extra: null,
  } as never).returning('id').executeTakeFirstOrThrow();
  const siteId = Number(site.id);
  const postId = Number(post.id);
  const page = (title: string) => new TextEncoder().encode(`<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><p>${title} body</p></body></html>`);
  const ex = (at: number, url: string, status: number, body: Uint8Array): HttpExchange => ({
    at, method: 'GET', url, requestHeaders: { 'user-agent': 'censorscope' }, status,
    responseHeaders: new Headers({ 'content-type': 'text/html; charset=utf-8', 'content-length': String(body.length) }), body, truncated: false,
  });
  await archive.record(ex(T0, SITE_URL, 200, page('Morning news 新闻')), { subject: 'site', subjectId: siteId });
  await archive.record(ex(T0 + 60_000, SITE_URL, 200, page('Morning news 新闻')), { subject: 'site', subjectId: siteId });
  await archive.record(ex(T0 + 120_000, SITE_URL, 200, page('Hacked by nobody')), { subject: 'site', subjectId: siteId });
  await archive.record(ex(T0 + 180_000, SITE_URL, 404, new TextEncoder().encode('not found')), { subject: 'site', subjectId: siteId });
  // The post's first check repeats a payload first archived for the site: its export needs that original.
  await archive.record(ex(T0 + 200_000, 'http://social.example.test/p/1', 200, page('Morning news 新闻')), { subject: 'post', subjectId: postId, observationId: 1 });
  await archive.record(ex(T0 + 260_000, 'http://social.example.test/p/1', 404, new TextEncoder().encode('gone')), { subject: 'post', subjectId: postId, observationId: 2 });
  return { siteId, postId };
}
