/**
 * Migration 0010: the post status `deleted` (gone, actor unknown) on stores created before it,
 * on both backends: rows, ids and indexes kept, the new value accepted, unknown values refused.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { backends } from '../helpers/stores.ts';
import { openStoreBefore } from '../helpers/old-store.ts';
import { tempDir } from '../helpers/files.ts';
import { Migrator, type Migration } from 'kysely';
import { MIGRATIONS } from '../../src/store/migrations/index.ts';
import type { Backend } from '../../src/store/backend.ts';

/** Applies the migrations up to and including `name` (0015 later rebuilds PostgreSQL's posts table with its own indexes). */
async function migrateThrough(backend: Backend, label: string, name: string): Promise<void> {
  const upTo = MIGRATIONS.findIndex((m) => m.name === name) + 1;
  const provider = { getMigrations: async () => Object.fromEntries(MIGRATIONS.slice(0, upTo).map((m): [string, Migration] => [m.name, { up: (d) => m.up(d, backend.caps) }])) };
  const { error } = await new Migrator({ db: backend.db, provider, ...(label !== 'sqlite' ? { migrationTableSchema: backend.schema } : {}) }).migrateToLatest();
  assert.equal(error, undefined);
}

/** The posts table's indexes with their definitions. */
async function indexes(label: string, db: Backend['db']): Promise<string[]> {
  const rows = label === 'sqlite'
    ? (await sql<{ name: string; def: string }>`select name, sql as def from sqlite_master where type = 'index' and tbl_name = 'posts' and sql is not null order by name`.execute(db)).rows
    : (await sql<{ name: string; def: string }>`select indexname as name, indexdef as def from pg_indexes where tablename = 'posts' and schemaname = current_schema() order by indexname`.execute(db)).rows;
  return rows.map((r) => `${r.name}: ${r.def}`);
}

const post = (id: string, status: string) => ({
  source_id: 1, platform_post_id: id, text: `text ${id}`, first_seen: 1, last_seen: 2, status, status_changed_at: status === 'visible' ? null : 2,
});

for (const b of backends()) describe(`migration 0009: the status "deleted" [${b.label}]`, () => {
  it('widens the status constraint of an existing store, keeping rows, ids and the status index', async () => {
    const files = tempDir();
    const { backend, drop } = await openStoreBefore(b.label, files.dir, '0010_deleted_status');
    const db = backend.db;
    try {
      await db.insertInto('sources').values({ id: 1, kind: 'import', name: 's', platform: 'p', config: '{}', created_at: 0 } as never).execute();
      await db.insertInto('posts').values([post('a', 'visible'), post('b', 'deleted_by_author'), post('c', 'removed_by_platform')] as never).execute();
      await assert.rejects(db.insertInto('posts').values(post('d', 'deleted') as never).execute(), 'before 0010 the value is refused');
      const idxBefore = await indexes(b.label, db);
      const before = await db.selectFrom('posts').select(['id', 'platform_post_id', 'status']).orderBy('id').execute();
      await migrateThrough(backend, b.label, '0013_site_watch');
      const after = await db.selectFrom('posts').select(['id', 'platform_post_id', 'status']).orderBy('id').execute();
      assert.deepEqual(after, before);
      await db.insertInto('posts').values(post('d', 'deleted') as never).execute();
      await assert.rejects(db.insertInto('posts').values(post('e', 'gone_somehow') as never).execute());
      await assert.rejects(db.insertInto('posts').values(post('a', 'visible') as never).execute(), 'the unique key survived');
      // Every index kept as it was (later migrations, such as 0012's posts_status_created, may add others).
      const names = new Set(idxBefore.map((i) => i.split(':')[0]));
      assert.deepEqual((await indexes(b.label, db)).filter((i) => names.has(i.split(':')[0])), idxBefore);
      assert.ok(idxBefore.some((i) => i.startsWith('posts_status:')), idxBefore.join());
    } finally {
      await backend.close();
      await drop();
      files.cleanup();
    }
  });
});
