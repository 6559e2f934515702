/** The store itself: migrations, the bulk path's idempotence and versions, on both backends. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, type TestStore } from '../helpers/stores.ts';
import { emptyPost } from '../../src/collect/formats/format.ts';
import { ensureSource } from '../../src/store/queries/sources.ts';
import { textHash } from '../../src/store/bulk.ts';

for (const b of backends()) {
  describe(`store [${b.label}]`, () => {
    let t: TestStore;
    before(async () => { t = await b.open(); });
    after(async () => { await t.cleanup(); });

    it('reopening runs no migration twice and keeps the data', async () => {
      await ensureSource(t.store, { name: 's', kind: 'import', platform: 'x' });
      const again = await t.reopen();
      const names = await again.db.selectFrom('sources').select('name').execute();
      assert.deepEqual(names.map((n) => n.name), ['s']);
      await again.close();
    });

    it('writes posts once, even when a batch repeats a post, and keeps first versions with their hash', async () => {
      const src = await ensureSource(t.store, { name: 'live', kind: 'sim', platform: 'x' });
      const mk = (id: string, acc: string, text: string) => Object.assign(emptyPost(id, text), { accountId: acc, createdAt: 1000 });
      const w = t.store.bulkWriter();
      const r1 = await w.writePosts(src.id, [mk('p1', 'a', '一'), mk('p2', 'b', '二'), mk('p1', 'a', '一')], 5000);
      assert.deepEqual(r1, { inserted: 2, duplicates: 1 });
      const r2 = await w.writePosts(src.id, [mk('p2', 'b', '二'), mk('p3', 'a', '三')], 6000);
      assert.deepEqual(r2, { inserted: 1, duplicates: 1 });
      const posts = await t.store.db.selectFrom('posts').select(['platform_post_id', 'first_seen']).where('source_id', '=', src.id).orderBy('platform_post_id').execute();
      assert.deepEqual(posts, [{ platform_post_id: 'p1', first_seen: 5000 }, { platform_post_id: 'p2', first_seen: 5000 }, { platform_post_id: 'p3', first_seen: 6000 }]);
      const versions = await t.store.db.selectFrom('post_versions').innerJoin('posts', 'posts.id', 'post_versions.post_id')
        .select(['posts.platform_post_id', 'post_versions.sha256']).where('posts.source_id', '=', src.id).orderBy('posts.platform_post_id').execute();
      assert.deepEqual(versions.map((v) => [v.platform_post_id, v.sha256]), [['p1', textHash('一')], ['p2', textHash('二')], ['p3', textHash('三')]]);
      const accounts = await t.store.db.selectFrom('accounts').select('platform_account_id').where('source_id', '=', src.id).orderBy('platform_account_id').execute();
      assert.deepEqual(accounts.map((a) => a.platform_account_id), ['a', 'b']);
    });

    it('rejects a status outside the five known ones', async () => {
      const src = await ensureSource(t.store, { name: 'chk', kind: 'import', platform: 'x' });
      await assert.rejects(t.store.bulkWriter().writePosts(src.id, [Object.assign(emptyPost('z', 't'), { status: 'hidden' as never })], 1));
    });
  });
}
