/**
 * Attack: an unauthenticated client asks for many distinct large pages (every `before` cursor is
 * a new cache key) to fill the server's memory. The API cache must stay under its byte bound.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backends, type TestStore } from '../helpers/stores.ts';
import { startServer, type RunningServer } from '../../src/serve/server.ts';
import { seedObservatory } from '../../src/serve/fixtures.ts';
import { TtlCache } from '../../src/serve/api/common.ts';

describe('TtlCache byte bound', () => {
  it('evicts least recently used values past maxBytes and does not keep a value over maxEntryBytes', async () => {
    const cache = new TtlCache(60_000, Date.now, { maxBytes: 1000, maxEntryBytes: 600 });
    const blob = (n: number) => async () => 'x'.repeat(n - 2); // JSON adds two quotes
    await cache.get('a', blob(400));
    await cache.get('b', blob(400));
    assert.equal(cache.bytes, 800);
    await cache.get('a', blob(400)); // a is now the most recently used
    await cache.get('c', blob(400));
    assert.equal(cache.bytes, 800);
    let recomputed = 0;
    await cache.get('a', async () => { recomputed++; return ''; });
    assert.equal(recomputed, 0, 'a was kept');
    await cache.get('b', async () => { recomputed++; return 'b'; });
    assert.equal(recomputed, 1, 'b, the least recently used, was evicted');

    const big = await cache.get('big', blob(700));
    assert.equal(big.length, 698, 'a large value is still served');
    let again = 0;
    await cache.get('big', async () => { again++; return 'x'; });
    assert.equal(again, 1, 'but not kept');
    assert.ok(cache.bytes <= 1000);
  });
});

const BOUND = 200_000;

for (const b of backends()) {
  describe(`API cache under a flood of distinct large responses [${b.label}]`, () => {
    let ts: TestStore;
    let server: RunningServer;
    before(async () => {
      ts = await b.open();
      await seedObservatory(ts.store, { posts: 3000, seed: 3 });
      server = await startServer(ts.store, { port: 0, cache: { maxBytes: BOUND, maxEntryBytes: BOUND / 2 } });
    });
    after(async () => {
      await server?.close();
      await ts?.cleanup();
    });

    it('keeps the cache under its byte bound while serving every page', async () => {
      let served = 0;
      let peak = 0;
      for (let i = 0; i < 60; i++) {
        const res = await fetch(`${server.url}/api/posts?limit=200&before=${3002 - i * 7}`);
        assert.equal(res.status, 200);
        const body = await res.text();
        assert.ok((JSON.parse(body) as { items: unknown[] }).items.length > 100);
        served += Buffer.byteLength(body);
        peak = Math.max(peak, server.cache.bytes);
      }
      assert.ok(served > 10 * BOUND, `the flood must be far larger than the bound (${served} bytes)`);
      assert.ok(peak <= BOUND, `the cache held ${peak} bytes, over its bound of ${BOUND}`);
      assert.ok(server.cache.bytes > BOUND / 4, 'the cache still caches');
    });
  });
}
