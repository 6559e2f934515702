/**
 * The scaled term analysis (slot ids, a cache of seen texts, tokenising threads) gives exactly
 * the result of the pre-issue-16 implementation (test/detect/terms/legacy, the oracle): the
 * same flagged terms, statistics bit for bit, ordering and timelines, on a seeded world with
 * removals, repeated texts, unknown and one-post authors, on both backends; also when pruning
 * empties the cache mid-run and when the cache is tiny or off, and when the posts are read on
 * the calling thread rather than a reading thread.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, type TestStore } from '../../helpers/stores.ts';
import { runTerms, type TermsOptions } from '../../../src/detect/terms/index.ts';
import { runTerms as legacyTerms } from './legacy/run.ts';
import { createRng } from '../../../src/util/random.ts';
import type { PostRecord } from '../../../src/store/bulk.ts';
import type { PostStatus } from '../../../src/store/schema.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 2, 3);
const WORDS = ['自由', '民主', '天气', '外卖', '好吃', '示威', '游行', '酒店', '干净', '服务', '价格', '早餐', '晚安', '打卡', '新闻', '真相'];
const LATIN = ['freedom', 'protest', 'weather', 'pizza', '#tag', '@user', 'café', 'ok', 'news'];

/**
 * 2,400 posts from seed `seed`: most texts drawn from a pool of 150 (repeats, so the cache is
 * used), the rest fresh; 120 authors with a long tail, some posts without an author; 示威 and
 * protest removed half the time, one account removed whatever it writes, 4% otherwise; some
 * deletions of unknown actor and some unknown fates.
 */
function world(seed: number): PostRecord[] {
  const rng = createRng(seed);
  const phrase = () => Array.from({ length: rng.int(2, 6) }, () => (rng.chance(0.8) ? rng.pick(WORDS) : rng.pick(LATIN))).join(rng.chance(0.5) ? '' : rng.pick([' ', '，', '。', '! ']));
  const pool = Array.from({ length: 150 }, phrase);
  const posts: PostRecord[] = [];
  for (let i = 0; i < 2400; i++) {
    const text = rng.chance(0.7) ? rng.pick(pool) : phrase();
    const account = rng.chance(0.05) ? null : rng.chance(0.05) ? 'spam' : `a${Math.floor(Math.exp(rng.next() * Math.log(121))) - 1}`;
    const hot = text.includes('示威') || text.includes('protest');
    const roll = rng.next();
    const removed = rng.chance(account === 'spam' ? 0.9 : hot ? 0.5 : 0.04);
    const status: PostStatus = roll < 0.03 ? 'unknown' : roll < 0.08 ? 'deleted' : removed ? 'removed_by_platform' : 'visible';
    posts.push({
      platformPostId: `p${i}`, accountId: account, accountHandle: account, accountName: null, createdAt: rng.chance(0.02) ? null : T0 + rng.int(0, 40 * DAY),
      text, language: null, url: null, replyToId: null, repostOfId: null, hashtags: null, urls: null, mentions: null, status,
      statusChangedAt: null, statusEvidence: null, extra: null,
    });
  }
  return posts;
}

for (const b of backends()) {
  describe(`terms at scale, same as before [${b.label}]`, () => {
    let ts: TestStore;
    before(async () => {
      ts = await b.open();
      const src = await ts.store.db.insertInto('sources')
        .values({ kind: 'import', name: 'terms-scale', platform: 'test', config: '{}', cursor: null, enabled: 1, created_at: Date.now() })
        .returning('id').executeTakeFirstOrThrow();
      await ts.store.bulkWriter().writePosts(Number(src.id), world(16), Date.now());
    });
    after(() => ts.cleanup());

    const same = async (opts: TermsOptions, label: string) => {
      const want = await legacyTerms(ts.store, { ...opts, save: false });
      const got = await runTerms(ts.store, { ...opts, save: false });
      assert.ok(want.terms.length > 0 || opts.minPosts === 10_000, `${label}: the oracle flags terms, so the comparison means something`);
      assert.deepStrictEqual(got, want, label);
      return got;
    };

    it('flags the same terms with the same statistics, order and timelines, removals counted as by default or with deletions', async () => {
      const base = { minPosts: 3, fdr: 0.2, limit: 1000, by: 'week' as const };
      const r = await same({ ...base, workers: 0 }, 'held, one thread');
      assert.ok(r.removed > 0 && r.terms.some((t) => t.term === '示威'), 'a world with removals');
      await same({ ...base, workers: 2 }, 'held, two tokenising threads');
      await same({ ...base, workers: 2, hold: false }, 'read by author, two tokenising threads');
      await same({ ...base, workers: 0, hold: { ids: 2000, terms: 1e9 } }, 'too large to hold: read by author after all');
      await same({ ...base, workers: 0, removedAs: ['removed_by_platform', 'deleted'] }, 'deletions counted as removals');
      await same({ ...base, workers: 0, hold: false, pooled: true, by: 'day' }, 'pooled test');
      // A store with no location is read on this thread rather than on a reading thread.
      const here = await runTerms({ ...ts.store, location: undefined }, { ...base, workers: 0, save: false });
      assert.deepStrictEqual(here, await legacyTerms(ts.store, { ...base, save: false }), 'held, read on this thread');
    });

    it('stays the same when pruning empties the cache, and with a tiny cache or none', async () => {
      const base = { minPosts: 3, fdr: 0.2, limit: 1000, by: 'day' as const, workers: 0 };
      const pruned = await same({ ...base, maxTerms: 400, hold: false }, 'read by author, pruned');
      assert.ok(pruned.pruned, 'maxTerms 400 prunes');
      // Held posts are counted exactly over their dictionary, whatever maxTerms: the oracle unpruned.
      const held = await runTerms(ts.store, { ...base, maxTerms: 400, save: false });
      assert.equal(held.pruned, false);
      assert.deepStrictEqual(held, await legacyTerms(ts.store, { ...base, save: false }), 'held, maxTerms 400: exact');
      await same({ ...base, hold: false, cacheIds: 60 }, 'cache emptied every few texts');
      await same({ ...base, hold: false, cacheIds: 0 }, 'no cache');
    });
  });
}
