import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../helpers/stores.ts';
import { startSim } from '../../src/collect/sim/server.ts';
import { addSource } from '../../src/collect/sources/add.ts';
import { runWatch } from '../../src/watch/run.ts';
import { ingestPosts } from '../../src/watch/ingest.ts';
import { DEFAULT_POLICY } from '../../src/watch/policy.ts';
import { livePost } from '../../src/collect/sources/source.ts';

for (const b of backends()) {
  describe(`watchers sharing work [${b.label}]`, () => {
    it('follows the simulator\'s accelerated clock when none is given', async () => {
      const ts = await b.open();
      const start = Date.UTC(2026, 0, 5);
      const sim = await startSim({ seed: 2, speed: 600, start, faultRate: 0, slowRate: 0, scenario: { dataDir: null, postsPerDay: 3000 } });
      try {
        await addSource(ts.store, { kind: 'mastodon', url: sim.url, public: true, budgetPerMinute: 10_000, listEveryMs: 30_000 });
        const wallStart = Date.now();
        await runWatch(ts.store, { durationMs: 1500 });
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
    it('two watchers never check the same post at the same time (SKIP LOCKED)', async () => {
      const ts = await b.open();
      const second = await ts.reopen();
      const start = Date.UTC(2026, 0, 5);
      // Slow answers (1–4 simulated s at speed 20 → up to 0.2 s) make overlaps likely if claims collided.
      const sim = await startSim({ seed: 4, speed: 20, start, faultRate: 0, slowRate: 0.5, scenario: { dataDir: null } });
      try {
        const src = await addSource(ts.store, { kind: 'mastodon', url: sim.url, public: true, budgetPerMinute: 100_000, listEveryMs: 3_600_000 });
        // 200 posts, all due now.
        const posts = sim.scenario.posts.slice(0, 200).map((p) => livePost({ platformPostId: p.id, text: p.text, accountId: p.account.id, createdAt: start - 86_400_000 }));
        await ingestPosts(ts.store, Number(src.id), posts, start - 1000, DEFAULT_POLICY);
        await ts.store.db.updateTable('watch_schedule').set({ next_check_at: 0 }).execute();
        const events: Array<{ postId: number; owner: string; s: number; e: number }> = [];
        const watcher = (store: typeof ts.store, owner: string) => {
          let s = 0;
          return runWatch(store, {
            owner, durationMs: 2500, batch: 5, sourceIds: [Number(src.id)],
            onCheck: (c) => { events.push({ postId: c.postId, owner, s, e: performance.now() }); },
            budgets: new Map(),
          }).then(() => s++);
        };
        // Real start times come from wrapping fetch is overkill; the lease interval is what matters:
        await Promise.all([watcher(ts.store, 'A'), watcher(second, 'B')]);
        const byOwner = new Set(events.map((e) => e.owner));
        assert.deepEqual([...byOwner].sort(), ['A', 'B'], `both watchers did work: ${events.length} checks by ${[...byOwner].join()}`);
        const obs = await ts.store.db.selectFrom('observations').select(['post_id', 'observed_at']).execute();
        assert.equal(obs.length, events.length);
        // Each post was checked once: due once, and claimed by exactly one watcher.
        const perPost = new Map<number, string[]>();
        for (const e of events) perPost.set(e.postId, [...(perPost.get(e.postId) ?? []), e.owner]);
        for (const [pid, owners] of perPost) assert.equal(owners.length, 1, `post ${pid} checked by ${owners.join(',')}`);
        assert.ok(perPost.size > 50, `${perPost.size} posts checked`);
      } finally {
        await sim.close();
        await second.close();
        await ts.cleanup();
      }
    });
  });
}
