/**
 * Fills a PostgreSQL schema with N synthetic posts straight from generate_series (no client
 * round trips): five sources, N/500 accounts, one year of created_at (growing ~linearly with
 * id, an hour's jitter, 0.1% undated), 2% non-visible statuses, observations for 1% of posts.
 * The schema is made by the real migrations (partitioned posts, post_keys); the load runs with
 * session_replication_role = replica (no triggers, no foreign key checks: every key is written
 * here consistently) into unlogged month partitions, and the indexes are rebuilt afterwards.
 * Needs a superuser connection (the local test cluster's is).
 */
import pg from 'pg';
import { openStore } from '../../src/store/open.ts';

export const YEAR_START = Date.UTC(2025, 0, 1);
const SPAN = 365 * 86_400_000;
const SOURCES = 5;
const CHUNK = 5_000_000;

/** What the loaded store holds, for the queries that follow. */
export interface Generated { posts: number; accounts: number; from: number; to: number }

/** Creates `schema` afresh and loads `posts` posts into it, printing progress to stderr. */
export async function generate(url: string, schema: string, posts: number): Promise<Generated> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const q = async (text: string, values?: unknown[]) => admin.query(text, values);
  const step = async <T>(label: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    const out = await fn();
    process.stderr.write(`  ${label}: ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    return out;
  };
  await q(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await q(`CREATE SCHEMA ${schema}`);
  const store = await openStore({ url, schema });
  await store.close();
  await q(`SET search_path = ${schema}`);
  await q('SET session_replication_role = replica');
  await q("SET maintenance_work_mem = '1GB'");
  await q('SET synchronous_commit = off');
  const accounts = Math.max(100, Math.floor(posts / 500));
  await q(`INSERT INTO sources (id, kind, name, platform, config, created_at)
    SELECT s, 'import', 'source-' || s, (ARRAY['x', 'telegram', 'vk', 'mastodon', 'bluesky'])[s], '{}', $1
    FROM generate_series(1, ${SOURCES}) s`, [YEAR_START]);
  await q(`INSERT INTO accounts (id, source_id, platform_account_id, handle, display_name, status, first_seen, last_seen)
    SELECT a, 1 + a % ${SOURCES}, 'acct' || a, 'user' || a, 'User ' || a, 'unknown', $1, $1
    FROM generate_series(1, ${accounts}) a`, [YEAR_START]);
  // Every month of the year, plus the current ones the store made when it opened.
  for (let m = 0; m < 12; m++) await q('SELECT censorscope_posts_month($1::bigint)', [Date.UTC(2025, m, 1)]);
  const parts = (await q(`SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'posts'::regclass`)).rows;
  for (const p of parts) await q(`ALTER TABLE ${p.relname} SET UNLOGGED`);
  const indexes = (await q(`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = 'posts'`, [schema])).rows as Array<{ indexname: string; indexdef: string }>;
  for (const i of indexes) await q(`DROP INDEX ${i.indexname}`);
  await q('ALTER TABLE post_keys DROP CONSTRAINT posts_source_platform_id');
  await q('ALTER TABLE post_keys DROP CONSTRAINT post_keys_pkey CASCADE');

  // created_at: the year, in id order, with an hour's jitter; one post in a thousand undated.
  const created = `CASE WHEN g % 1000 = 999 THEN NULL ELSE ${YEAR_START}::bigint + (g::numeric * ${SPAN} / ${posts})::bigint + (hashint4(g) % 3600000)::bigint + 3600000 END`;
  for (let lo = 1; lo <= posts; lo += CHUNK) {
    const hi = Math.min(posts, lo + CHUNK - 1);
    await step(`posts ${lo.toLocaleString('en-US')}–${hi.toLocaleString('en-US')}`, async () => {
      await q(`INSERT INTO post_keys (id, source_id, platform_post_id) OVERRIDING SYSTEM VALUE
        SELECT g, 1 + g % ${SOURCES}, g::text FROM generate_series(${lo}, ${hi}) g`);
      await q(`INSERT INTO posts (id, source_id, platform_post_id, account_id, created_at, text, language, first_seen, last_seen,
          status, status_changed_at)
        SELECT g, 1 + g % ${SOURCES}, g::text, 1 + (hashint4(g) & 2147483647) % ${accounts}, t,
          (ARRAY['election', 'protest', 'weather', 'football', 'prices', 'music'])[1 + (hashint4(g + 1) & 2147483647) % 6] || ' post ' || g || ' ' || left(md5(g::text), 16),
          (ARRAY['en', 'ru', 'fa', 'tr'])[1 + g % 4], coalesce(t, ${YEAR_START}), coalesce(t, ${YEAR_START}) + 86400000,
          CASE WHEN g % 50 = 7 THEN 'removed_by_platform' WHEN g % 97 = 3 THEN 'deleted_by_author' WHEN g % 501 = 5 THEN 'account_gone' ELSE 'visible' END,
          CASE WHEN g % 50 = 7 OR g % 97 = 3 OR g % 501 = 5 THEN coalesce(t, ${YEAR_START}) + 7200000 END
        FROM (SELECT g, ${created} AS t FROM generate_series(${lo}, ${hi}) g) s`);
      // 1% of posts watched: three observations each, an hour apart.
      await q(`INSERT INTO observations (post_id, observed_at, outcome, http_status)
        SELECT g, coalesce(${created}, ${YEAR_START}) + k * 3600000, CASE WHEN k = 3 AND g % 50 = 7 THEN 'removed' ELSE 'visible' END, 200
        FROM generate_series(${lo}, ${hi}) g, generate_series(1, 3) k WHERE g % 100 = 1`);
      process.stderr.write(`  ${hi.toLocaleString('en-US')} / ${posts.toLocaleString('en-US')} posts\n`);
    });
  }
  await step('post_keys indexes', async () => {
    await q('ALTER TABLE post_keys ADD CONSTRAINT post_keys_pkey PRIMARY KEY (id)');
    await q('ALTER TABLE post_keys ADD CONSTRAINT posts_source_platform_id UNIQUE (source_id, platform_post_id)');
  });
  // pg_indexes shows a partitioned index as ON ONLY (the parent alone); rebuilt here on every partition.
  for (const i of indexes) await step(`index ${i.indexname}`, () => q(i.indexdef.replace(' ON ONLY ', ' ON ')));
  await step('vacuum analyze', async () => {
    await q('VACUUM (ANALYZE) posts');
    await q('VACUUM (ANALYZE) post_keys');
    await q('VACUUM (ANALYZE) observations');
    await q('ANALYZE accounts');
  });
  await q(`SELECT setval(pg_get_serial_sequence('post_keys', 'id'), ${posts})`);
  await admin.end();
  return { posts, accounts, from: YEAR_START, to: YEAR_START + SPAN };
}
