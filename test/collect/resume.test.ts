/** An import killed with SIGKILL and run again ends with the identical store: nothing twice, nothing missing. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { backends, type TestStore } from '../helpers/stores.ts';
import { tempDir } from '../helpers/files.ts';
import { writeTwitterIoSample } from '../../src/collect/samples/sample-files.ts';
import type { Store } from '../../src/store/open.ts';
import { sql } from 'kysely';

const ROWS = 60_000;
const cli = ['bin/censorscope.js', 'import', '--format', 'twitter-io', '--quiet', '--json'];

async function count(store: Store): Promise<number> {
  const r = await store.db.selectFrom('posts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

async function snapshot(store: Store) {
  const posts = await store.db.selectFrom('posts').innerJoin('accounts', 'accounts.id', 'posts.account_id')
    .select(['posts.platform_post_id', 'posts.text', 'posts.created_at', 'posts.repost_of_id', 'posts.reply_to_id',
      'posts.hashtags', 'posts.status', 'accounts.platform_account_id'])
    .orderBy('posts.platform_post_id').execute();
  const accounts = await store.db.selectFrom('accounts').select(['platform_account_id', 'handle']).orderBy('platform_account_id').execute();
  return { posts, accounts };
}

/** Index names on posts: an import may suspend them, but must leave every one in place. */
async function postIndexes(store: Store): Promise<string[]> {
  const rows = store.caps.label === 'sqlite'
    ? await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'posts'`.execute(store.db)
    : await sql<{ name: string }>`SELECT indexname AS name FROM pg_indexes WHERE schemaname = ${store.schema} AND tablename = 'posts'`.execute(store.db);
  return rows.rows.map((r) => r.name).sort();
}

for (const b of backends()) {
  describe(`resumable import [${b.label}]`, () => {
    let killed: TestStore;
    let reference: TestStore;
    const files = tempDir();
    let file: string;
    before(async () => {
      killed = await b.open();
      reference = await b.open();
      file = `${files.dir}/io.csv`;
      await writeTwitterIoSample(file, ROWS, 7);
    });
    after(async () => {
      await killed.cleanup();
      await reference.cleanup();
      files.cleanup();
    });

    it('resumes after SIGKILL to the same store as an uninterrupted import', async () => {
      const child = spawn(process.execPath, [...cli, file], { env: { ...process.env, ...killed.env }, stdio: 'ignore' });
      const exited = new Promise((res) => child.on('exit', res));
      let seen = 0;
      for (let i = 0; i < 2000 && seen === 0; i++) {
        await new Promise((r) => setTimeout(r, 10));
        seen = await count(killed.store);
      }
      child.kill('SIGKILL');
      await exited;
      const partial = await count(killed.store);
      assert.ok(partial > 0 && partial < ROWS, `killed mid-way (had ${partial} of ${ROWS} posts)`);

      const resumed = spawnSync(process.execPath, [...cli, file], { env: { ...process.env, ...killed.env }, encoding: 'utf8' });
      assert.equal(resumed.status, 0, resumed.stderr);
      const counts = JSON.parse(resumed.stdout);
      assert.equal(counts.imported + counts.duplicates, ROWS);
      assert.ok(counts.duplicates >= partial, 'rows already stored are recognised as duplicates');

      const full = spawnSync(process.execPath, [...cli, file], { env: { ...process.env, ...reference.env }, encoding: 'utf8' });
      assert.equal(full.status, 0, full.stderr);
      assert.deepEqual(JSON.parse(full.stdout), { imported: ROWS, duplicates: 0, quarantined: 0, rows: ROWS, conflicts: 0 });

      assert.equal(await count(killed.store), ROWS);
      assert.deepEqual(await snapshot(killed.store), await snapshot(reference.store));
      assert.deepEqual(await postIndexes(killed.store), await postIndexes(reference.store));
      assert.ok((await postIndexes(killed.store)).includes('posts_account'));
    });
  });
}
