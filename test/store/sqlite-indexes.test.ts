/** Bulk loading on SQLite: secondary indexes suspended for an import come back, even after a crash. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { sql } from 'kysely';
import { backends, type TestStore } from '../helpers/stores.ts';
import { tempDir } from '../helpers/files.ts';
import { importFile } from '../../src/collect/import.ts';
import { twitterIo } from '../../src/collect/formats/twitter-io.ts';
import { writeTwitterIoSample } from '../../src/collect/samples/sample-files.ts';
import type { Store } from '../../src/store/open.ts';

const sqlite = backends().find((b) => b.label === 'sqlite')!;

async function postIndexes(store: Store): Promise<Array<{ name: string; sql: string | null }>> {
  const r = await sql<{ name: string; sql: string | null }>`
    SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'posts' ORDER BY name`.execute(store.db);
  return r.rows;
}

async function suspension(store: Store): Promise<{ holders: number[] } | undefined> {
  const row = await store.db.selectFrom('settings').select('value').where('key', '=', 'posts.suspended-indexes').executeTakeFirst();
  return row && JSON.parse(row.value);
}

/** A process id that no process has any more. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('suspended post indexes [sqlite]', () => {
  let t: TestStore;
  let original: Awaited<ReturnType<typeof postIndexes>>;
  const files = tempDir();
  // The partial indexes (WHERE status <> 'visible') are kept through an import: they cost little to keep.
  const partial = () => original.filter((i) => i.sql && / where /i.test(i.sql)).map((i) => i.sql);
  before(async () => {
    t = await sqlite.open();
    original = await postIndexes(t.store);
  });
  after(async () => {
    await t.cleanup();
    files.cleanup();
  });

  it('drops every secondary index but the unique key and the partial ones, and rebuilds them with their own SQL', async () => {
    assert.ok(original.filter((i) => i.sql).length >= 3, 'the schema has secondary indexes on posts');
    const restore = await t.store.suspendPostIndexes!();
    const during = await postIndexes(t.store);
    assert.deepEqual(during.map((i) => i.sql), [...partial(), null], 'only the unique key (an automatic index) and the partial indexes stay');
    assert.deepEqual((await suspension(t.store))?.holders, [process.pid]);
    await restore();
    assert.deepEqual(await postIndexes(t.store), original);
    assert.equal(await suspension(t.store), undefined);
  });

  it('an import into an empty store suspends them and ends with all of them back', async () => {
    const file = `${files.dir}/io.csv`;
    await writeTwitterIoSample(file, 3000, 3);
    let seen: Awaited<ReturnType<typeof postIndexes>> | undefined;
    const store: Store = {
      ...t.store,
      suspendPostIndexes: async () => {
        const restore = await t.store.suspendPostIndexes!();
        seen = await postIndexes(t.store);
        return restore;
      },
    };
    const counts = await importFile(store, file, { format: twitterIo, quiet: true });
    assert.equal(counts.imported, 3000);
    assert.deepEqual(seen?.map((i) => i.sql), [...partial(), null], 'indexes were suspended during the import');
    assert.deepEqual(await postIndexes(t.store), original);
    // A small file into a store that already holds more posts keeps the indexes live.
    const small = `${files.dir}/small.csv`;
    await writeTwitterIoSample(small, 100, 4);
    seen = undefined;
    await importFile(store, small, { format: twitterIo, quiet: true, source: 'other' });
    assert.equal(seen, undefined);
  });

  it('a holder that died leaves them suspended until the store is opened again', async () => {
    await t.store.suspendPostIndexes!();
    // Pretend the holder was a process that has since been killed.
    await t.store.db.updateTable('settings').set({ value: (eb) => sql`replace(${eb.ref('value')}, ${String(process.pid)}, ${String(deadPid())})` })
      .where('key', '=', 'posts.suspended-indexes').execute();
    const reopened = await t.reopen();
    try {
      assert.deepEqual(await postIndexes(reopened), original);
      assert.equal(await suspension(reopened), undefined);
    } finally {
      await reopened.close();
    }
  });

  it('a live holder keeps them suspended when another connection opens the store', async () => {
    const restore = await t.store.suspendPostIndexes!();
    const other = await t.reopen();
    try {
      assert.deepEqual((await postIndexes(other)).map((i) => i.sql), [...partial(), null]);
    } finally {
      await other.close();
    }
    await restore();
    assert.deepEqual(await postIndexes(t.store), original);
  });
});
