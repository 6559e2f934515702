/**
 * bench/store/sqlite-scale: where SQLite stops doing well. For each size, a fresh SQLite store
 * is filled through the importers' own bulk writer (posts in time order over one year, five
 * sources, N/500 accounts, 2% non-visible, observations for 1%: the same shape as
 * bench/store/generate.ts makes in PostgreSQL), then measured: import rate (secondary indexes
 * suspended and rebuilt, as an import into an empty store does), the rate of a further 100,000
 * posts into the full store (indexes live, as a daily collector writes), the file size, and the
 * API's reads (bench/store/cases.ts, median of 3 runs each).
 *
 *   npm run bench:sqlite-scale                              # 1,000,000 and 10,000,000 posts
 *   npm run bench:sqlite-scale -- --posts 100000,1000000   # other sizes
 * Files go to .tmp/bench-store/ and are deleted afterwards unless --keep.
 */
import { parseArgs } from 'node:util';
import { mkdirSync, rmSync, statSync, existsSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { sql } from 'kysely';
import { openStore } from '../../src/store/open.ts';
import { ensureSource } from '../../src/store/queries/sources.ts';
import { serveDb } from '../../src/serve/api/tables.ts';
import type { PostRecord } from '../../src/store/bulk.ts';
import { apiCases, SPAN, YEAR_START } from './cases.ts';

const { values: args } = parseArgs({ options: { posts: { type: 'string', default: '1000000,10000000' }, keep: { type: 'boolean', default: false } } });
const sizes = args.posts.split(',').map(Number);
if (sizes.some((n) => !Number.isInteger(n) || n < 10_000)) throw new Error(`--posts takes sizes of at least 10000, comma-separated (got "${args.posts}").`);
const dir = '.tmp/bench-store';
mkdirSync(dir, { recursive: true });
const BATCH = 20_000;
const TOPICS = ['election', 'protest', 'weather', 'football', 'prices', 'music'];

/** Post `g` (1-based) of `n`, as bench/store/generate.ts makes it (hash jitter aside). */
function post(g: number, n: number): PostRecord {
  const t = g % 1000 === 999 ? null : YEAR_START + Math.floor(g * SPAN / n) + ((Math.imul(g, 2654435761) >>> 0) % 7_200_000);
  const gone = g % 50 === 7 ? 'removed_by_platform' : g % 97 === 3 ? 'deleted_by_author' : g % 501 === 5 ? 'account_gone' : 'visible';
  const account = 1 + ((g * 40503) % Math.max(100, Math.floor(n / 500)));
  return {
    platformPostId: String(g), accountId: `acct${account}`, accountHandle: `user${account}`, accountName: `User ${account}`, createdAt: t,
    text: `${TOPICS[(g * 7) % 6]} post ${g} ${(Math.imul(g, 2654435761) >>> 0).toString(16)}`, language: ['en', 'ru', 'fa', 'tr'][g % 4]!, url: null,
    replyToId: null, repostOfId: null, hashtags: null, urls: null, mentions: null, status: gone,
    statusChangedAt: gone === 'visible' ? null : (t ?? YEAR_START) + 7_200_000, statusEvidence: null, extra: null,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const results: Array<{ n: number; rate: number; rebuild: number; more: number; mb: number; cases: Array<[string, number]> }> = [];

for (const n of sizes) {
  const file = `${dir}/sqlite-${n}.db`;
  for (const s of ['', '-wal', '-shm']) rmSync(file + s, { force: true });
  const store = await openStore({ db: file });
  const sources = [];
  for (let s = 1; s <= 5; s++) sources.push(await ensureSource(store, { name: `source-${s}`, kind: 'import', platform: 'x' }));
  const writer = store.bulkWriter();
  const resume = await store.suspendPostIndexes?.();
  const t0 = performance.now();
  for (let lo = 1; lo <= n; lo += BATCH) {
    const batch: PostRecord[] = [];
    for (let g = lo; g < lo + BATCH && g <= n; g++) batch.push(post(g, n));
    await writer.writePosts(sources[(lo / BATCH | 0) % 5]!.id, batch, YEAR_START, { versions: false });
    if ((lo - 1) % 1_000_000 === 0) process.stderr.write(`  ${n.toLocaleString('en-US')}: ${(lo - 1).toLocaleString('en-US')} posts, ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
  }
  const loaded = performance.now();
  await resume?.();
  const rebuilt = performance.now();
  await sql`insert into observations (post_id, observed_at, outcome, http_status)
    select p.id, coalesce(p.created_at, ${YEAR_START}) + k.k * 3600000, 'visible', 200 from posts p, (select 1 as k union all select 2 union all select 3) k
    where p.id % 100 = 1`.execute(store.db);
  await sql`analyze`.execute(store.db);
  // A collector's day on the full store: 100,000 more posts with every index live.
  const m0 = performance.now();
  for (let lo = n + 1; lo <= n + 100_000; lo += BATCH) {
    const batch: PostRecord[] = [];
    for (let g = lo; g < lo + BATCH; g++) batch.push({ ...post(g - n, n), platformPostId: `more-${g}` });
    await writer.writePosts(sources[0]!.id, batch, YEAR_START + SPAN, { versions: false });
  }
  const more = 100_000 / ((performance.now() - m0) / 1000);
  const account = await store.db.selectFrom('posts').select('account_id').where('id', '=', Math.floor(n * 0.1) + 3).executeTakeFirst();
  const db = serveDb(store.db);
  const cases = apiCases(db, n, Number(account?.account_id ?? 1), store.caps);
  const timed: Array<[string, number]> = [];
  for (const c of cases) {
    const runs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      await c.run();
      runs.push(performance.now() - t);
    }
    timed.push([c.name, median(runs)]);
  }
  await store.close();
  const mb = ['', '-wal'].reduce((a, s) => a + (existsSync(file + s) ? statSync(file + s).size : 0), 0) / 1e6;
  results.push({ n, rate: n / ((loaded - t0) / 1000), rebuild: (rebuilt - loaded) / 1000, more, mb, cases: timed });
  process.stderr.write(`  ${n.toLocaleString('en-US')} posts: ${(n / ((loaded - t0) / 1000)).toFixed(0)} posts/s, ${mb.toFixed(0)} MB\n`);
  if (!args.keep) for (const s of ['', '-wal', '-shm']) rmSync(file + s, { force: true });
  printTable(); // after each size, so a long run's first figures are not lost
}

/** The figures so far, one column per size. */
function printTable(): void {
  const head = `| | ${results.map((r) => `${r.n.toLocaleString('en-US')} posts`).join(' | ')} |`;
  const rows = [
    head, `|---|${results.map(() => '---').join('|')}|`,
    `| import into an empty store, posts/s | ${results.map((r) => r.rate.toFixed(0)).join(' | ')} |`,
    `| index rebuild after it, s | ${results.map((r) => r.rebuild.toFixed(1)).join(' | ')} |`,
    `| 100,000 more posts into the full store, posts/s | ${results.map((r) => r.more.toFixed(0)).join(' | ')} |`,
    `| file size, MB | ${results.map((r) => r.mb.toFixed(0)).join(' | ')} |`,
    ...results[0]!.cases.map(([name], i) => `| ${name}, ms (median of 3) | ${results.map((r) => r.cases[i]![1].toFixed(1)).join(' | ')} |`),
  ];
  process.stdout.write(`SQLite at scale (npm run bench:sqlite-scale -- --posts ${args.posts}); load: ${execSync('uptime').toString().trim()}\n\n${rows.join('\n')}\n`);
}

