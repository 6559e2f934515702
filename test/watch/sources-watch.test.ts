/**
 * `runWatch` over the two source kinds the other watch tests never drive: `feed` (an RSS 2.0 feed
 * in GB2312 declared only in its XML declaration, as Chinese portals serve them, and a UTF-8 Atom
 * feed) and `http-json` (a Weibo-like JSON API whose answers say which removal it was, by
 * `error_code`). Each is a loopback server that answers from the watcher's own (virtual) clock:
 * some items leave at a known time, each kind of removal answered the way that platform answers
 * it. The test checks what was collected (ids, decoded text, times) and that each removal is found
 * with the right status and interval, while a ghost (gone from the feed, still served) and the
 * items that stay are not.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import iconv from 'iconv-lite';
import { backends, type TestStore } from '../helpers/stores.ts';
import { tempDir } from '../helpers/files.ts';
import { addSource } from '../../src/collect/sources/add.ts';
import { runWatch } from '../../src/watch/run.ts';
import { VirtualClock } from '../../src/watch/clock.ts';

const T0 = Date.UTC(2026, 11, 2, 10, 0, 0);
/** Items leave the feeds and the API at this (virtual) time. */
const REMOVED_AT = T0 + 10 * 60_000;
const MIN = 60_000;
/**
 * What a feed item gone from the feed and answering 404/410 at its own URL is recorded as: a feed
 * cannot say who removed it (src/collect/sources/feed.ts), so the actor is unknown.
 */
const FEED_GONE = 'deleted';

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ origin: string; close(): Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

interface Row { platform_post_id: string; text: string; status: string; created_at: number | null; last_seen: number; url: string | null }

async function posts(ts: TestStore, sourceId: number): Promise<Map<string, Row>> {
  const rows = await ts.store.db.selectFrom('posts').select(['platform_post_id', 'text', 'status', 'created_at', 'last_seen', 'url'])
    .where('source_id', '=', sourceId).execute();
  return new Map(rows.map((r) => [r.platform_post_id, { ...r, created_at: r.created_at == null ? null : Number(r.created_at), last_seen: Number(r.last_seen) } as Row]));
}

async function gone(ts: TestStore, sourceId: number) {
  const rows = await ts.store.db.selectFrom('disappearances').innerJoin('posts', 'posts.id', 'disappearances.post_id')
    .select(['posts.platform_post_id as id', 'disappearances.kind', 'disappearances.last_seen_at', 'disappearances.first_missing_at'])
    .where('posts.source_id', '=', sourceId).execute();
  return new Map(rows.map((r) => [r.id, { kind: r.kind, lastSeen: Number(r.last_seen_at), firstMissing: Number(r.first_missing_at) }]));
}

/** A disappearance interval must bracket the removal: seen before it, missing after it. */
function assertInterval(d: { lastSeen: number; firstMissing: number } | undefined, what: string) {
  assert.ok(d, `${what}: no disappearance recorded`);
  assert.ok(d.lastSeen < REMOVED_AT, `${what}: last seen ${new Date(d.lastSeen).toISOString()} is after the removal`);
  assert.ok(d.firstMissing >= REMOVED_AT, `${what}: first missing ${new Date(d.firstMissing).toISOString()} is before the removal`);
}

/** RSS 2.0 in GB2312, declared only in the XML declaration (the HTTP header names no charset). */
function gbFeed(clock: VirtualClock, origin: string): Buffer {
  const pub = new Date(T0 - 5 * MIN).toUTCString();
  const items = [
    { id: 'gb-1', title: '北京今日天气晴朗', body: '气温十五度，空气质量良。' },
    { id: 'gb-2', title: '网友转发的维权消息', body: '作者随后删除了这条消息。' },
    { id: 'gb-3', title: '律师发布的公开信', body: '依法被屏蔽的内容。' },
    { id: 'gb-4', title: '滚出首页的旧闻', body: '仍然可以访问。' },
  ].filter((i) => i.id === 'gb-1' || clock.now() < REMOVED_AT);
  const xml = `<?xml version="1.0" encoding="gb2312"?>\n<rss version="2.0"><channel><title>新闻</title><link>${origin}/</link><description>测试</description>` +
    items.map((i) => `<item><guid isPermaLink="false">${i.id}</guid><title>${i.title}</title><link>${origin}/rss/item/${i.id}</link>` +
      `<description>${i.body}</description><pubDate>${pub}</pubDate></item>`).join('') + '</channel></rss>';
  return iconv.encode(xml, 'gb2312');
}

function atomFeed(clock: VirtualClock, origin: string): string {
  const updated = new Date(T0 - 3 * MIN).toISOString();
  const entries = [
    { id: 'tag:example.org,2026:entry-1', slug: 'a1', title: 'Préfecture: the list stays', who: 'Zoë' },
    { id: 'tag:example.org,2026:entry-2', slug: 'a2', title: 'Ein Beitrag, der verschwindet', who: 'Jürgen' },
  ].filter((e) => e.slug === 'a1' || clock.now() < REMOVED_AT);
  return `<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>Blog</title><id>urn:blog</id><updated>${updated}</updated>` +
    entries.map((e) => `<entry><id>${e.id}</id><title>${e.title}</title><link href="${origin}/atom/${e.slug}"/><updated>${updated}</updated>` +
      `<author><name>${e.who}</name></author><content type="text">${e.title}, by ${e.who}</content></entry>`).join('') + '</feed>';
}

for (const b of backends()) {
  describe(`runWatch over feed and http-json sources [${b.label}]`, () => {
    it('feeds: GB2312 RSS and UTF-8 Atom collected; removals found with the right status; a ghost and the rest stay visible', async () => {
      const clock = new VirtualClock(T0);
      const server = await serve((req, res) => {
        const origin = `http://${req.headers.host}`;
        const url = req.url ?? '';
        if (url === '/rss.xml') return void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(gbFeed(clock, origin));
        if (url === '/atom.xml') return void res.writeHead(200, { 'content-type': 'application/atom+xml; charset=utf-8' }).end(atomFeed(clock, origin));
        const removed = clock.now() >= REMOVED_AT;
        // Each item's own page: what a reader gets after the item leaves the feed.
        const page: Record<string, number> = { '/rss/item/gb-1': 200, '/rss/item/gb-2': removed ? 404 : 200, '/rss/item/gb-3': removed ? 451 : 200, '/rss/item/gb-4': 200, '/atom/a1': 200, '/atom/a2': removed ? 410 : 200 };
        const status = page[url] ?? 404;
        res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }).end(status === 200 ? '<html><body>post</body></html>' : '<html><body>gone</body></html>');
      });
      const ts = await b.open();
      try {
        const rss = await addSource(ts.store, { kind: 'feed', url: `${server.origin}/rss.xml`, name: 'gb-rss' });
        const atom = await addSource(ts.store, { kind: 'feed', url: `${server.origin}/atom.xml`, name: 'atom' });
        await runWatch(ts.store, { clock, durationMs: 30 * MIN, sourceIds: [Number(rss.id), Number(atom.id)] });

        const g = await posts(ts, Number(rss.id));
        assert.deepEqual([...g.keys()].sort(), ['gb-1', 'gb-2', 'gb-3', 'gb-4']);
        assert.equal(g.get('gb-1')!.text, '北京今日天气晴朗\n气温十五度，空气质量良。', 'GB2312 decoded by the XML declaration');
        assert.equal(g.get('gb-2')!.created_at, T0 - 5 * MIN);
        assert.equal(g.get('gb-3')!.url, `${server.origin}/rss/item/gb-3`);
        assert.equal(g.get('gb-1')!.status, 'visible');
        assert.ok(g.get('gb-1')!.last_seen > REMOVED_AT, 'the item still listed keeps being seen');
        assert.equal(g.get('gb-2')!.status, FEED_GONE, '404 at the item URL');
        assert.equal(g.get('gb-3')!.status, 'removed_by_platform', '451 Unavailable For Legal Reasons');
        assert.equal(g.get('gb-4')!.status, 'visible', 'left the feed but still served: a ghost, not a deletion');
        const gd = await gone(ts, Number(rss.id));
        assert.deepEqual([...gd.keys()].sort(), ['gb-2', 'gb-3']);
        assertInterval(gd.get('gb-2'), 'gb-2');
        assertInterval(gd.get('gb-3'), 'gb-3');
        assert.equal(gd.get('gb-3')!.kind, 'removed_by_platform');

        const a = await posts(ts, Number(atom.id));
        assert.deepEqual([...a.keys()].sort(), ['tag:example.org,2026:entry-1', 'tag:example.org,2026:entry-2']);
        assert.equal(a.get('tag:example.org,2026:entry-1')!.text, 'Préfecture: the list stays\nPréfecture: the list stays, by Zoë');
        assert.equal(a.get('tag:example.org,2026:entry-1')!.status, 'visible');
        assert.equal(a.get('tag:example.org,2026:entry-2')!.status, FEED_GONE, '410 at the entry URL');
        const ad = await gone(ts, Number(atom.id));
        assert.deepEqual([...ad.keys()], ['tag:example.org,2026:entry-2']);
        assertInterval(ad.get('tag:example.org,2026:entry-2'), 'entry-2');
        const author = await ts.store.db.selectFrom('accounts').select('handle').where('source_id', '=', Number(atom.id)).orderBy('handle').execute();
        assert.deepEqual(author.map((x) => x.handle), ['Jürgen', 'Zoë']);
      } finally {
        await server.close();
        await ts.cleanup();
      }
    });

    it('http-json: a Weibo-like API; 20112 is a platform removal, 20101 an author deletion, an edit becomes a version', async () => {
      const clock = new VirtualClock(T0);
      const statuses = [
        { mid: '4990000000000001', text: '今天的早餐', user: { id: 1001, screen_name: '早起的人' }, created_at: new Date(T0 - 4 * MIN).toISOString() },
        { mid: '4990000000000002', text: '关于那件事的看法', user: { id: 1002, screen_name: '评论员' }, created_at: new Date(T0 - 3 * MIN).toISOString() },
        { mid: '4990000000000003', text: '我删掉了这条', user: { id: 1003, screen_name: '后悔的人' }, created_at: new Date(T0 - 2 * MIN).toISOString() },
      ];
      const hits: string[] = [];
      const server = await serve((req, res) => {
        const u = new URL(req.url ?? '/', 'http://x');
        hits.push(u.pathname);
        const json = (status: number, body: unknown) => void res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
        const removed = clock.now() >= REMOVED_AT;
        if (u.pathname === '/2/statuses/public_timeline.json') {
          // Removed statuses leave the timeline too; the API says why only when asked for one.
          return json(200, { data: { statuses: statuses.filter((s) => !removed || s.mid === '4990000000000001') } });
        }
        if (u.pathname === '/2/statuses/show.json') {
          const id = u.searchParams.get('id');
          const s = statuses.find((x) => x.mid === id);
          if (!s) return json(404, { error: 'not found' });
          if (removed && id === '4990000000000002') return json(200, { error: 'permission denied', error_code: 20112 });
          if (removed && id === '4990000000000003') return json(200, { error: 'target weibo does not exist', error_code: 20101 });
          return json(200, { mid: s.mid, text: removed && id === '4990000000000001' ? '今天的早餐（已编辑）' : s.text });
        }
        json(404, { error: 'not found' });
      });
      const files = tempDir();
      const ts = await b.open();
      try {
        const config = files.file('weibo.json', JSON.stringify({
          platform: 'weibo',
          list: { url: `${server.origin}/2/statuses/public_timeline.json`, itemsPath: 'data.statuses', fields: { id: 'mid', text: 'text', time: 'created_at', account: 'user.id', accountName: 'user.screen_name' } },
          check: {
            url: `${server.origin}/2/statuses/show.json?id={id}`,
            textPath: 'text',
            rules: [
              { path: 'error_code', equals: 20112, outcome: 'removed_by_platform' },
              { path: 'error_code', equals: 20101, outcome: 'deleted' },
              { status: 200, path: 'mid', outcome: 'visible' },
            ],
          },
        }));
        const src = await addSource(ts.store, { kind: 'http-json', configFile: config, name: 'weibo-like' });
        await runWatch(ts.store, { clock, durationMs: 30 * MIN, sourceIds: [Number(src.id)] });

        const p = await posts(ts, Number(src.id));
        assert.deepEqual([...p.keys()].sort(), ['4990000000000001', '4990000000000002', '4990000000000003'], 'ids kept as strings, digit for digit');
        assert.equal(p.get('4990000000000002')!.created_at, T0 - 3 * MIN);
        assert.equal(p.get('4990000000000001')!.status, 'visible');
        assert.equal(p.get('4990000000000001')!.text, '今天的早餐（已编辑）', 'the edited text is the current text');
        assert.equal(p.get('4990000000000002')!.status, 'removed_by_platform');
        assert.equal(p.get('4990000000000003')!.status, 'deleted', 'Weibo\'s 20101 does not say who deleted it');
        const d = await gone(ts, Number(src.id));
        assert.deepEqual([...d.keys()].sort(), ['4990000000000002', '4990000000000003']);
        assertInterval(d.get('4990000000000002'), '20112');
        assertInterval(d.get('4990000000000003'), '20101');
        const versions = await ts.store.db.selectFrom('post_versions').innerJoin('posts', 'posts.id', 'post_versions.post_id')
          .select(['post_versions.text']).where('posts.platform_post_id', '=', '4990000000000001').execute();
        assert.ok(versions.some((v) => v.text === '今天的早餐（已编辑）'), 'the edit is stored as a version');
        const acct = await ts.store.db.selectFrom('accounts').select(['platform_account_id', 'display_name']).where('source_id', '=', Number(src.id)).orderBy('platform_account_id').execute();
        assert.deepEqual(acct.map((x) => [x.platform_account_id, x.display_name]), [['1001', '早起的人'], ['1002', '评论员'], ['1003', '后悔的人']]);
        assert.ok(hits.includes('/2/statuses/show.json'), 'posts were checked one by one');
      } finally {
        await server.close();
        await ts.cleanup();
        files.cleanup();
      }
    });
  });
}
