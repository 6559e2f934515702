import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TtlCache } from '../../src/serve/api/common.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('TtlCache', () => {
  it('shares one computation, serves stale while refreshing, and stretches the TTL for slow values', async () => {
    const cache = new TtlCache(30);
    let calls = 0;
    const fast = () => { calls++; return Promise.resolve(calls); };
    const [a, b] = await Promise.all([cache.get('k', fast), cache.get('k', fast)]);
    assert.equal(a, 1);
    assert.equal(b, 1);
    assert.equal(calls, 1);
    await sleep(40);
    assert.equal(await cache.get('k', fast), 1, 'expired entries are served stale once');
    await sleep(5);
    assert.equal(await cache.get('k', fast), 2, 'then the refreshed value');

    // A value that took ~20 ms to compute lives ≥ 100× as long (2 s), whatever the base TTL.
    let slowCalls = 0;
    const slow = async () => { slowCalls++; await sleep(20); return slowCalls; };
    await cache.get('s', slow);
    await sleep(60);
    assert.equal(await cache.get('s', slow), 1);
    assert.equal(slowCalls, 1);
  });

  it('forgets failures so the next request retries', async () => {
    const cache = new TtlCache(1000);
    await assert.rejects(cache.get('e', () => Promise.reject(new Error('boom'))));
    assert.equal(await cache.get('e', () => Promise.resolve(5)), 5);
  });
});
