/**
 * The streaming engine gives exactly what the whole-corpus in-memory engine gave: the same pairs,
 * edges, communities and findings (compared as canonical JSON), on a seeded synthetic corpus with
 * planted campaigns plus hand-made edge cases at segment and window boundaries, with segments far
 * smaller than the corpus so the carried window does the work, and a tiny look-back cap so the
 * cap's counting across segments is exercised too.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backends, type TestStore } from '../../helpers/stores.ts';
import { runCoordination } from '../../../src/detect/coordination/index.ts';
import { resultDigest as digest } from '../../../src/detect/coordination/canonical.ts';
import { generateSynthetic } from '../../../src/collect/synthetic/generate.ts';
import { loadCorpus } from '../../../src/collect/synthetic/corpus.ts';
import { loadSynthetic } from '../../../src/collect/synthetic/load.ts';
import { p, seed } from './fixtures.ts';

const corpus = loadCorpus(null);
const T0 = Date.UTC(2024, 0, 2, 0, 0, 0);
const TEXT = '我们坚决支持这项伟大的政策，人民群众一致拥护，这是历史的选择';


for (const b of backends()) {
  describe(`streaming coordination equals the in-memory engine [${b.label}]`, () => {
    let t: TestStore;
    before(async () => {
      t = await b.open();
      const data = generateSynthetic({ posts: 5000, seed: 23, campaigns: 5, spanDays: 2, corpus });
      await loadSynthetic(t.store, data, { name: 'synthetic' });
      // Same-time ties, a pair exactly Δt apart, and a burst of one text across many accounts.
      const edge = [
        p('e1', 'EA', T0 + 3600_000, TEXT, { urls: ['https://e.org/1'] }),
        p('e2', 'EB', T0 + 3600_000, TEXT, { urls: ['https://e.org/1'] }),
        p('e3', 'EC', T0 + 7200_000, TEXT, { urls: ['https://e.org/1'] }),
        p('e4', 'EA', T0 + 7200_000, TEXT, { repostOfId: 'rr' }),
        ...Array.from({ length: 30 }, (_, i) => p(`b${i}`, `EB${i % 12}`, T0 + 9000_000 + i * 60_000, TEXT, { repostOfId: 'rr', hashtags: ['x', 'y'] })),
      ];
      await seed(t.store, edge, 'edges');
    });
    after(async () => t.cleanup());

    for (const [label, o] of [
      ['defaults', {}],
      ['97-post segments, pairs spilled to disk past 50', { segmentPosts: 97, spillPairs: 50 }],
      ['1000-post segments, look-back cap 3', { segmentPosts: 1000, maxBucket: 3 }],
      ['50-post segments, 10-minute window, every segment\'s pairs spilled', { segmentPosts: 50, windowSeconds: 600, spillPairs: 1 }],
    ] as const) {
      it(`gives the same findings with ${label}`, async () => {
        const input = { ...o, workers: 0, store: false };
        const old = await runCoordination(t.store, input, undefined, 'memory');
        const now = await runCoordination(t.store, input);
        assert.ok(old.stats.pairs > 100 && old.campaigns.length >= 5, `the corpus must make pairs and campaigns (${old.stats.pairs}, ${old.campaigns.length})`);
        assert.equal(now.stats.pairs, old.stats.pairs);
        assert.equal(digest(now), digest(old));
      });
    }

    it('gives the same findings with feature threads that read their own pages of the store', async () => {
      assert.ok(t.store.location, 'the threads open the store where it is');
      const old = await runCoordination(t.store, { workers: 0, store: false }, undefined, 'memory');
      const now = await runCoordination(t.store, { workers: 2, store: false, chunkSize: 500, segmentPosts: 700 });
      assert.equal(now.stats.posts, old.stats.posts);
      assert.equal(digest(now), digest(old));
      // Pages are id ranges: a post with an id far beyond the others leaves pages empty, and is not lost.
      const last = await t.store.db.selectFrom('posts').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
      await t.store.db.insertInto('posts').values({ ...last, id: Number(last.id) + 40_000, platform_post_id: 'far', created_at: Number(last.created_at) + 1 }).execute();
      const oldFar = await runCoordination(t.store, { workers: 0, store: false }, undefined, 'memory');
      const far = await runCoordination(t.store, { workers: 2, store: false, chunkSize: 500, segmentPosts: 700 });
      assert.equal(far.stats.posts, old.stats.posts + 1);
      assert.equal(oldFar.stats.posts, old.stats.posts + 1);
      assert.equal(digest(far), digest(oldFar));
      assert.ok(far.stats.pairs > old.stats.pairs, 'the far post pairs with its text\'s twin');
    });

    it('gives the same findings with feature threads sent posts by the main thread (a store they cannot open)', async () => {
      const old = await runCoordination(t.store, { workers: 0, store: false }, undefined, 'memory');
      const here = Object.create(t.store, { location: { value: undefined } }) as typeof t.store;
      const now = await runCoordination(here, { workers: 2, store: false, chunkSize: 500, segmentPosts: 700 });
      assert.equal(digest(now), digest(old));
    });
  });
}
