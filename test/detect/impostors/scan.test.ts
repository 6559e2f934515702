/**
 * The store scan on both backends: each kind of impostor account and each place a link can be is
 * found with its target; the watchlist's own accounts, its near neighbours (新华网 / 新华社,
 * 北京晚报 / 北京日报), ordinary users and legitimate links are not; findings are stored as kind
 * `impostor`, a rerun replaces them, and an emptied watchlist clears them.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backends, type TestStore } from '../../helpers/stores.ts';
import { runImpostors, IMPOSTOR_KIND, type ImpostorsResult } from '../../../src/detect/impostors/scan.ts';
import { listWatchlist, removeWatchEntries } from '../../../src/detect/impostors/watchlist.ts';
import { detectorByName } from '../../../src/detect/index.ts';
import { seedImpostors } from './fixture.ts';

for (const b of backends()) {
  describe(`impostor scan of the store [${b.label}]`, () => {
    let t: TestStore;
    let r: ImpostorsResult;
    before(async () => {
      t = await b.open();
      await seedImpostors(t.store);
      r = await runImpostors(t.store);
    });
    after(async () => t?.cleanup());

    it('finds each kind of impostor account with its target and a reason', () => {
      const byId = new Map(r.accounts.map((a) => [a.platformAccountId, a]));
      assert.deepEqual([...byId.keys()].sort(), ['u5', 'u6', 'u7', 'u8'], 'the four constructed impostors, and only them');
      assert.equal(byId.get('u5')!.target, '人民日报');
      assert.match(byId.get('u5')!.reasons.join(), /日→曰/);
      assert.equal(byId.get('u6')!.target, '新华社');
      assert.match(byId.get('u6')!.reasons.join(), /官方/);
      assert.equal(byId.get('u7')!.target, '北京日报');
      assert.equal(byId.get('u8')!.target, '人民日报');
      assert.match(byId.get('u8')!.reasons.join(), /zero-width/);
      for (const a of r.accounts) assert.equal(a.posts, 1);
    });

    it('finds impostor domains wherever a post links them (urls column, text, extra columns), counting their posts', () => {
      const byDomain = new Map(r.domains.map((d) => [d.domain, d]));
      assert.deepEqual([...byDomain.keys()].sort(), ['bild.pics', 'spiegel.ltd', 't-onlinr.life']);
      assert.equal(byDomain.get('spiegel.ltd')!.posts, 2, 'spiegel.ltd is linked from two posts');
      assert.equal(byDomain.get('t-onlinr.life')!.target, 't-online.de');
      assert.equal(byDomain.get('bild.pics')!.target, 'bild.de');
    });

    it('stores one finding per impostor (kind impostor), and a rerun replaces rather than adds', async () => {
      const count = async () => (await t.store.db.selectFrom('findings').select(['key', 'summary']).where('kind', '=', IMPOSTOR_KIND).orderBy('key').execute());
      const first = await count();
      assert.equal(first.length, 7);
      assert.ok(first.some((f) => f.key === 'domain:spiegel.ltd' && /spiegel\.ltd imitates spiegel\.de/.test(f.summary)));
      // Summaries never name the flagged account (exports apply the privacy policy to evidence).
      for (const f of first.filter((x) => x.key.startsWith('account:'))) assert.doesNotMatch(f.summary, /rmrb_news|xhs_gf|bj_daily|someone|u\d/);
      await runImpostors(t.store);
      assert.deepEqual(await count(), first);
    });

    it('runs as the registry detector "impostors" with its defaults', async () => {
      const d = detectorByName('impostors');
      assert.ok(d);
      const again = (await d.run(t.store, d.defaults)) as ImpostorsResult;
      assert.equal(again.accounts.length + again.domains.length, 7);
    });

    it('an emptied watchlist flags nothing and clears the stored findings', async () => {
      await removeWatchEntries(t.store, (await listWatchlist(t.store)).map((e) => e.id));
      const none = await runImpostors(t.store);
      assert.equal(none.accounts.length + none.domains.length, 0);
      const left = await t.store.db.selectFrom('findings').select('id').where('kind', '=', IMPOSTOR_KIND).execute();
      assert.equal(left.length, 0);
    });
  });
}
