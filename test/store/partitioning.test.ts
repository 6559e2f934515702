/**
 * Migration 0015 on PostgreSQL: posts partitioned by month of created_at. Existing rows (and
 * the rows that point at them) survive the migration; new posts land in their month's
 * partition, far past and future ones included; a time-bounded query reads only the matching
 * partitions; (source, platform id) stays unique whatever the created_at. SQLite is unchanged.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { backends } from '../helpers/stores.ts';
import { openStoreBefore } from '../helpers/old-store.ts';
import { tempDir } from '../helpers/files.ts';
import { migrateToLatest } from '../../src/store/migrations/index.ts';
import { ensureSource } from '../../src/store/queries/sources.ts';
import { listPosts } from '../../src/serve/api/posts-list.ts';
import { serveDb } from '../../src/serve/api/tables.ts';
import type { PostRecord } from '../../src/store/bulk.ts';
import type { Backend } from '../../src/store/backend.ts';

const utc = (y: number, m: number, d = 15) => Date.UTC(y, m - 1, d, 12);
/** The first millisecond of a month. */
const month = (y: number, m: number) => Date.UTC(y, m - 1, 1);

const record = (id: string, createdAt: number | null, text = `text ${id}`): PostRecord => ({
  platformPostId: id, accountId: 'acct', accountHandle: 'h', accountName: 'n', createdAt, text, language: null, url: null,
  replyToId: null, repostOfId: null, hashtags: null, urls: null, mentions: null, status: 'visible', statusChangedAt: null,
  statusEvidence: null, extra: null,
});

/** The partition each post is stored in, by platform id. */
async function placement(db: Backend['db']): Promise<Record<string, string>> {
  const r = await sql<{ pid: string; part: string }>`select platform_post_id as pid, tableoid::regclass::text as part from posts`.execute(db);
  return Object.fromEntries(r.rows.map((x) => [x.pid, x.part.replace(/^.*\./, '')]));
}

/** post_counts (the kept counts) against counting the posts themselves. */
async function assertCountsAgree(db: Backend['db']): Promise<void> {
  const kept = await sql<{ k: string }>`select source_id || ':' || status || '=' || sum(n) as k from post_counts group by source_id, status having sum(n) <> 0 order by 1`.execute(db);
  const real = await sql<{ k: string }>`select source_id || ':' || status || '=' || count(*) as k from posts group by source_id, status order by 1`.execute(db);
  assert.deepEqual(kept.rows.map((r) => r.k), real.rows.map((r) => r.k));
  assert.ok(real.rows.length > 0);
}

/** Every table a plan reads. */
function relations(plan: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(plan)) plan.forEach((p) => relations(p, out));
  else if (plan && typeof plan === 'object') {
    const o = plan as Record<string, unknown>;
    if (typeof o['Relation Name'] === 'string') out.add(o['Relation Name']);
    for (const v of Object.values(o)) if (v && typeof v === 'object') relations(v, out);
  }
  return out;
}

for (const b of backends()) describe(`migration 0015: partitioned posts [${b.label}]`, () => {
  if (b.label === 'sqlite') {
    it('leaves SQLite\'s posts table as it was (one file, one machine)', async () => {
      const ts = await b.open();
      try {
        assert.equal(ts.store.caps.partitions, false);
        const t = await sql<{ n: number }>`select count(*) as n from sqlite_master where name in ('post_keys', 'posts_default')`.execute(ts.store.db);
        assert.equal(Number(t.rows[0]!.n), 0);
      } finally {
        await ts.cleanup();
      }
    });
    return;
  }

  it('keeps the rows of an existing store, their ids, and what points at them', async () => {
    const files = tempDir();
    const { backend, drop } = await openStoreBefore(b.label, files.dir, '0015_partitioning');
    const db = backend.db as Backend['db'];
    try {
      await db.insertInto('sources').values({ kind: 'import', name: 's', platform: 'p', config: '{}', created_at: 0 } as never).execute();
      const times = [utc(2024, 3), utc(2024, 3, 20), utc(1998, 7), null, utc(2026, 1), utc(2031, 5)];
      await db.insertInto('posts').values(times.map((t, i) => ({
        source_id: 1, platform_post_id: `p${i}`, text: `text ${i}`, created_at: t, first_seen: 1, last_seen: 2,
        status: i === 1 ? 'removed_by_platform' : 'visible', status_changed_at: i === 1 ? 5 : null, extra: i === 2 ? '{"a":1}' : null,
      })) as never).execute();
      const before = await db.selectFrom('posts').selectAll().orderBy('id').execute();
      const ids = before.map((p) => Number(p.id));
      await db.insertInto('post_versions').values(ids.map((id) => ({ post_id: id, seen_at: 1, text: 't', sha256: `h${id}` })) as never).execute();
      await db.insertInto('observations').values({ post_id: ids[1], observed_at: 3, outcome: 'removed' } as never).execute();

      await migrateToLatest(db, backend.caps, backend.schema);

      assert.deepEqual(await db.selectFrom('posts').selectAll().orderBy('id').execute(), before, 'every row and column kept');
      const where = await placement(db);
      assert.equal(where.p0, 'posts_p2024_03');
      assert.equal(where.p1, 'posts_p2024_03');
      assert.equal(where.p2, 'posts_p1998_07');
      assert.equal(where.p3, 'posts_default', 'undated posts live in the default partition');
      assert.equal(where.p5, 'posts_p2031_05');
      // Keys: a new post gets the next id, a taken key is refused, and a deleted post takes its versions with it.
      await db.insertInto('posts').values({ source_id: 1, platform_post_id: 'new', text: 'x', created_at: utc(2024, 3), first_seen: 1, last_seen: 1 } as never).execute();
      const fresh = await db.selectFrom('posts').select('id').where('platform_post_id', '=', 'new').executeTakeFirstOrThrow();
      assert.equal(Number(fresh.id), Math.max(...ids) + 1);
      await assert.rejects(db.insertInto('posts').values({ source_id: 1, platform_post_id: 'p0', text: 'x', created_at: utc(2020, 1), first_seen: 1, last_seen: 1 } as never).execute(),
        /posts_source_platform_id/, 'the (source, platform id) key holds across partitions');
      await db.deleteFrom('posts').where('id', '=', ids[1]!).execute();
      assert.equal((await db.selectFrom('post_versions').select('id').where('post_id', '=', ids[1]!).execute()).length, 0);
      assert.equal((await db.selectFrom('observations').select('id').execute()).length, 0, 'observations cascade as before');
      assert.equal((await db.selectFrom('post_versions').select('id').execute()).length, ids.length - 1);
      await assertCountsAgree(db);
    } finally {
      await backend.close();
      await drop();
      files.cleanup();
    }
  });

  it('puts new posts in their month, creating far past and future months; out-of-range and undated ones in the default', async () => {
    const ts = await b.open();
    const { store } = ts;
    try {
      const source = await ensureSource(store, { name: 'src', kind: 'import', platform: 'x' });
      const writer = store.bulkWriter();
      const res = await writer.writePosts(source.id, [
        record('old', utc(1991, 2)), record('future', utc(new Date().getUTCFullYear() + 4, 11)), record('now', Date.now()),
        record('undated', null), record('absurd', utc(2500, 1)), record('ancient', utc(1900, 1)), record('dup', utc(2012, 6)), record('dup', utc(2013, 6)),
      ], 1);
      assert.equal(res.inserted, 7);
      assert.equal(res.conflicts.length, 1, 'a repeated key in one batch with another created_at is a conflict, as before');
      const where = await placement(store.db);
      const ym = (t: number) => `posts_p${new Date(t).toISOString().slice(0, 7).replace('-', '_')}`;
      assert.deepEqual(where, {
        old: 'posts_p1991_02', future: ym(utc(new Date().getUTCFullYear() + 4, 11)), now: ym(Date.now()),
        undated: 'posts_default', absurd: 'posts_default', ancient: 'posts_default', dup: 'posts_p2012_06',
      });
      // A re-import with a different created_at is a conflict, not a second row in another partition.
      const again = await writer.writePosts(source.id, [record('old', utc(2019, 9))], 2);
      assert.equal(again.inserted, 0);
      assert.deepEqual(again.conflicts.map((c) => [c.platformPostId, c.stored.createdAt]), [['old', utc(1991, 2)]]);
      // A post sent to the default partition moves out, keeping its id and versions, when its month is created.
      // (No partition for 2003-04 yet: a direct insert goes to the default partition.)
      await store.db.insertInto('posts').values({ source_id: source.id, platform_post_id: 'late', created_at: utc(2003, 4), text: 't', first_seen: 1, last_seen: 1 } as never).execute();
      const late = await store.db.selectFrom('posts').select('id').where('platform_post_id', '=', 'late').executeTakeFirstOrThrow();
      assert.equal((await placement(store.db)).late, 'posts_default');
      await store.db.insertInto('post_versions').values({ post_id: late.id, seen_at: 1, text: 't', sha256: 'x' } as never).execute();
      await writer.writePosts(source.id, [record('other', utc(2003, 4, 2))], 3);
      const moved = await placement(store.db);
      assert.equal(moved.late, 'posts_p2003_04');
      assert.equal(moved.other, 'posts_p2003_04');
      assert.equal((await store.db.selectFrom('post_versions').select('id').where('post_id', '=', late.id).execute()).length, 1, 'the moved post kept its versions');
      await assert.rejects(store.db.updateTable('posts').set({ created_at: utc(2004, 1) }).where('id', '=', late.id).execute(), /never change/);
      // The kept counts follow inserts, skipped duplicates, moves, status changes and deletes.
      await store.db.updateTable('posts').set({ status: 'removed_by_platform', status_changed_at: 9 }).where('platform_post_id', 'in', ['old', 'late']).execute();
      await store.db.updateTable('posts').set({ last_seen: 10 }).execute();
      await store.db.deleteFrom('posts').where('platform_post_id', '=', 'future').execute();
      await assertCountsAgree(store.db);
      await sql`select censorscope_post_counts_compact()`.execute(store.db);
      await assertCountsAgree(store.db);
    } finally {
      await ts.cleanup();
    }
  });

  it('reads only the partitions a time range covers', async () => {
    const ts = await b.open();
    const { store } = ts;
    try {
      const source = await ensureSource(store, { name: 'src', kind: 'import', platform: 'x' });
      await store.bulkWriter().writePosts(source.id, [2021, 2022, 2023].flatMap((y) => [1, 6, 11].map((m) => record(`${y}-${m}`, utc(y, m)))), 1);
      const explain = async (q: string) => {
        const r = await sql<{ 'QUERY PLAN': unknown }>`explain (format json) ${sql.raw(q)}`.execute(store.db);
        return relations(r.rows[0]!['QUERY PLAN']);
      };
      assert.deepEqual([...await explain(`select id from posts where created_at >= ${month(2022, 6)} and created_at < ${month(2022, 7)}`)], ['posts_p2022_06']);
      assert.deepEqual([...await explain(`select count(*) from posts where created_at >= ${month(2022, 1)} and created_at < ${month(2022, 12)}`)].sort(),
        ['posts_default', 'posts_p2022_01', 'posts_p2022_06', 'posts_p2022_11'], 'months without a partition of their own are the default partition\'s');
      assert.deepEqual([...await explain('select id from posts where created_at is null')], ['posts_default']);
      // The posts list with a time range, as the API sends it.
      const page = await listPosts(serveDb(store.db), { limit: 5, from: month(2023, 1), to: month(2023, 7) });
      assert.deepEqual(page.items.map((p) => p.platform_post_id), ['2023-6', '2023-1']);
      const listed = await explain(`select id from posts as p where created_at is not null and created_at >= ${month(2023, 1)} and created_at < ${month(2023, 7)} order by created_at desc, id desc limit 6`);
      assert.deepEqual([...listed].sort(), ['posts_default', 'posts_p2023_01', 'posts_p2023_06']);
      const within = await explain(`select id from posts as p where created_at is not null and created_at >= ${month(2023, 6)} and created_at < ${month(2023, 7)} order by created_at desc, id desc limit 6`);
      assert.deepEqual([...within], ['posts_p2023_06'], 'a range its partitions cover skips the default partition');
    } finally {
      await ts.cleanup();
    }
  });
});
