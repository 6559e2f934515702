import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { FeedSource, parseFeed } from '../../../src/collect/sources/feed.ts';
import { HttpJsonSource, loadHttpJsonConfig } from '../../../src/collect/sources/http-json.ts';
import { HttpClient, RequestBudget } from '../../../src/collect/sources/http.ts';
import { VirtualClock } from '../../../src/watch/clock.ts';

async function serve(handler: http.RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

const T0 = Date.UTC(2026, 0, 5);

/** A generated feed: items 1..n, some dropped from the feed, with per-item page answers. */
function feedServer(state: { listed: number[]; pages: Record<number, number>; atom: boolean }) {
  return (req: http.IncomingMessage, res: http.ServerResponse) => {
    const host = `http://${req.headers.host}`;
    if (req.url === '/feed') {
      res.writeHead(200, { 'content-type': 'application/xml' });
      const items = state.listed.map((i) => state.atom
        ? `<entry><id>tag:x,${i}</id><title>标题${i}</title><link href="${host}/p/${i}"/><published>${new Date(T0 + i * 60_000).toISOString()}</published><content>内容&lt;b&gt;${i}</content></entry>`
        : `<item><guid>${host}/p/${i}</guid><title>标题${i}</title><link>${host}/p/${i}</link><pubDate>${new Date(T0 + i * 60_000).toUTCString()}</pubDate><description>内容${i}</description></item>`);
      return res.end(state.atom ? `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">${items.join('')}</feed>` : `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>${items.join('')}</channel></rss>`);
    }
    const m = req.url?.match(/^\/p\/(\d+)$/);
    res.writeHead(m ? (state.pages[Number(m[1])] ?? 200) : 404);
    res.end('page');
  };
}

describe('feed source', () => {
  for (const atom of [false, true]) {
    it(`${atom ? 'Atom' : 'RSS'}: lists new items, confirms a missing item on its URL, keeps ghosts visible`, async () => {
      const state = { listed: [1, 2, 3, 4, 5], pages: {} as Record<number, number>, atom };
      const s = await serve(feedServer(state));
      const clock = new VirtualClock(T0 + 3_600_000);
      const src = new FeedSource({ url: `${s.url}/feed`, reuseMs: 0 }, new HttpClient({ policy: { allowPrivate: true }, budget: new RequestBudget(1000, clock), clock }), clock);
      try {
        const first = await src.listNew(null);
        assert.equal(first.posts.length, 5);
        assert.equal(first.posts[0].createdAt, T0 + 60_000);
        state.listed = [1, 2, 4, 5, 6];
        state.pages[3] = 404;
        state.pages[5] = 410;
        const next = await src.listNew(first.cursor);
        assert.ok(next.posts.some((p) => p.platformPostId.endsWith(atom ? ',6' : '/p/6')));
        assert.ok(!next.posts.some((p) => p.platformPostId.endsWith('3')));
        const post = (i: number) => first.posts.find((p) => p.url === `${s.url}/p/${i}`)!;
        const check = (i: number) => src.checkPost({ platformPostId: post(i).platformPostId, url: post(i).url, accountPlatformId: null });
        assert.equal((await check(3)).outcome, 'deleted', 'a feed cannot say who deleted it');
        assert.equal((await check(5)).outcome, 'visible', 'still listed in the feed');
        state.listed = [1, 2, 6];
        const ghost = await check(4);
        assert.equal(ghost.outcome, 'visible', 'dropped from the feed but its page still answers: a ghost');
        assert.equal(ghost.detail.ghost, true);
        state.pages[4] = 451;
        assert.equal((await check(4)).outcome, 'removed_by_platform');
      } finally {
        await s.close();
      }
    });
  }

  it('rejects documents that are not feeds', () => {
    assert.throws(() => parseFeed('<html><body/></html>'), /not an RSS, RDF, Atom or JSON feed/);
  });
});

describe('http-json source (Weibo-style rules)', () => {
  it('maps error codes to outcomes through the config rules', async () => {
    const posts: Record<string, { code?: number; text?: string; status?: number }> = {
      a: { text: '你好' }, b: { code: 20112 }, c: { code: 20101 }, d: { code: 20003 }, e: { status: 500 },
    };
    const s = await serve((req, res) => {
      const u = new URL(req.url!, 'http://x');
      if (u.pathname === '/list') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ data: { statuses: Object.keys(posts).map((id, i) => ({ idstr: id, text: `t${id}`, created: (T0 / 1000) + i * 60, user: { id: 7 } })) } }));
      }
      const p = posts[u.searchParams.get('id')!];
      if (p.status) { res.writeHead(p.status); return res.end('{}'); }
      res.writeHead(p.code ? 400 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(p.code ? { error_code: p.code, error: 'x' } : { text: p.text }));
    });
    const dir = mkdtempSync(join(tmpdir(), 'hj-'));
    const file = join(dir, 'weibo.json');
    writeFileSync(file, JSON.stringify({
      platform: 'weibo-like',
      list: { url: `${s.url}/list`, itemsPath: 'data.statuses', fields: { id: 'idstr', text: 'text', time: 'created', account: 'user.id' } },
      check: {
        url: `${s.url}/show?id={id}`, textPath: 'text',
        rules: [
          { status: 200, outcome: 'visible' },
          { path: 'error_code', equals: 20112, outcome: 'removed_by_platform' },
          // Weibo's "does not exist" is the same for the author's deletion and the platform's.
          { path: 'error_code', equals: 20101, outcome: 'deleted' },
          { path: 'error_code', equals: 20003, outcome: 'account_gone' },
        ],
      },
    }));
    try {
      const clock = new VirtualClock(T0);
      const src = new HttpJsonSource(loadHttpJsonConfig(file), new HttpClient({ policy: { allowPrivate: true }, budget: new RequestBudget(1000, clock), clock, attempts: 2 }));
      const listed = await src.listNew(null);
      assert.deepEqual(listed.posts.map((p) => [p.platformPostId, p.accountId, p.createdAt]), Object.keys(posts).map((id, i) => [id, '7', T0 + i * 60_000]));
      const out = async (id: string) => (await src.checkPost({ platformPostId: id, url: null, accountPlatformId: '7' }));
      const a = await out('a');
      assert.equal(a.outcome, 'visible');
      assert.equal(a.text, '你好');
      assert.equal((await out('b')).outcome, 'removed_by_platform');
      assert.equal((await out('c')).outcome, 'deleted');
      assert.equal((await out('d')).outcome, 'account_gone');
      await assert.rejects(out('e'), /HTTP 500/);
      writeFileSync(file, JSON.stringify({ list: { url: 'nope' } }));
      assert.throws(() => loadHttpJsonConfig(file), /not a valid http-json source config/);
    } finally {
      await s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
