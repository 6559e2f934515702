import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../helpers/stores.ts';
import { startSim } from '../../src/collect/sim/server.ts';
import { addSource } from '../../src/collect/sources/add.ts';
import { runWatch } from '../../src/watch/run.ts';
import { ingestPosts } from '../../src/watch/ingest.ts';
import { claimDue } from '../../src/watch/queue.ts';
import { DEFAULT_POLICY } from '../../src/watch/policy.ts';
import { livePost } from '../../src/collect/sources/source.ts';

for (const b of backends()) {
  describe(`watchers sharing work [${b.label}]`, () => {
    it('follows the simulator\'s accelerated clock when started with its URL as simClock', async () => {
      const ts = await b.open();
      const start = Date.UTC(2026, 0, 5);
      const sim = await startSim({ seed: 2, speed: 600, start, faultRate: 0, slowRate: 0, scenario: { dataDir: null, postsPerDay: 3000 } });
      try {
        await addSource(ts.store, { kind: 'mastodon', url: sim.url, public: true, budgetPerMinute: 10_000, listEveryMs: 30_000 });
        const wallStart = Date.now();
        await runWatch(ts.store, { durationMs: 1500, simClock: sim.url });
        const obs = await ts.store.db.selectFrom('observations').select('observed_at').execute();
        const posts = await ts.store.db.selectFrom('posts').select('first_seen').execute();
        assert.ok(posts.length > 0 && obs.length > 0);
        // Times are the simulator's (early 2026), not the wall clock's.
        for (const o of obs) assert.ok(Math.abs(Number(o.observed_at) - start) < 3_600_000 * 2 && Number(o.observed_at) < wallStart - 86_400_000);
        // About 1.5 s × 600 = 15 simulated minutes passed.
        assert.ok(Math.max(...obs.map((o) => Number(o.observed_at))) - start >= 5 * 60_000);
      } finally {
        await sim.close();
        await ts.cleanup();
      }
    });

    if (b.label !== 'postgres') return;
    it('concurrent claims from two connections get disjoint posts', async () => {
      const ts = await b.open();
      const second = await ts.reopen();
      try {
        const src = await addSource(ts.store, { kind: 'feed', url: 'http://127.0.0.1:9/feed' });
        const posts = Array.from({ length: 400 }, (_, i) => livePost({ platformPostId: `p${i}`, text: `t${i}`, createdAt: 1000 }));
        await ingestPosts(ts.store, Number(src.id), posts, 2000, DEFAULT_POLICY);
        await ts.store.db.updateTable('watch_schedule').set({ next_check_at: 0 }).execute();
        const claims = await Promise.all(Array.from({ length: 40 }, (_, i) =>
          claimDue(i % 2 ? second : ts.store, { sourceIds: [Number(src.id)], now: 10_000, limit: 10, owner: `o${i}`, leaseMs: 60_000 })));
        const ids = claims.flat().map((c) => c.postId);
        assert.ok(ids.length > 100);
        assert.equal(new Set(ids).size, ids.length, 'a post was claimed twice');
      } finally {
        await second.close();
        await ts.cleanup();
      }
    });

    it('two watchers never check the same post at the same time (SKIP LOCKED)', async () => {
      const ts = await b.open();
      const second = await ts.reopen();
      const start = Date.UTC(2026, 0, 5);
      // Slow answers (1–4 simulated s at speed 20 → up to 0.2 s) make overlaps likely if claims collided.
      const sim = await startSim({ seed: 4, speed: 20, start, faultRate: 0, slowRate: 0.3, scenario: { dataDir: null } });
      try {
        const src = await addSource(ts.store, { kind: 'mastodon', url: sim.url, public: true, budgetPerMinute: 100_000, listEveryMs: 3_600_000 });
        // 200 posts, all due now.
        sim.scenario.ensureUntil(start + 86_400_000);
        const posts = sim.scenario.posts.slice(0, 200).map((p) => livePost({ platformPostId: p.id, text: p.text, accountId: p.account.id, createdAt: start - 86_400_000 }));
        assert.equal(await ingestPosts(ts.store, Number(src.id), posts, start - 1000, DEFAULT_POLICY), 200);
        await ts.store.db.updateTable('watch_schedule').set({ next_check_at: 0 }).execute();
        const events: Array<{ postId: number; owner: string; s: number; e: number }> = [];
        const watcher = (store: typeof ts.store, owner: string) => runWatch(store, {
          owner, durationMs: 3000, batch: 5, sourceIds: [Number(src.id)], simClock: sim.url,
          onCheck: (c) => { events.push({ postId: c.postId, owner, s: c.start, e: c.end }); },
        });
        await Promise.all([watcher(ts.store, 'A'), watcher(second, 'B')]);
        const byOwner = new Set(events.map((e) => e.owner));
        assert.deepEqual([...byOwner].sort(), ['A', 'B'], `both watchers did work: ${events.length} checks by ${[...byOwner].join()}`);
        const obs = await ts.store.db.selectFrom('observations').select(['post_id', 'observed_at']).execute();
        assert.equal(obs.length, events.length);
        // Each post was due once and claimed by exactly one watcher; no two checks of a post overlap.
        const perPost = new Map<number, typeof events>();
        for (const e of events) perPost.set(e.postId, [...(perPost.get(e.postId) ?? []), e]);
        for (const [pid, checks] of perPost) {
          assert.equal(new Set(checks.map((c) => c.owner)).size, 1, `post ${pid} checked by ${checks.map((c) => c.owner).join(',')}`);
          checks.sort((x, y) => x.s - y.s);
          for (let i = 1; i < checks.length; i++) assert.ok(checks[i].s >= checks[i - 1].e);
        }
        assert.ok(perPost.size > 20, `${perPost.size} posts checked`);
      } finally {
        await sim.close();
        await second.close();
        await ts.cleanup();
      }
    });
  });
}

describe('single watcher on stores without concurrent writers', () => {
  it('refuses a second watcher on the same SQLite store while the first runs', async () => {
    const sqlite = backends().find((x) => x.label === 'sqlite')!;
    const ts = await sqlite.open();
    const sim = await startSim({ seed: 1, speed: 60, faultRate: 0, scenario: { dataDir: null } });
    try {
      assert.equal(ts.store.caps.concurrentWriters, false);
      await addSource(ts.store, { kind: 'mastodon', url: sim.url, public: true });
      const ac = new AbortController();
      const first = runWatch(ts.store, { signal: ac.signal });
      await new Promise((r) => setTimeout(r, 300));
      const other = await ts.reopen();
      await assert.rejects(runWatch(other, { durationMs: 500 }), /Another `censorscope watch` is running/);
      ac.abort();
      await first;
      // Once the first has stopped, the slot is free again.
      await runWatch(other, { durationMs: 300 });
      await other.close();
    } finally {
      await sim.close();
      await ts.cleanup();
    }
  });
});
