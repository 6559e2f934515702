/**
 * Many checks in flight (issue 16): one watcher over several simulated hosts, each answering
 * after a short real latency, on the wall clock shared with the simulators (runs stop on what
 * happened, not after a time, so a loaded machine changes only how long they take). What is
 * measured is what the servers saw: the requests each got per 60 s window against its source's
 * budget, the connections each had open at once against --per-host, and the checks in flight. And the batched recording: every finished check
 * recorded once, none lost when the watcher is stopped mid-flight, none twice when it resumes.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backends, type TestStore } from '../helpers/stores.ts';
import { startSim, type SimHandle } from '../../src/collect/sim/server.ts';
import { addSource } from '../../src/collect/sources/add.ts';
import { runWatch } from '../../src/watch/run.ts';
import { ingestPosts } from '../../src/watch/ingest.ts';
import { realClock, type Clock } from '../../src/watch/clock.ts';
import { DEFAULT_POLICY } from '../../src/watch/policy.ts';
import { livePost } from '../../src/collect/sources/source.ts';
import { maxInWindow, maxOverlap } from './window.ts';

const DAY = 86_400_000;

/** A simulated host with `sources` sources on it, each with `posts` of its posts due now. */
async function host(ts: TestStore, clock: Clock, seed: number, o: { sources: number; posts: number; budget: number; latencyMs: number }): Promise<{ sim: SimHandle; ids: number[] }> {
  // A day of posts before now (the simulators run on the test's clock).
  const now = clock.now();
  const sim = await startSim({ seed, clock, start: now - DAY, faultRate: 0, slowRate: 0, outages: null, latencyMs: o.latencyMs, scenario: { dataDir: null } });
  sim.scenario.ensureUntil(now);
  const ids: number[] = [];
  for (let k = 0; k < o.sources; k++) {
    // Listing once an hour: the budget goes to checks, which is what is measured.
    const src = await addSource(ts.store, { kind: 'mastodon', url: sim.url, public: true, name: `sim${seed}-${k}`, budgetPerMinute: o.budget, listEveryMs: 3_600_000 });
    const mine = sim.scenario.posts.filter((p) => p.created < now && !p.fate).slice(k * o.posts, (k + 1) * o.posts);
    const posts = mine.map((p) => livePost({ platformPostId: p.id, text: p.text, accountId: p.account.id, createdAt: p.created }));
    assert.equal(await ingestPosts(ts.store, Number(src.id), posts, now - 60_000, DEFAULT_POLICY), o.posts);
    ids.push(Number(src.id));
  }
  await ts.store.db.updateTable('watch_schedule').set({ next_check_at: 0 }).where('source_id', 'in', ids).execute();
  return { sim, ids };
}

for (const b of backends()) {
  describe(`many checks in flight [${b.label}]`, () => {
    it('reaches its concurrency while no source exceeds its budget and no host its connections', async () => {
      const ts = await b.open();
      const BUDGET = 8;
      const hosts = [
        await host(ts, realClock, 1, { sources: 2, posts: 30, budget: BUDGET, latencyMs: 50 }),
        await host(ts, realClock, 2, { sources: 1, posts: 30, budget: BUDGET, latencyMs: 50 }),
        await host(ts, realClock, 3, { sources: 1, posts: 30, budget: BUDGET, latencyMs: 50 }),
        await host(ts, realClock, 4, { sources: 1, posts: 30, budget: BUDGET, latencyMs: 50 }),
      ];
      try {
        const checks: Array<{ postId: number; start: number; end: number }> = [];
        // Runs until every host has had its sources' budgets' worth, then one more second (any
        // request past the budget would come then), well inside one 60 s window; at most 30 s.
        const ac = new AbortController();
        const full = () => hosts.every((h) => h.sim.requests().length >= BUDGET * h.ids.length);
        const poll = setInterval(() => { if (full()) { clearInterval(poll); setTimeout(() => ac.abort(), 1000); } }, 20);
        await runWatch(ts.store, {
          clock: realClock, signal: ac.signal, durationMs: 30_000, concurrency: 8, perHost: 2, owner: 'w1', sites: false,
          onCheck: (c) => checks.push(c),
        });
        clearInterval(poll);
        assert.ok(full(), 'every source spent its budget within 30 s');
        for (const [i, h] of hosts.entries()) {
          const budget = BUDGET * h.ids.length;
          assert.equal(maxInWindow(h.sim.requests()), budget, `host ${i}: requests in one 60 s window, budget ${budget}`);
          assert.ok(h.sim.peakInFlight() <= 2, `host ${i}: ${h.sim.peakInFlight()} connections at once, --per-host 2`);
        }
        // Two sources on one host still share its two connections.
        assert.equal(hosts[0].sim.peakInFlight(), 2);
        const overlap = maxOverlap(checks);
        assert.ok(overlap >= 4 && overlap <= 8, `${overlap} checks in flight at once (concurrency 8, 4 hosts x 2)`);
        const obs = await ts.store.db.selectFrom('observations').select(['post_id', 'observed_at']).execute();
        assert.equal(obs.length, checks.length, 'every finished check recorded once');
        const held = await ts.store.db.selectFrom('watch_schedule').select('post_id').where('lease_owner', '=', 'w1').execute();
        assert.equal(held.length, 0, 'no lease left behind');
      } finally {
        for (const h of hosts) await h.sim.close();
        await ts.cleanup();
      }
    });

    it('a busy source does not starve the others', async () => {
      const ts = await b.open();
      const busy = await host(ts, realClock, 5, { sources: 1, posts: 150, budget: 10_000, latencyMs: 20 });
      const quiet = await host(ts, realClock, 6, { sources: 1, posts: 5, budget: 10_000, latencyMs: 20 });
      try {
        const order: number[] = [];
        const ofQuiet = new Set((await ts.store.db.selectFrom('watch_schedule').select('post_id').where('source_id', '=', quiet.ids[0]).execute()).map((r) => Number(r.post_id)));
        // The busy source's posts are the most overdue: a queue by due time alone would check all 150 first.
        await ts.store.db.updateTable('watch_schedule').set({ next_check_at: 1 }).where('source_id', '=', quiet.ids[0]).execute();
        const ac = new AbortController();
        await runWatch(ts.store, {
          clock: realClock, signal: ac.signal, durationMs: 30_000, concurrency: 4, perHost: 2, sites: false,
          onCheck: (c) => {
            order.push(c.postId);
            if (order.filter((id) => ofQuiet.has(id)).length === 5) ac.abort();
          },
        });
        const quietAt = order.flatMap((id, i) => (ofQuiet.has(id) ? [i] : []));
        assert.equal(quietAt.length, 5, 'every post of the quiet source checked');
        // Taking turns, the quiet source's five come within the first twenty checks, not after 150.
        assert.ok(quietAt[4] < 20, `the quiet source's checks came at ${quietAt.map((i) => i + 1).join(', ')} of ${order.length}`);
      } finally {
        await busy.sim.close();
        await quiet.sim.close();
        await ts.cleanup();
      }
    });

    it('a stop mid-flight loses no finished check and the next run repeats none', async () => {
      const ts = await b.open();
      const clock = realClock;
      const h = await host(ts, clock, 7, { sources: 1, posts: 200, budget: 100_000, latencyMs: 100 });
      try {
        // One run as `owner`, stopped at its tenth check: with checks in flight and finished ones waiting for their batch.
        const watchTen = async (owner: string) => {
          const checked: number[] = [];
          const ac = new AbortController();
          await runWatch(ts.store, { clock, signal: ac.signal, durationMs: 30_000, concurrency: 8, perHost: 8, owner, sites: false, onCheck: (c) => {
            checked.push(c.postId);
            if (checked.length === 10) ac.abort();
          } });
          return checked;
        };
        const first = await watchTen('first');
        const after = await ts.store.db.selectFrom('observations').select('post_id').execute();
        assert.ok(first.length > 8, `${first.length} checks before the stop`);
        assert.equal(after.length, first.length, 'every check reported was recorded, and only those');
        const held = await ts.store.db.selectFrom('watch_schedule').select('post_id').where('lease_owner', 'is not', null).execute();
        assert.equal(held.length, 0, 'the stop gave every lease back');
        const second = await watchTen('second');
        const all = await ts.store.db.selectFrom('observations').select('post_id').execute();
        assert.equal(all.length, first.length + second.length);
        // Each post was due once (the next check is minutes away): a post checked in both runs was recorded twice.
        const twice = second.filter((id) => first.includes(id));
        assert.deepEqual(twice, [], 'posts checked again after the restart');
        assert.equal(new Set(all.map((o) => Number(o.post_id))).size, all.length);
      } finally {
        await h.sim.close();
        await ts.cleanup();
      }
    });
  });
}
