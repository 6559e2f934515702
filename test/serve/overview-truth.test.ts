/**
 * The overview's numbers tell the truth, on both backends: tiles and tables come from one
 * snapshot (they agree, whatever the cache ages), removal rates carry 95% Wilson intervals that
 * match a hand computation, accounts under the minimum sample do not rank, the ranking by the
 * interval's lower bound is exact even past the first chunk of candidates, simulated sources are
 * reported exactly when present, and time windows follow the data's own clock.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backends, type TestStore } from '../helpers/stores.ts';
import { startServer, type RunningServer } from '../../src/serve/server.ts';
import { ensureSource } from '../../src/store/queries/sources.ts';
import { addSource } from '../../src/collect/sources/add.ts';
import type { PostRecord } from '../../src/store/bulk.ts';
import type { PostStatus } from '../../src/store/schema.ts';
import type { Store } from '../../src/store/open.ts';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 2, 10, 12, 0, 0);

/**
 * Wilson 95% intervals computed by hand (p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n),
 * z = 1.96, rounded to 4 places; 3 of 5 gives 0.2307–0.8824 as published tables do.
 */
const HAND = {
  C: [0.7575, 1], D: [0.2081, 0.3785], A: [0.352, 0.648], F: [0.3127, 0.8318], G: [0.0179, 0.4042], B5: [0.5655, 1], filler: [0.0138, 0.165],
} as const;

/** `n` posts of one account, the first `x` removed by the platform. */
function posts(account: string, n: number, x: number, removedAs: PostStatus = 'removed_by_platform'): PostRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    platformPostId: `${account}-${i}`, accountId: account, accountHandle: account, accountName: null, createdAt: NOW - 24 * HOUR + i * 60_000,
    text: `post ${i} of ${account}`, language: null, url: null, replyToId: null, repostOfId: null, hashtags: null, urls: null, mentions: null,
    status: i < x ? removedAs : 'visible', statusChangedAt: i < x ? NOW - HOUR : null, statusEvidence: null, extra: null,
  }));
}

/**
 * Accounts whose order by rate and by the interval's lower bound differ (F: 6/10 has the higher
 * rate, A: 20/40 the higher lower bound), one under the minimum sample (B: 5/5), 520 fillers
 * (2/40) that fill the first chunk of candidates, and G (1/10), which ranks above every filler
 * but comes after them all in the candidates' order (fewest removals).
 */
async function seedRates(store: Store): Promise<{ main: number; small: number }> {
  const main = Number((await ensureSource(store, { name: 'observed', kind: 'import', platform: 'test', config: {} })).id);
  const small = Number((await ensureSource(store, { name: 'tiny', kind: 'import', platform: 'test', config: {} })).id);
  const w = store.bulkWriter();
  const records = [
    ...posts('C', 12, 12), ...posts('A', 40, 20), ...posts('F', 10, 6), ...posts('D', 100, 25), ...posts('B', 5, 5), ...posts('G', 10, 1),
  ];
  // D's other five removals are the account being gone: both count as removals.
  records.push(...posts('D', 105, 0).slice(100).map((p) => ({ ...p, status: 'account_gone' as const, statusChangedAt: NOW - HOUR })));
  for (let i = 0; i < 520; i++) records.push(...posts(`filler${String(i).padStart(3, '0')}`, 40, 2));
  // Statuses that are not removals: deleted by the author, and gone with the actor unknown.
  records.push(...posts('E', 30, 10, 'deleted_by_author'), ...posts('U', 30, 10, 'deleted'));
  for (let i = 0; i < records.length; i += 5000) await w.writePosts(main, records.slice(i, i + 5000), NOW);
  await w.writePosts(small, posts('S', 4, 3), NOW);
  return { main, small };
}

for (const b of backends()) {
  describe(`overview numbers [${b.label}]`, () => {
    let ts: TestStore;
    let server: RunningServer;
    const get = async (path: string) => {
      const res = await fetch(server.url + path);
      assert.equal(res.status, 200, `${path}: HTTP ${res.status}`);
      return (await res.json()) as any;
    };

    before(async () => {
      ts = await b.open();
      await seedRates(ts.store);
      server = await startServer(ts.store, { port: 0, rateLimit: { max: 10_000, timeWindowMs: 10_000 } });
    });
    after(async () => {
      await server?.close();
      await ts?.cleanup();
    });

    it('gives tiles and the sources table from one snapshot, whatever the cache ages', async () => {
      const o = await get('/api/overview');
      const sum = (rows: any[], f: string) => rows.reduce((s, r) => s + r[f], 0);
      assert.equal(o.posts, 12 + 40 + 10 + 105 + 5 + 10 + 520 * 40 + 60 + 4);
      assert.equal(sum(o.bySource, 'posts'), o.posts);
      assert.equal(Object.values(o.byStatus as Record<string, number>).reduce((s, n) => s + n, 0), o.posts);
      assert.equal(o.removed, o.byStatus.removed_by_platform + o.byStatus.account_gone);
      assert.equal(sum(o.bySource, 'removed'), o.removed);
      assert.equal(o.removed, 12 + 20 + 6 + 25 + 5 + 5 + 1 + 520 * 2 + 3);
      // New posts arrive: the sources route serves the same snapshot as the overview it agrees with.
      await ts.store.bulkWriter().writePosts(o.bySource[0].source_id, posts('late', 7, 0), NOW);
      const s = await get('/api/removal-rates/sources');
      assert.equal(s.asOf, o.asOf);
      assert.equal(sum(s.items, 'posts'), o.posts);
      server.cache.clear();
      const o2 = await get('/api/overview');
      const s2 = await get('/api/removal-rates/sources');
      assert.equal(o2.posts, o.posts + 7);
      assert.equal(sum(s2.items, 'posts'), o2.posts);
      assert.equal(sum(o2.bySource, 'removed'), o2.removed);
    });

    it('lists sources under the minimum sample last, unranked, with their interval', async () => {
      const o = await get('/api/overview');
      const tiny = o.bySource.at(-1);
      assert.equal(tiny.name, 'tiny');
      assert.equal(tiny.ranked, false);
      assert.deepEqual([tiny.posts, tiny.removed], [4, 3]);
      assert.ok(tiny.low < 0.75 && tiny.high > 0.75);
      assert.ok(o.bySource.slice(0, -1).every((x: any) => x.ranked));
    });

    it('ranks accounts by the lower bound of a Wilson interval that matches the hand computation', async () => {
      const r = await get('/api/removal-rates/accounts?limit=8');
      assert.equal(r.minPosts, 10);
      assert.equal(r.confidence, 0.95);
      assert.deepEqual(r.removedAs, ['removed_by_platform', 'account_gone']);
      const rows = r.items.map((x: any) => [x.posts, x.removed, Number(x.low.toFixed(4)), Number(x.high.toFixed(4))]);
      // Pseudonymised handles, so the accounts are known by their counts: C 12/12, A 20/40, F 6/10,
      // D 30/105 (25 removed + 5 gone), then G 1/10 above every 2/40 filler.
      assert.deepEqual(rows.slice(0, 5), [
        [12, 12, ...HAND.C], [40, 20, ...HAND.A], [10, 6, ...HAND.F], [105, 30, ...HAND.D], [10, 1, ...HAND.G],
      ]);
      assert.deepEqual(rows.slice(5), [[40, 2, ...HAND.filler], [40, 2, ...HAND.filler], [40, 2, ...HAND.filler]]);
      // B (5 of 5 removed) is under the minimum sample; E and U's statuses are not removals.
      assert.ok(!rows.some((x: number[]) => x[0] === 5 || x[0] === 30));
      const o = await get('/api/overview');
      assert.deepEqual(o.topAccounts.items.slice(0, 5).map((x: any) => [x.posts, x.removed]), rows.slice(0, 5).map((x: number[]) => x.slice(0, 2)));
    });

    it('respects a lower minimum sample when asked', async () => {
      const r = await get('/api/removal-rates/accounts?limit=3&min_posts=5');
      assert.equal(r.minPosts, 5);
      assert.deepEqual(r.items.map((x: any) => [x.posts, x.removed, Number(x.low.toFixed(4))]), [[12, 12, HAND.C[0]], [5, 5, HAND.B5[0]], [40, 20, HAND.A[0]]]);
    });

    it('reports simulated sources exactly when one is present', async () => {
      assert.deepEqual((await get('/api/simulated')).simulated, []);
      assert.deepEqual((await get('/api/overview')).simulated, []);
      // A claim other than `true` is not one.
      await ensureSource(ts.store, { name: 'not-quite', kind: 'import', platform: 'test', config: { simulated: 'yes' } });
      await addSource(ts.store, { kind: 'mastodon', url: 'http://127.0.0.1:9/', public: true, name: 'the-sim', simulated: true });
      server.cache.clear();
      assert.deepEqual((await get('/api/simulated')).simulated, [{ kind: 'posts', source: 'the-sim' }]);
      assert.deepEqual((await get('/api/overview')).simulated, [{ kind: 'posts', source: 'the-sim' }]);
      await ts.store.db.deleteFrom('sources').where('name', '=', 'the-sim').execute();
      server.cache.clear();
      assert.deepEqual((await get('/api/simulated')).simulated, []);
    });

    it('reads time windows on the data\'s own clock, and marks hours without checks', async () => {
      const o = await get('/api/overview');
      assert.equal(o.range.firstPostAt, NOW - 24 * HOUR);
      assert.equal(o.range.lastPostAt, NOW - 24 * HOUR + 104 * 60_000, "D's last post");
      // Checks three days before the wall clock: the health window ends at the last of them.
      const ids = (await ts.store.db.selectFrom('posts').select('id').orderBy('id').limit(3).execute()).map((p) => Number(p.id));
      const t0 = Math.floor((NOW - 2 * HOUR) / 60_000) * 60_000;
      const obs = [0, 1, 2, 5, 6].flatMap((m) => ids.map((id) => ({ post_id: id, observed_at: t0 + m * 60_000 + 1000, outcome: m === 6 ? 'transient' : 'visible', http_status: 200, error_code: null, detail: null })));
      await ts.store.db.insertInto('observations').values(obs).execute();
      server.cache.clear();
      const h = await get('/api/watch/health?minutes=10');
      assert.equal(h.to, t0 + 6 * 60_000 + 1001);
      assert.equal(h.checks, 15);
      assert.equal(h.errors, 3);
      // Only minutes with checks are listed: minutes 3 and 4 had none, and are absent (a gap), not zero.
      assert.deepEqual(h.series.map((x: any) => (x.minute - t0) / 60_000), [0, 1, 2, 5, 6]);
      assert.equal((await get('/api/overview')).range.lastCheckAt, t0 + 6 * 60_000 + 1000);
      // The disappearances route names the hours in which any check was made.
      const d = await get(`/api/disappearances?from=${NOW - 4 * HOUR}&to=${NOW}`);
      assert.deepEqual(d.checked, [Math.floor(t0 / HOUR) * HOUR]);
    });
  });
}
