/**
 * bench/store/explain: EXPLAIN (ANALYZE, BUFFERS) of the API's queries on posts and observations
 * at scale, on PostgreSQL with the partitioned schema (migration 0015). The queries are the
 * ones the API itself sends: the posts list is run through its own code (src/serve/api/posts-list.ts)
 * with a Kysely logger catching each statement; the overview, a post's page and the watch
 * charts are the routes' queries, built here the same way. Writes a Markdown report with every
 * plan and a table of execution times.
 *
 *   npm run bench:explain -- --posts 100000000            # generate (or reuse) and explain
 *   npm run bench:explain -- --posts 10000000 --drop      # drop the schema afterwards
 *   options: --schema NAME (default scale_<posts>), --out FILE (default docs/scale/explain-<posts>.md), --regenerate
 * Needs DATABASE_URL or TEST_DATABASE_URL (a superuser: the load skips triggers).
 */
import { parseArgs } from 'node:util';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { execSync } from 'node:child_process';
import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { Database } from '../../src/store/schema.ts';
import { serveDb, type ServeDb } from '../../src/serve/api/tables.ts';
import { generate } from './generate.ts';
import { apiCases } from './cases.ts';
import { openPostgres } from '../../src/store/backends/postgres.ts';

const { values: args } = parseArgs({
  options: {
    posts: { type: 'string', default: '1000000' }, schema: { type: 'string' }, out: { type: 'string' },
    drop: { type: 'boolean', default: false }, regenerate: { type: 'boolean', default: false }, reuse: { type: 'boolean', default: false },
  },
});
const POSTS = Number(args.posts);
if (!Number.isInteger(POSTS) || POSTS < 10_000) throw new Error(`--posts must be a whole number of at least 10000 (got "${args.posts}").`);
const url = process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL;
if (!url) throw new Error('Set DATABASE_URL (or TEST_DATABASE_URL) to a postgres:// URL of a superuser; bash scripts/pg-local.sh starts one.');
const schema = args.schema ?? `scale_${POSTS}`;
const out = args.out ?? `docs/scale/explain-${POSTS >= 1e6 ? `${POSTS / 1e6}m` : POSTS}.md`;

const pool = new pg.Pool({ connectionString: url, max: 2, options: `-c search_path=${schema}`, application_name: 'censorscope-bench-store' });
const captured: Array<{ sql: string; params: readonly unknown[] }> = [];
const db: ServeDb = serveDb(new Kysely<Database>({
  dialect: new PostgresDialect({ pool }),
  log: (e) => { if (e.level === 'query') captured.push({ sql: e.query.sql, params: e.query.parameters }); },
}));

const t0 = Date.now();
const existing = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM pg_namespace WHERE nspname = $1`, [schema]);
let have = 0;
// --reuse: explain the schema as it is (say, while post_keys, which no read uses, is still being indexed).
if (args.reuse) have = POSTS;
else if (Number(existing.rows[0].n) && !args.regenerate) {
  have = Number((await pool.query<{ n: string }>(`SELECT coalesce(max(id), 0) AS n FROM post_keys`).catch(() => ({ rows: [{ n: '0' }] }))).rows[0].n);
}
if (have !== POSTS) {
  process.stderr.write(`generating ${POSTS.toLocaleString('en-US')} posts in schema ${schema}\n`);
  await generate(url, schema, POSTS);
} else process.stderr.write(`reusing schema ${schema} (${POSTS.toLocaleString('en-US')} posts)\n`);
const loadSeconds = (Date.now() - t0) / 1000;

const sizeOf = async (what: string): Promise<string> => {
  // A table being indexed is locked: its size is then reported as unknown rather than waited for.
  const c = await pool.connect();
  try {
    await c.query("SET lock_timeout = '2s'");
    return (await c.query<{ s: string }>(`SELECT pg_size_pretty(${what}) AS s`)).rows[0]!.s;
  } catch {
    return 'unknown (being indexed)';
  } finally {
    await c.query('RESET lock_timeout');
    c.release();
  }
};
const size = {
  posts: await sizeOf(`(SELECT sum(pg_total_relation_size(c.oid)) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'posts'::regclass)`),
  keys: await sizeOf(`pg_total_relation_size('post_keys')`),
  obs: await sizeOf(`pg_total_relation_size('observations')`),
  total: await sizeOf(`pg_database_size(current_database())`),
};

const account = (await pool.query<{ account_id: string }>('SELECT account_id FROM posts WHERE id = $1', [Math.floor(POSTS * 0.1) + 3])).rows[0]?.account_id;
const cases = apiCases(db, POSTS, Number(account), openPostgres({ url }).caps);

const lines: string[] = [];
const summary: string[] = [];
const client = await pool.connect();
await client.query("SET max_parallel_workers_per_gather = 2");
for (const c of cases) {
  captured.length = 0;
  const t = performance.now();
  await c.run();
  const wall = performance.now() - t;
  lines.push(`## ${c.name}\n\nAPI call: ${wall.toFixed(1)} ms (${captured.length} statement${captured.length === 1 ? '' : 's'})\n`);
  const times: string[] = [];
  for (const [i, q] of [...captured].entries()) {
    const plan = await client.query(`EXPLAIN (ANALYZE, BUFFERS) ${q.sql}`, [...q.params]);
    const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
    const exec = /Execution Time: ([\d.]+) ms/.exec(text)?.[1] ?? '?';
    times.push(exec);
    const shown = q.params.length > 20 ? `${q.params.slice(0, 20).map(String).join(', ')}, … (${q.params.length})` : q.params.map(String).join(', ');
    lines.push(`Statement ${i + 1}: \`${q.sql.replace(/\s+/g, ' ').slice(0, 400)}\`${shown ? ` — parameters: ${shown}` : ''}\n\n\`\`\`\n${text}\n\`\`\`\n`);
  }
  summary.push(`| ${c.name} | ${wall.toFixed(1)} | ${times.join(' + ')} |`);
  process.stderr.write(`${c.name}: ${wall.toFixed(1)} ms\n`);
}
client.release();

const load = execSync('uptime').toString().trim();
const head = [
  `# EXPLAIN at ${POSTS.toLocaleString('en-US')} posts (PostgreSQL, partitioned posts)`,
  '',
  `Produced by \`npm run bench:explain -- --posts ${POSTS}\` (bench/store/explain.ts) on ${new Date().toISOString()}; load: \`${load}\`.`,
  `Schema ${schema}: posts ${size.posts} (all partitions with indexes), post_keys ${size.keys}, observations ${size.obs}; the whole database (other schemas too) ${size.total}.`,
  have === POSTS ? 'Data reused from an earlier run.' : `Generated and indexed in ${loadSeconds.toFixed(0)} s.`,
  'Times are from a shared 2-core machine; the plans are what matters (partitions read, indexes used, buffers).',
  '',
  '| query | API call, ms | EXPLAIN ANALYZE execution, ms (per statement) |',
  '|---|---|---|',
  ...summary,
  '',
];
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${head.join('\n')}\n${lines.join('\n')}`);
process.stdout.write(`${head.join('\n')}\nplans written to ${out}\n`);
await db.destroy();
if (args.drop) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query(`DROP SCHEMA ${schema} CASCADE`);
  await c.end();
  process.stderr.write(`dropped schema ${schema}\n`);
}
