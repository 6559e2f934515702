/**
 * Fills a PostgreSQL schema with N synthetic posts straight from generate_series (no client
 * round trips): five sources, N/500 accounts, one year of created_at (growing linearly with id,
 * up to two hours' jitter, 0.1% undated), 2% non-visible statuses, observations for 1% of posts.
 * The schema is made by the real migrations (partitioned posts, post_keys). The load runs with
 * session_replication_role = replica (no triggers, no foreign key checks: every key is written
 * here consistently) into unlogged month partitions without indexes; each month then gets its
 * indexes (attached to the partitioned ones) and a VACUUM ANALYZE while later months load, on
 * GENERATE_JOBS connections (default 3). Needs a superuser connection (the local test cluster's is).
 */
import pg from 'pg';
import { openStore } from '../../src/store/open.ts';
import { SPAN, YEAR_START } from './cases.ts';

const SOURCES = 5;
const JOBS = Number(process.env.GENERATE_JOBS ?? 3);

/** What the loaded store holds, for the queries that follow. */
export interface Generated { posts: number; accounts: number; from: number; to: number }

type Query = (text: string, values?: unknown[]) => Promise<pg.QueryResult>;

/** A connection set up for loading. */
async function connect(url: string, schema: string): Promise<{ q: Query; end: () => Promise<void> }> {
  const c = new pg.Client({ connectionString: url, application_name: 'censorscope-bench-store' });
  await c.connect();
  for (const s of [`SET search_path = ${schema}`, 'SET session_replication_role = replica', "SET maintenance_work_mem = '512MB'", 'SET synchronous_commit = off']) await c.query(s);
  return { q: (text, values) => c.query(text, values), end: () => c.end() };
}

/** Runs the tasks on `jobs` connections, each task when the ones it waits for are done. */
async function runAll(url: string, schema: string, tasks: Array<{ label: string; after?: Promise<unknown>; run: (q: Query) => Promise<unknown> }>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: JOBS }, async () => {
    const { q, end } = await connect(url, schema);
    try {
      while (next < tasks.length) {
        const t = tasks[next++]!;
        await t.after;
        const t0 = Date.now();
        await t.run(q);
        process.stderr.write(`  ${t.label}: ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
      }
    } finally {
      await end();
    }
  });
  await Promise.all(workers);
}

/** Creates `schema` afresh and loads `posts` posts into it, printing progress to stderr. */
export async function generate(url: string, schema: string, posts: number): Promise<Generated> {
  const setup = new pg.Client({ connectionString: url });
  await setup.connect();
  await setup.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await setup.query(`CREATE SCHEMA ${schema}`);
  await setup.end();
  const store = await openStore({ url, schema });
  await store.close();
  const { q, end } = await connect(url, schema);
  const accounts = Math.max(100, Math.floor(posts / 500));
  await q(`INSERT INTO sources (id, kind, name, platform, config, created_at)
    SELECT s, 'import', 'source-' || s, (ARRAY['x', 'telegram', 'vk', 'mastodon', 'bluesky'])[s], '{}', $1
    FROM generate_series(1, ${SOURCES}) s`, [YEAR_START]);
  await q(`INSERT INTO accounts (id, source_id, platform_account_id, handle, display_name, status, first_seen, last_seen)
    SELECT a, 1 + a % ${SOURCES}, 'acct' || a, 'user' || a, 'User ' || a, 'unknown', $1, $1
    FROM generate_series(1, ${accounts}) a`, [YEAR_START]);
  // Every month of the year (the store made the current ones when it opened).
  for (let m = 0; m < 12; m++) await q('SELECT censorscope_posts_month($1::bigint)', [Date.UTC(2025, m, 1)]);
  const parts = (await q(`SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'posts'::regclass ORDER BY 1`)).rows.map((r) => r.relname as string);
  for (const p of parts) await q(`ALTER TABLE ${p} SET UNLOGGED`);
  // The partitioned indexes stay, emptied to ON ONLY shells; each partition's index is built and attached after its load.
  const indexes = (await q(`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = 'posts'`, [schema])).rows as Array<{ indexname: string; indexdef: string }>;
  for (const i of indexes) {
    await q(`DROP INDEX ${i.indexname}`);
    await q(i.indexdef);
  }
  await q('ALTER TABLE post_keys DROP CONSTRAINT posts_source_platform_id');
  await q('ALTER TABLE post_keys DROP CONSTRAINT post_keys_pkey CASCADE');
  await end();

  const created = `CASE WHEN g % 1000 = 999 THEN NULL ELSE ${YEAR_START}::bigint + (g::numeric * ${SPAN} / ${posts})::bigint + (hashint4(g::int) % 3600000)::bigint + 3600000 END`;
  const load = (lo: number, hi: number) => async (db: Query) => {
    await db(`INSERT INTO post_keys (id, source_id, platform_post_id) OVERRIDING SYSTEM VALUE
      SELECT g, 1 + g % ${SOURCES}, g::text FROM generate_series(${lo}::bigint, ${hi}::bigint) g`);
    await db(`INSERT INTO posts (id, source_id, platform_post_id, account_id, created_at, text, language, first_seen, last_seen, status, status_changed_at)
      SELECT g, 1 + g % ${SOURCES}, g::text, 1 + (hashint4(g::int) & 2147483647) % ${accounts}, t,
        (ARRAY['election', 'protest', 'weather', 'football', 'prices', 'music'])[1 + (hashint4(g::int + 1) & 2147483647) % 6] || ' post ' || g || ' ' || left(md5(g::text), 16),
        (ARRAY['en', 'ru', 'fa', 'tr'])[1 + g % 4], coalesce(t, ${YEAR_START}), coalesce(t, ${YEAR_START}) + 86400000,
        CASE WHEN g % 50 = 7 THEN 'removed_by_platform' WHEN g % 97 = 3 THEN 'deleted_by_author' WHEN g % 501 = 5 THEN 'account_gone' ELSE 'visible' END,
        CASE WHEN g % 50 = 7 OR g % 97 = 3 OR g % 501 = 5 THEN coalesce(t, ${YEAR_START}) + 7200000 END
      FROM (SELECT g, ${created} AS t FROM generate_series(${lo}::bigint, ${hi}::bigint) g) s`);
    // 1% of posts watched: three observations each, an hour apart.
    await db(`INSERT INTO observations (post_id, observed_at, outcome, http_status)
      SELECT g, coalesce(${created}, ${YEAR_START}) + k * 3600000, CASE WHEN k = 3 AND g % 50 = 7 THEN 'removed' ELSE 'visible' END, 200
      FROM generate_series(${lo}::bigint, ${hi}::bigint) g, generate_series(1, 3) k WHERE g % 100 = 1`);
  };
  const finish = (part: string) => async (db: Query) => {
    for (const i of indexes) {
      const child = `${part}_${i.indexname.replace(/^posts_/, '')}`;
      await db(i.indexdef.replace(/CREATE (UNIQUE )?INDEX \S+ ON ONLY \S+/, (m, u: string | undefined) => `CREATE ${u ?? ''}INDEX ${child} ON ${part}`));
      await db(`ALTER INDEX ${i.indexname} ATTACH PARTITION ${child}`);
    }
    // Triggers are off during the load: the partition's counts are added here instead.
    await db(`INSERT INTO post_counts (source_id, status, n) SELECT source_id, status, count(*) FROM ${part} GROUP BY 1, 2`);
    await db(`VACUUM (ANALYZE) ${part}`);
  };

  // Month by month in id order (ids follow time); a month's indexes wait for the next month's
  // load (jitter spills a few rows over) and run while later months load.
  const tasks: Array<{ label: string; after?: Promise<unknown>; run: (q: Query) => Promise<unknown> }> = [];
  const loaded: Array<Promise<void>> = [];
  const resolvers: Array<() => void> = [];
  for (let m = 0; m < 12; m++) {
    const lo = m === 0 ? 1 : Math.floor((Date.UTC(2025, m, 1) - YEAR_START) * posts / SPAN) + 1;
    const hi = m === 11 ? posts : Math.floor((Date.UTC(2025, m + 1, 1) - YEAR_START) * posts / SPAN);
    loaded.push(new Promise<void>((r) => resolvers.push(r)));
    const run = load(lo, hi);
    tasks.push({ label: `load 2025-${String(m + 1).padStart(2, '0')} (ids ${lo.toLocaleString('en-US')}–${hi.toLocaleString('en-US')})`, run: async (db) => { await run(db); resolvers[m]!(); } });
    if (m > 0) tasks.push({ label: `index 2025-${String(m).padStart(2, '0')}`, after: loaded[m], run: finish(`posts_p2025_${String(m).padStart(2, '0')}`) });
  }
  const all = Promise.all(loaded);
  tasks.push({ label: 'index post_keys', after: all, run: async (db) => {
    await db('ALTER TABLE post_keys ADD CONSTRAINT post_keys_pkey PRIMARY KEY (id)');
    await db('ALTER TABLE post_keys ADD CONSTRAINT posts_source_platform_id UNIQUE (source_id, platform_post_id)');
    await db('VACUUM (ANALYZE) post_keys');
  } });
  for (const p of parts.filter((x) => !/^posts_p2025_(0[1-9]|10|11)$/.test(x))) tasks.push({ label: `index ${p}`, after: all, run: finish(p) });
  tasks.push({ label: 'analyze', after: all, run: async (db) => {
    await db('VACUUM (ANALYZE) observations');
    await db('ANALYZE accounts');
  } });
  await runAll(url, schema, tasks);
  const fin = await connect(url, schema);
  await fin.q('ANALYZE posts'); // the partitioned table's own statistics (autovacuum never gathers them)
  await fin.q('SELECT censorscope_post_counts_compact()');
  await fin.q(`SELECT setval(pg_get_serial_sequence('post_keys', 'id'), ${posts})`);
  await fin.end();
  return { posts, accounts, from: YEAR_START, to: YEAR_START + SPAN };
}
