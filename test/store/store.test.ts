/** The store itself: migrations, the bulk path's idempotence and versions, on both backends. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, type TestStore } from '../helpers/stores.ts';
import { emptyPost } from '../../src/collect/formats/format.ts';
import { ensureSource } from '../../src/store/queries/sources.ts';
import { textHash, toColumns } from '../../src/store/bulk.ts';
import { livePost } from '../../src/collect/sources/source.ts';

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
      assert.deepEqual(r1, { inserted: 2, duplicates: 1, conflicts: [] });
      const r2 = await w.writePosts(src.id, [mk('p2', 'b', '二'), mk('p3', 'a', '三')], 6000);
      assert.deepEqual(r2, { inserted: 1, duplicates: 1, conflicts: [] });
      const posts = await t.store.db.selectFrom('posts').select(['platform_post_id', 'first_seen']).where('source_id', '=', src.id).orderBy('platform_post_id').execute();
      assert.deepEqual(posts, [{ platform_post_id: 'p1', first_seen: 5000 }, { platform_post_id: 'p2', first_seen: 5000 }, { platform_post_id: 'p3', first_seen: 6000 }]);
      const versions = await t.store.db.selectFrom('post_versions').innerJoin('posts', 'posts.id', 'post_versions.post_id')
        .select(['posts.platform_post_id', 'post_versions.sha256']).where('posts.source_id', '=', src.id).orderBy('posts.platform_post_id').execute();
      assert.deepEqual(versions.map((v) => [v.platform_post_id, v.sha256]), [['p1', textHash('一')], ['p2', textHash('二')], ['p3', textHash('三')]]);
      const accounts = await t.store.db.selectFrom('accounts').select('platform_account_id').where('source_id', '=', src.id).orderBy('platform_account_id').execute();
      assert.deepEqual(accounts.map((a) => a.platform_account_id), ['a', 'b']);
    });

    it('keeps every character of hostile texts and fields, in batch order, through a multi-batch transaction', async () => {
      const src = await ensureSource(t.store, { name: 'hostile', kind: 'import', platform: 'x' });
      const texts = ['tab\there', 'line\nend\r\nand\rcr', 'back\\slash \\N \\. \\t', '\\N', '\\.', '', '"quoted", \'single\'', '<script>alert(1)</script>', '六四 😀 \u200b'];
      const posts = texts.map((text, i) => Object.assign(emptyPost(`h${i}`, text), {
        accountId: `acc\t${i % 2}`, accountHandle: 'h\\n', createdAt: 1000 + i, url: null, hashtags: ['a\tb', '\\'],
        extra: { note: 'x\ny\\z' },
      }));
      const tx = t.store.bulkWriter().begin(src.id, 7000, { versions: false });
      await tx.add(toColumns(posts.slice(0, 4)));
      await tx.add(toColumns(posts.slice(4)));
      assert.equal(tx.rows, texts.length);
      assert.deepEqual(await tx.commit(), { inserted: texts.length, duplicates: 0, conflicts: [] });
      const rows = await t.store.db.selectFrom('posts').innerJoin('accounts', 'accounts.id', 'posts.account_id')
        .select(['posts.platform_post_id', 'posts.text', 'posts.hashtags', 'posts.extra', 'posts.url', 'accounts.platform_account_id'])
        .where('posts.source_id', '=', src.id).orderBy('posts.id').execute();
      assert.deepEqual(rows.map((r) => r.platform_post_id), texts.map((_, i) => `h${i}`), 'ids follow batch order');
      assert.deepEqual(rows.map((r) => r.text), texts);
      for (const r of rows) {
        assert.deepEqual(JSON.parse(r.hashtags!), ['a\tb', '\\']);
        assert.deepEqual(JSON.parse(r.extra!), { note: 'x\ny\\z' });
        assert.equal(r.url, null);
        assert.match(r.platform_account_id, /^acc\t[01]$/);
      }
    });

    it('stores a live post whose scraped text holds a NUL (which PostgreSQL text refuses)', async () => {
      const src = await ensureSource(t.store, { name: 'live-nul', kind: 'mastodon', platform: 'x' });
      const post = livePost({ platformPostId: 'n1', text: 'before\0after', accountId: 'a\0', accountHandle: 'h\0' });
      assert.deepEqual(await t.store.bulkWriter().writePosts(src.id, [post], 1), { inserted: 1, duplicates: 0, conflicts: [] });
      const row = await t.store.db.selectFrom('posts').select('text').where('source_id', '=', src.id).executeTakeFirstOrThrow();
      assert.equal(row.text, 'before\uFFFDafter');
    });

    it('a rolled-back transaction leaves nothing behind', async () => {
      const src = await ensureSource(t.store, { name: 'rollback', kind: 'import', platform: 'x' });
      const tx = t.store.bulkWriter().begin(src.id, 7000);
      await tx.add(toColumns([Object.assign(emptyPost('r1', 'gone'), { accountId: 'ra' })]));
      await tx.rollback();
      const left = await t.store.db.selectFrom('posts').select('id').where('source_id', '=', src.id).execute();
      assert.deepEqual(left, []);
    });

    it('rejects a status outside the five known ones', async () => {
      const src = await ensureSource(t.store, { name: 'chk', kind: 'import', platform: 'x' });
      await assert.rejects(t.store.bulkWriter().writePosts(src.id, [Object.assign(emptyPost('z', 't'), { status: 'hidden' as never })], 1));
    });
  });
}
