/**
 * `POST /api/watch/start` and `/api/watch/stop` over HTTP: starting the watcher from the API
 * really follows the store's sources (a loopback RSS feed is listed and its items stored),
 * `GET /api/watch/health` says it runs, a second start does not start a second watcher, and stop
 * ends it: no request reaches the source afterwards.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { backends } from '../helpers/stores.ts';
import { startServer } from '../../src/serve/server.ts';
import { addSource } from '../../src/collect/sources/add.ts';

const TOKEN = 'watch-start-token-5b0d';

for (const b of backends()) {
  describe(`POST /api/watch/start and /stop [${b.label}]`, () => {
    it('starts a watcher that collects from a loopback feed, reports it, and stops it', { timeout: 120_000 }, async () => {
      let feedHits = 0;
      const now = Date.now();
      const feed = createServer((req, res) => {
        feedHits++;
        const base = `http://${req.headers.host}`;
        const items = [1, 2, 3].map((i) => `<item><guid>post-${i}</guid><title>Post ${i} — café</title><link>${base}/p/${i}</link>` +
          `<pubDate>${new Date(now - i * 60_000).toUTCString()}</pubDate></item>`).join('');
        res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' });
        res.end(`<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>${base}/</link><description>d</description>${items}</channel></rss>`);
      });
      await new Promise<void>((r) => feed.listen(0, '127.0.0.1', r));
      const feedUrl = `http://127.0.0.1:${(feed.address() as AddressInfo).port}/feed.xml`;
      const ts = await b.open();
      // A source listed every second, so the watcher visibly keeps working until it is stopped.
      await addSource(ts.store, { kind: 'feed', url: feedUrl, name: 'loopback-feed', listEveryMs: 1000 });
      const server = await startServer(ts.store, { port: 0, token: TOKEN });
      const call = async (path: string, body?: unknown, auth = true) => {
        const res = await fetch(`${server.url}${path}`, body === undefined ? {} : {
          method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${TOKEN}` } : {}) },
        });
        return { status: res.status, json: await res.json() as Record<string, any> };
      };
      try {
        assert.equal((await call('/api/watch/start', {}, false)).status, 401, 'start needs the token');
        assert.equal(feedHits, 0, 'a refused start fetched nothing');
        const start = await call('/api/watch/start', { durationMs: 60_000 });
        assert.equal(start.status, 200, JSON.stringify(start.json));
        assert.equal(start.json.watcher.running, true);
        const startedAt = start.json.watcher.startedAt;
        assert.ok(startedAt >= now, 'startedAt is the start time');

        // The watcher stores a listing's posts, then schedules them: wait for both.
        let stored: Array<{ platform_post_id: string; text: string }> = [];
        let scheduled = 0;
        for (let i = 0; i < 150 && (stored.length < 3 || scheduled < 3); i++) {
          await delay(100);
          stored = await ts.store.db.selectFrom('posts').select(['platform_post_id', 'text']).orderBy('platform_post_id').execute();
          const n = await ts.store.db.selectFrom('watch_schedule').select((eb) => eb.fn.countAll().as('n')).where('done', '=', 0).executeTakeFirst();
          scheduled = Number(n?.n);
        }
        assert.deepEqual(stored.map((p) => p.platform_post_id), ['post-1', 'post-2', 'post-3'], 'the watcher listed the feed and stored its items');
        assert.equal(stored[0]!.text, 'Post 1 — café');
        assert.equal(scheduled, 3, 'each collected post is scheduled for re-checks');

        const health = await call('/api/watch/health');
        assert.equal(health.status, 200);
        assert.equal(health.json.watcher.running, true);
        const again = await call('/api/watch/start', {});
        assert.equal(again.json.watcher.startedAt, startedAt, 'a second start joins the running watcher');

        // Stop must end the watcher now, not when its duration runs out (a minute).
        const stop = await Promise.race([call('/api/watch/stop', {}), delay(15_000).then(() => null)]);
        assert.ok(stop, 'POST /api/watch/stop answered within 15 s');
        assert.equal(stop.status, 200);
        assert.equal(stop.json.watcher.running, false);
        assert.equal(stop.json.watcher.lastError, null, 'the watcher stopped without an error');
        const hitsAtStop = feedHits;
        assert.ok(hitsAtStop >= 1);
        await delay(2500);
        assert.equal(feedHits, hitsAtStop, 'no request reaches the source after stop');
        assert.equal((await call('/api/watch/health')).json.watcher.running, false);
      } finally {
        await server.close();
        await new Promise<void>((r) => { feed.closeAllConnections(); feed.close(() => r()); });
        await ts.cleanup();
      }
    });
  });
}
