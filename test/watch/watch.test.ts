import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, type TestStore } from '../helpers/stores.ts';
import { startSim, type SimHandle } from '../../src/collect/sim/server.ts';
import { addSource } from '../../src/collect/sources/add.ts';
import { runWatch } from '../../src/watch/run.ts';
import { VirtualClock } from '../../src/watch/clock.ts';
import type { Budget } from '../../src/collect/sources/http.ts';

const START = Date.UTC(2026, 0, 5);
const HOUR = 3_600_000;

for (const b of backends()) {
  describe(`deletion watch against the simulated platform [${b.label}]`, () => {
    let ts: TestStore;
    let sim: SimHandle;
    let clock: VirtualClock;
    let sourceId: number;
    const budgets = new Map<number, Budget>();
    before(async () => {
      ts = await b.open();
      clock = new VirtualClock(START);
      // Hostile conditions: a quarter of answers are 503/429, many slow, many ghosts and edits.
      sim = await startSim({ seed: 21, clock, start: START, faultRate: 0.25, slowRate: 0.05,
        scenario: { dataDir: null, postsPerDay: 400, ghostShare: 0.15, editShare: 0.3, suspensionsPerDay: 8, sensitiveShare: 0.2, authorDeleteShare: 0.15 } });
      const src = await addSource(ts.store, { kind: 'mastodon', url: sim.url, public: true, budgetPerMinute: 40 });
      sourceId = Number(src.id);
      await runWatch(ts.store, { clock, durationMs: 4 * HOUR, budgets });
    });
    after(async () => {
      await sim.close();
      await ts.cleanup();
    });

    it('records only true disappearances, of the kind Mastodon lets us tell, inside [last seen, first missing]', async () => {
      const truth = new Map(sim.truth().map((e) => [e.id, e]));
      const rows = await ts.store.db.selectFrom('disappearances as d').innerJoin('posts as p', 'p.id', 'd.post_id')
        .innerJoin('observations as o', 'o.id', 'd.observation_id')
        .select(['p.platform_post_id', 'p.status', 'd.kind', 'd.last_seen_at', 'd.first_missing_at', 'd.detected_at', 'o.outcome']).execute();
      const kinds = new Set(rows.map((r) => r.kind));
      // Mastodon answers an author's deletion and a moderator's removal with the same 404: both are
      // `deleted` (actor unknown); a suspended account's statuses are `account_gone` (this world's
      // first hours hold few of those: test/watch/mastodon-real.test.ts proves that path).
      assert.ok(kinds.has('deleted'), [...kinds].join());
      assert.deepEqual([...kinds].filter((k) => k !== 'deleted' && k !== 'account_gone'), [], 'no attribution Mastodon does not give');
      const truthKinds = new Set(rows.map((r) => truth.get(r.platform_post_id)?.kind));
      assert.ok(truthKinds.has('removed_by_platform') && truthKinds.has('deleted_by_author'), [...truthKinds].join());
      const expectedKind = { removed_by_platform: 'deleted', deleted_by_author: 'deleted', account_gone: 'account_gone' } as const;
      for (const r of rows) {
        const t = truth.get(r.platform_post_id);
        assert.ok(t, `post ${r.platform_post_id} was reported ${r.kind} but never disappeared`);
        assert.equal(r.kind, expectedKind[t.kind], `post ${r.platform_post_id}: truth ${t.kind}`);
        assert.equal(r.status, r.kind);
        assert.equal(r.outcome, r.kind);
        const at = Date.parse(t.at);
        assert.ok(Number(r.last_seen_at) <= at && at <= Number(r.first_missing_at), `interval misses the truth for ${r.platform_post_id}`);
        assert.ok(Number(r.first_missing_at) <= Number(r.detected_at));
      }
      // Most removals of posts the watcher saw were caught within the run.
      const seen = new Set((await ts.store.db.selectFrom('posts').select('platform_post_id').execute()).map((p) => p.platform_post_id));
      const due = [...truth.values()].filter((e) => seen.has(e.id) && Date.parse(e.at) < START + 3 * HOUR);
      const found = new Set(rows.map((r) => r.platform_post_id));
      assert.ok(due.filter((e) => found.has(e.id)).length >= 0.9 * due.length, `${due.filter((e) => found.has(e.id)).length}/${due.length}`);
    });

    it('never turns transient failures or ghost posts into deletions', async () => {
      // Hundreds of injected 503/429 answers; the first test shows none became a disappearance.
      assert.ok(sim.faults() > 100, `only ${sim.faults()} faults injected`);
      const ghostFrom = new Map(sim.scenario.posts.filter((p) => p.ghostFrom != null && p.ghostFrom < clock.now()).map((p) => [p.id, p.ghostFrom!]));
      assert.ok(ghostFrom.size > 5);
      // Ghosts the watcher checked after they left the timelines: each check said visible.
      const checks = await ts.store.db.selectFrom('observations as o').innerJoin('posts as p', 'p.id', 'o.post_id')
        .select(['p.platform_post_id', 'p.status', 'o.observed_at', 'o.outcome']).where('p.platform_post_id', 'in', [...ghostFrom.keys()]).execute();
      const asGhost = checks.filter((c) => Number(c.observed_at) >= ghostFrom.get(c.platform_post_id)! && c.outcome !== 'transient');
      assert.ok(new Set(asGhost.map((c) => c.platform_post_id)).size > 5, `only ${asGhost.length} checks of ghosts after they left the timelines`);
      for (const c of asGhost) assert.equal(c.outcome, 'visible', `ghost ${c.platform_post_id} was read as ${c.outcome}`);
      for (const c of checks) assert.equal(c.status, 'visible', `ghost ${c.platform_post_id} stored as ${c.status}`);
      // And no post that never disappeared is stored as gone, whatever answers its checks met.
      const fates = new Map(sim.scenario.posts.map((p) => [p.id, p.fate]));
      const stored = await ts.store.db.selectFrom('posts').select(['platform_post_id', 'status']).where('status', '<>', 'visible').execute();
      for (const p of stored) assert.ok(fates.get(p.platform_post_id), `${p.platform_post_id} is ${p.status} but never disappeared`);
    });

    it('keeps edits as versions', async () => {
      const edited = sim.scenario.posts.filter((p) => p.edit && p.edit.at < clock.now() - HOUR / 2 && !p.fate && p.created < clock.now() - HOUR).map((p) => p.id);
      assert.ok(edited.length > 3);
      const rows = await ts.store.db.selectFrom('post_versions as v').innerJoin('posts as p', 'p.id', 'v.post_id')
        .select(['p.platform_post_id', 'p.text', 'v.text as vtext']).where('p.platform_post_id', 'in', edited).execute();
      const byPost = new Map<string, typeof rows>();
      for (const r of rows) byPost.set(r.platform_post_id, [...(byPost.get(r.platform_post_id) ?? []), r]);
      const withTwo = [...byPost.values()].filter((v) => v.length === 2);
      assert.ok(withTwo.length > 0);
      for (const v of withTwo) assert.ok(v[0].text.endsWith('（已编辑）') && v.some((x) => !x.vtext.endsWith('（已编辑）')));
    });

    it('holds the request budget in every sliding minute', () => {
      const times = sim.requests();
      assert.equal(budgets.get(sourceId)!.used, times.length);
      for (let i = 40; i < times.length; i++) assert.ok(times[i] - times[i - 40] >= 60_000, `41 requests within a minute at ${i}`);
    });

    it('resumes its persisted schedule after a restart', async () => {
      await ts.store.close();
      const store = await ts.reopen();
      ts.store = store;
      const restartAt = clock.now();
      const before = await store.db.selectFrom('watch_schedule').select(['post_id', 'next_check_at', 'checks']).where('done', '=', 0).execute();
      const posts = await store.db.selectFrom('posts').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
      assert.ok(before.length > 10);
      await runWatch(store, { clock, durationMs: HOUR });
      const firstAfter = await store.db.selectFrom('observations').select(['post_id', (eb) => eb.fn.min('observed_at').as('t')])
        .where('observed_at', '>=', restartAt).groupBy('post_id').execute();
      const firstBy = new Map(firstAfter.map((r) => [Number(r.post_id), Number(r.t)]));
      let resumed = 0;
      for (const r of before) {
        const t = firstBy.get(Number(r.post_id));
        if (t == null) continue;
        assert.ok(t >= Number(r.next_check_at), 'a post was checked before its persisted next check');
        resumed++;
      }
      assert.ok(resumed > 5);
      const after = await store.db.selectFrom('watch_schedule').select(['post_id', 'checks']).execute();
      const checksBefore = new Map(before.map((r) => [Number(r.post_id), Number(r.checks)]));
      for (const r of after) if (checksBefore.has(Number(r.post_id))) assert.ok(Number(r.checks) >= checksBefore.get(Number(r.post_id))!);
      const postsAfter = await store.db.selectFrom('posts').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
      assert.ok(Number(postsAfter?.n) > Number(posts?.n), 'new posts were listed from the saved cursor');
    });
  });
}
