/**
 * PseudonymIndex: the way back from a pseudonym shown at an exit to the store's accounts. It
 * finds every account by the pseudonym the privacy view gives it, including accounts written
 * after its first lookup, tells sources apart, and finds nothing for a value that is no
 * account's pseudonym.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backends, type TestStore } from '../helpers/stores.ts';
import { ensureSource } from '../../src/store/queries/sources.ts';
import type { PostRecord } from '../../src/store/bulk.ts';
import { accountView, PseudonymIndex } from '../../src/report/privacy.ts';

const post = (id: string, account: string): PostRecord => ({
  platformPostId: id, accountId: account, accountHandle: `h${account}`, accountName: null, createdAt: 1, text: 'x', language: null,
  url: null, replyToId: null, repostOfId: null, hashtags: null, urls: null, mentions: null, status: 'visible', statusChangedAt: null, statusEvidence: null, extra: null,
});

for (const b of backends()) {
  describe(`pseudonym index [${b.label}]`, () => {
    let t: TestStore;
    before(async () => { t = await b.open(); });
    after(async () => { await t?.cleanup(); });

    it('finds each account by its pseudonym, new accounts too, per source', async () => {
      const a = Number((await ensureSource(t.store, { name: 'a', kind: 'import', platform: 'test' })).id);
      const c = Number((await ensureSource(t.store, { name: 'c', kind: 'import', platform: 'test' })).id);
      // More accounts than one indexing step holds, so the catch-up loop runs more than once.
      await t.store.bulkWriter().writePosts(a, Array.from({ length: 5200 }, (_, i) => post(`p${i}`, `u${i}`)), 2);
      await t.store.bulkWriter().writePosts(c, [post('q1', 'u7')], 2);
      const view = await accountView(t.store, false);
      const index = new PseudonymIndex(t.store);
      const idOf = async (sourceId: number, account: string) => Number((await t.store.db.selectFrom('accounts').select('id')
        .where('source_id', '=', sourceId).where('platform_account_id', '=', account).executeTakeFirstOrThrow()).id);
      // The first lookup already reaches past the first indexing step.
      assert.deepEqual(await index.lookup(view.id('a', 'u5199')), [await idOf(a, 'u5199')]);
      assert.deepEqual(await index.lookup(view.id('a', 'u7')), [await idOf(a, 'u7')]);
      assert.deepEqual(await index.lookup(view.id('c', 'u7')), [await idOf(c, 'u7')], 'the same platform id in another source is another account');
      // Written after the first lookup: found on the next one.
      await t.store.bulkWriter().writePosts(a, [post('late', 'newcomer')], 3);
      assert.deepEqual(await index.lookup(view.id('a', 'newcomer')), [await idOf(a, 'newcomer')]);
      for (const nothing of [view.id('a', 'nobody'), 'acct_zz', 'u7', '']) assert.deepEqual(await index.lookup(nothing), [], nothing);
    });
  });
}
