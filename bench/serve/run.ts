/**
 * bench/serve: latency of the main API endpoints on a store with 1,000,000 posts, under a
 * steady 200 requests/s (autocannon), with the server in its own process. The baseline in the
 * same run is /openapi.json, a prebuilt document that touches no database: the server's floor.
 * Each endpoint is measured BENCH_RUNS times, round-robin, and the medians are reported, so a
 * burst of unrelated load on the machine does not decide the figures.
 *
 *   npm run bench:serve                         # 1,000,000 posts (cached in .tmp/), 3 × 5 s per endpoint
 *   BENCH_POSTS=100000 BENCH_SECONDS=3 BENCH_RUNS=1 npm run bench:serve   (BENCH_QUICK=1: the same)
 * Targets: worst endpoint's median p99 under 100 ms on 1,000,000 posts (only judged at that size);
 * no errors and no non-2xx answers at any size.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { openStore } from '../../src/store/open.ts';
import { seedObservatory } from '../../src/serve/fixtures.ts';
import { ensureWebBundle } from '../../src/serve/web-build.ts';
import { reportTargets } from '../targets.ts';

const QUICK = process.env.BENCH_QUICK === '1';
const POSTS = Number(process.env.BENCH_POSTS ?? (QUICK ? 100_000 : 1_000_000));
const SECONDS = Number(process.env.BENCH_SECONDS ?? (QUICK ? 3 : 5));
const RUNS = Number(process.env.BENCH_RUNS ?? (QUICK ? 1 : 3));
const TARGET_POSTS = 1_000_000;
const RATE = Number(process.env.BENCH_RATE ?? 200);
const TARGET_P99 = 100;
const SEED_VERSION = 1;
const dir = '.tmp/bench-serve';
mkdirSync(dir, { recursive: true });
const file = `${dir}/posts-${POSTS}-v${SEED_VERSION}.db`;

if (!existsSync(file)) {
  const tmp = `${file}.building`;
  for (const s of ['', '-wal', '-shm']) rmSync(tmp + s, { force: true });
  const t0 = Date.now();
  process.stderr.write(`generating a store with ${POSTS.toLocaleString('en-US')} posts → ${file}\n`);
  const store = await openStore({ db: tmp });
  await seedObservatory(store, { posts: POSTS, accounts: Math.max(100, POSTS / 50), seed: 42, batch: 20_000, onProgress: (n) => {
    if (n % 200_000 === 0) process.stderr.write(`  ${n.toLocaleString('en-US')} posts\n`);
  } });
  await store.db.executeQuery({ sql: 'PRAGMA wal_checkpoint(TRUNCATE)', parameters: [], query: { kind: 'RawNode' } } as never).catch(() => undefined);
  await store.close();
  renameSync(tmp, file);
  for (const s of ['-wal', '-shm']) rmSync(tmp + s, { force: true });
  process.stderr.write(`  generated in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}
await ensureWebBundle();

const child = spawn(process.execPath, ['--import', 'tsx', 'bench/serve/child.ts', file], { stdio: ['ignore', 'pipe', 'inherit'] });
const url: string = await new Promise((resolve, reject) => {
  createInterface({ input: child.stdout! }).once('line', resolve);
  child.once('exit', (code) => reject(new Error(`server exited (${code})`)));
});

const get = async (path: string) => (await fetch(url + path)).json() as Promise<any>;
const top = await get('/api/posts?limit=1');
const maxId: number = top.items[0].id;
const someAccount: number = (await get('/api/removal-rates/accounts?limit=1')).items[0].account_id;

interface Case { name: string; path?: string; random?: () => string }
const cases: Case[] = [
  { name: 'baseline /openapi.json (no database)', path: '/openapi.json' },
  { name: 'overview', path: '/api/overview' },
  { name: 'posts, newest page', path: '/api/posts?limit=50' },
  { name: 'posts, status=removed_by_platform', path: '/api/posts?status=removed_by_platform&limit=50' },
  { name: 'posts, full-text q=维权', path: `/api/posts?q=${encodeURIComponent('维权')}&limit=50` },
  { name: 'posts, rare text q (window scan)', path: `/api/posts?q=${encodeURIComponent('post 12345')}&limit=50` },
  { name: 'posts, by account', path: `/api/posts?account=${someAccount}&limit=50` },
  { name: 'post history (random id)', random: () => `/api/posts/${1 + Math.floor(Math.random() * maxId)}` },
  { name: 'posts page, random deep cursor', random: () => `/api/posts?limit=50&before=${1 + Math.floor(Math.random() * maxId)}` },
  { name: 'disappearances per hour', path: '/api/disappearances' },
  { name: 'removal rates, accounts', path: '/api/removal-rates/accounts?limit=20' },
  { name: 'removal rates, sources', path: '/api/removal-rates/sources' },
  { name: 'campaigns', path: '/api/campaigns' },
  { name: 'campaign c-seed-1', path: '/api/campaigns/c-seed-1' },
  { name: 'terms', path: '/api/terms' },
  { name: 'watch health', path: '/api/watch/health' },
  { name: 'dashboard page /posts', path: '/posts' },
];

interface Row { name: string; p50: number; p90: number; p99: number; max: number; rps: number; errors: number; non2xx: number; requests: number }
const runs: Row[][] = cases.map(() => []);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
try {
  for (let run = 0; run < RUNS; run++) {
    for (const [i, c] of cases.entries()) {
      // One request first: caches and SQLite's page cache warm up as they would after a first visit.
      await fetch(url + (c.path ?? c.random!()));
      const r = await autocannon({
        url, connections: 10, overallRate: RATE, duration: SECONDS,
        requests: [c.random ? { method: 'GET', setupRequest: (req: any) => ({ ...req, path: c.random!() }) } : { method: 'GET', path: c.path! }],
      });
      const x: Row = {
        name: c.name, p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max, rps: r.requests.average,
        errors: r.errors + r.timeouts, non2xx: r.non2xx, requests: r.requests.total,
      };
      runs[i]!.push(x);
      process.stderr.write(`  run ${run + 1}/${RUNS} ${x.name}: p50 ${x.p50} ms, p99 ${x.p99} ms, ${x.rps.toFixed(0)} req/s, ${x.errors} errors, ${x.non2xx} non-2xx\n`);
    }
  }
} finally {
  child.kill('SIGTERM');
}
// Medians of the runs for latencies and throughput; errors are summed (any error fails).
const rows: Row[] = runs.map((rs) => ({
  name: rs[0]!.name, p50: median(rs.map((r) => r.p50)), p90: median(rs.map((r) => r.p90)), p99: median(rs.map((r) => r.p99)),
  max: Math.max(...rs.map((r) => r.max)), rps: median(rs.map((r) => r.rps)), errors: rs.reduce((a, r) => a + r.errors, 0),
  non2xx: rs.reduce((a, r) => a + r.non2xx, 0), requests: rs.reduce((a, r) => a + r.requests, 0),
}));

const base = rows[0]!;
console.log(`\nbench/serve: ${POSTS.toLocaleString('en-US')} posts (SQLite), ${RATE} req/s, ${RUNS} runs × ${SECONDS} s per endpoint, 10 connections; medians of the runs (max: over all runs)\n`);
console.log(`${'endpoint'.padEnd(40)} ${'p50 ms'.padStart(7)} ${'p90 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'max ms'.padStart(7)} ${'req/s'.padStart(7)} ${'errors'.padStart(7)} ${'non2xx'.padStart(7)} ${'p99/base'.padStart(9)}`);
for (const r of rows) {
  console.log(`${r.name.padEnd(40)} ${String(r.p50).padStart(7)} ${String(r.p90).padStart(7)} ${String(r.p99).padStart(7)} ${String(r.max).padStart(7)} ${r.rps.toFixed(0).padStart(7)} ${String(r.errors).padStart(7)} ${String(r.non2xx).padStart(7)} ${(r.p99 / Math.max(1, base.p99)).toFixed(1).padStart(9)}`);
}
const worst = rows.reduce((a, b) => (b.p99 > a.p99 ? b : a));
const failures = rows.reduce((s, r) => s + r.errors + r.non2xx, 0);
const judged = POSTS >= TARGET_POSTS;
console.log(`\nworst median p99 ${worst.p99} ms (${worst.name}); ${failures} errors/non-2xx in ${rows.reduce((s, r) => s + r.requests, 0)} requests`);
reportTargets('serve', [
  { measure: `worst endpoint median p99, ${POSTS.toLocaleString('en-US')} posts, ${RATE} req/s`, value: `${worst.p99} ms (${worst.name})`,
    baseline: `/openapi.json (no database) p99 ${base.p99} ms`, ratio: `${(worst.p99 / Math.max(1, base.p99)).toFixed(1)}×`,
    target: `< ${TARGET_P99} ms${judged ? '' : ` (judged at ${TARGET_POSTS.toLocaleString('en-US')} posts only)`}`, met: judged ? worst.p99 < TARGET_P99 : null },
  { measure: 'errors and non-2xx answers', value: String(failures), target: '0', met: failures === 0 },
]);
