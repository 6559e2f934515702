import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TtlCache } from '../../src/serve/api/common.ts';

describe('TtlCache', () => {
  it('shares one computation, serves stale while refreshing, and stretches the TTL for slow values', async () => {
    let clock = 1_000;
    const cache = new TtlCache(30, () => clock);
    let calls = 0;
    const fast = () => { calls++; return Promise.resolve(calls); };
    const [a, b] = await Promise.all([cache.get('k', fast), cache.get('k', fast)]);
    assert.deepEqual([a, b, calls], [1, 1, 1]);
    clock += 20;
    assert.equal(await cache.get('k', fast), 1, 'fresh within the TTL');
    clock += 20;
    assert.equal(await cache.get('k', fast), 1, 'expired entries are served stale once');
    await Promise.resolve();
    assert.equal(await cache.get('k', fast), 2, 'then the refreshed value');
    assert.equal(calls, 2);

    // A value that took 20 ms to compute lives 100× as long (2 s), whatever the base TTL.
    let slowCalls = 0;
    const slow = async () => { slowCalls++; clock += 20; return slowCalls; };
    await cache.get('s', slow);
    clock += 1_500;
    assert.equal(await cache.get('s', slow), 1);
    assert.equal(slowCalls, 1);
    clock += 600;
    assert.equal(await cache.get('s', slow), 1, 'stale while refreshing');
    assert.equal(slowCalls, 2);
  });

  it('forgets failures so the next request retries', async () => {
    const cache = new TtlCache(1000);
    await assert.rejects(cache.get('e', () => Promise.reject(new Error('boom'))));
    assert.equal(await cache.get('e', () => Promise.resolve(5)), 5);
  });
});
