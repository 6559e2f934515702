/**
 * The privacy policy's rules on their own: one pseudonym per account whatever field names it,
 * whole-word replacement inside other strings, display names dropped, mentions linked to known
 * accounts, and everything passed through when revealed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backends, type TestStore } from '../helpers/stores.ts';
import { ensureSource } from '../../src/store/queries/sources.ts';
import { accountView, addIdentifiers, knownMentions, viewExtra, viewMentions, revealSetting, setRevealSetting } from '../../src/report/privacy.ts';

for (const b of backends()) {
  describe(`privacy policy [${b.label}]`, () => {
    let t: TestStore;
    let sourceId: number;
    before(async () => {
      t = await b.open();
      sourceId = Number((await ensureSource(t.store, { name: 'src', kind: 'import', platform: 'test' })).id);
      await t.store.bulkWriter().writePosts(sourceId, [{
        platformPostId: '1', accountId: '9001', accountHandle: 'Known_User', accountName: 'Known Person', createdAt: 1, text: 'x', language: null,
        url: null, replyToId: null, repostOfId: null, hashtags: null, urls: null, mentions: null, status: 'visible', statusChangedAt: null, statusEvidence: null, extra: null,
      }], 2);
    });
    after(async () => { await t?.cleanup(); });

    it('gives an id, its handle and its mentions one stable pseudonym, and drops names', async () => {
      const view = await accountView(t.store, false);
      const again = await accountView(t.store, false);
      const p = view.id('src', '9001');
      assert.match(p, /^acct_[0-9a-f]{20}$/);
      assert.equal(again.id('src', '9001'), p, 'same key, same pseudonym');
      assert.notEqual(view.id('other-source', '9001'), p, 'the source is part of the identity');
      assert.equal(view.handle('src', '9001', 'Known_User'), p);
      assert.equal(view.name('Known Person'), null);
      const known = await knownMentions(t.store, sourceId, ['@Known_User', '9001', 'stranger']);
      const shown = viewMentions(view, 'src', ['@Known_User', '9001', 'stranger', '@STRANGER'], known)!;
      assert.deepEqual(shown.slice(0, 2), [p, p]);
      assert.notEqual(shown[2], p);
      assert.equal(shown[2], shown[3], 'an unknown handle ignores case and @');
      assert.equal(viewMentions(view, 'src', null, known), null);
    });

    it('replaces identifiers inside other strings as whole words only, at any depth', async () => {
      const view = await accountView(t.store, false);
      const ids = new Map<string, string>();
      addIdentifiers(ids, 'acct_x', '9001', '@Known_User');
      addIdentifiers(ids, 'acct_y', '12', 'ab');
      const value = { url: 'https://t.example/Known_User/status/9001', n: ['90012 19001 9001', { deep: '@Known_User!' }], short: '12 ab', k: 3 };
      assert.deepEqual(view.scrub(value, ids), { url: 'https://t.example/acct_x/status/acct_x', n: ['90012 19001 acct_x', { deep: '@acct_x!' }], short: '12 ab', k: 3 });
      assert.equal(view.scrub(null, ids), null);
    });

    it('pseudonymises account references in extra and leaves the rest', async () => {
      const view = await accountView(t.store, false);
      const extra = viewExtra(view, 'src', { retweet_userid: '9001', retweeted_uid: 77, in_reply_to_screen_name: 'Known_User', tweet_client_name: 'web', followers: 10 }) as Record<string, unknown>;
      assert.equal(extra.retweet_userid, view.id('src', '9001'));
      assert.equal(extra.retweeted_uid, view.id('src', '77'));
      assert.match(String(extra.in_reply_to_screen_name), /^acct_/);
      assert.equal(extra.tweet_client_name, 'web');
      assert.equal(extra.followers, 10);
    });

    it('passes everything through when revealed', async () => {
      const view = await accountView(t.store, true);
      assert.equal(view.id('src', '9001'), '9001');
      assert.equal(view.handle('src', '9001', 'Known_User'), 'Known_User');
      assert.equal(view.name('Known Person'), 'Known Person');
      const ids = new Map([['9001', 'acct_x']]);
      assert.equal(view.scrub('a/9001', ids), 'a/9001');
      assert.deepEqual(viewExtra(view, 'src', { retweet_userid: '9001' }), { retweet_userid: '9001' });
    });

    it('keeps the reveal switch in the store, off until set', async () => {
      assert.equal(await revealSetting(t.store), false);
      await setRevealSetting(t.store, true);
      assert.equal(await revealSetting(t.store), true);
      await setRevealSetting(t.store, false);
      assert.equal(await revealSetting(t.store), false);
    });
  });
}
