/**
 * bench/watch --scale (issue 16): checks a minute of one watcher over many simulated sources,
 * each its own host answering after a fixed latency, against today's one-check-at-a-time
 * behaviour (--concurrency 1) in the same run; then several watcher processes on one PostgreSQL
 * store sharing the sources' budgets. Every post is due at the start and again a minute after
 * each check (fixed policy), so the demand (sources x posts a minute) exceeds what one
 * sequential watcher can do. Checks a minute are counted from a run's first check to its last
 * (start-up left out, the same way for every run). Budgets are checked where they matter, at the servers: the most
 * requests any source's server got in one 60 s window against its budget.
 *
 *   npm run bench:watch -- --scale [--sources 50 --latency-ms 200 --seconds 60 --concurrency 16
 *     --per-host 4 --budget 100 --posts 80 --processes 3 --pg postgres://...]
 *
 * PostgreSQL: --pg, else DATABASE_URL or TEST_DATABASE_URL; without one the multi-process run is
 * skipped with a message. Each process is a separate `node` (bench/watch/scale-worker.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore, type Store } from '../../src/store/open.ts';
import { startSim, type SimHandle } from '../../src/collect/sim/server.ts';
import { addSource } from '../../src/collect/sources/add.ts';
import { ingestPosts } from '../../src/watch/ingest.ts';
import { DEFAULT_POLICY } from '../../src/watch/policy.ts';
import { livePost } from '../../src/collect/sources/source.ts';
import { runWatch } from '../../src/watch/run.ts';
import { realClock } from '../../src/watch/clock.ts';
import { reportTargets, type TargetRow } from '../targets.ts';

const { values: a } = parseArgs({ options: {
  scale: { type: 'boolean' }, sources: { type: 'string', default: '50' }, 'latency-ms': { type: 'string', default: '200' },
  seconds: { type: 'string', default: '60' }, concurrency: { type: 'string', default: '16' }, 'per-host': { type: 'string', default: '4' },
  budget: { type: 'string', default: '100' }, posts: { type: 'string', default: '80' }, processes: { type: 'string', default: '3' },
  pg: { type: 'string' },
}, strict: false });
const SOURCES = Number(a.sources), LATENCY = Number(a['latency-ms']), SECONDS = Number(a.seconds), CONC = Number(a.concurrency);
const PER_HOST = Number(a['per-host']), BUDGET = Number(a.budget), POSTS = Number(a.posts), PROCS = Number(a.processes);
const PG_URL = (a.pg as string | undefined) ?? process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL;
const DAY = 86_400_000;

interface Run { name: string; checks: number; wallS: number; perMin: number; maxWindow: number; over: number; busiest: string }

/** The most times in any half-open 60 s window. */
function maxInWindow(times: number[]): number {
  const s = [...times].sort((x, y) => x - y);
  let best = 0;
  for (let i = 0, j = 0; j < s.length; j++) {
    while (s[j] - s[i] >= 60_000) i++;
    best = Math.max(best, j - i + 1);
  }
  return best;
}

/** Fresh simulated hosts, one source each, with a day of posts behind them. */
async function startHosts(): Promise<SimHandle[]> {
  const now = Date.now();
  return Promise.all(Array.from({ length: SOURCES }, (_, i) => startSim({
    seed: 100 + i, clock: realClock, start: now - DAY, faultRate: 0, slowRate: 0, outages: null, latencyMs: LATENCY, scenario: { dataDir: null },
  })));
}

/** Adds every host as a source with `POSTS` posts due now. */
async function seed(store: Store, sims: SimHandle[]): Promise<void> {
  const now = Date.now();
  for (const [i, sim] of sims.entries()) {
    sim.scenario.ensureUntil(now);
    const src = await addSource(store, { kind: 'mastodon', url: sim.url, public: true, name: `sim-${i}`, budgetPerMinute: BUDGET, listEveryMs: 3_600_000 });
    const posts = sim.scenario.posts.filter((p) => p.created < now - 60_000 && !p.fate).slice(-POSTS)
      .map((p) => livePost({ platformPostId: p.id, text: p.text, accountId: p.account.id, createdAt: p.created }));
    if (posts.length < POSTS) throw new Error(`Simulated host ${i} has only ${posts.length} posts; lower --posts.`);
    await ingestPosts(store, Number(src.id), posts, now - 60_000, DEFAULT_POLICY);
    // Listed up to now already: later listings bring only new posts (one page), as in a watch that has been running.
    await store.db.updateTable('sources').set({ cursor: posts[posts.length - 1].platformPostId }).where('id', '=', src.id).execute();
  }
  await store.db.updateTable('watch_schedule').set({ next_check_at: 0 }).execute();
}

/** What the servers saw during a run. */
function served(name: string, sims: SimHandle[], checks: number, wallS: number): Run {
  const windows = sims.map((s) => maxInWindow(s.requests()));
  const top = Math.max(...windows);
  return { name, checks, wallS, perMin: (checks / wallS) * 60, maxWindow: top, over: windows.filter((w) => w > BUDGET).length, busiest: `sim-${windows.indexOf(top)}` };
}

async function oneProcess(concurrency: number): Promise<Run> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-watch-scale-'));
  const store = await openStore({ db: path.join(dir, 'w.db') });
  const sims = await startHosts();
  try {
    await seed(store, sims);
    let checks = 0;
    let first = Infinity;
    let last = 0;
    await runWatch(store, {
      clock: realClock, durationMs: SECONDS * 1000, concurrency, perHost: PER_HOST, sites: false, policy: { kind: 'fixed', fixedMs: 60_000 },
      onCheck: (c) => {
        checks++;
        first = Math.min(first, c.start);
        last = Math.max(last, c.end);
      },
    });
    return served(`1 process, --concurrency ${concurrency}, SQLite`, sims, checks, (last - first) / 1000);
  } finally {
    await Promise.all(sims.map((s) => s.close()));
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function severalProcesses(url: string): Promise<Run> {
  const schema = `bench_watch_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const store = await openStore({ url, schema });
  const sims = await startHosts();
  try {
    await seed(store, sims);
    const env = { ...process.env, DATABASE_URL: url, CENSORSCOPE_PG_SCHEMA: schema, WATCH_MS: String(SECONDS * 1000), WATCH_CONCURRENCY: String(CONC), WATCH_PER_HOST: String(PER_HOST) };
    const t0 = Date.now();
    const outs = await Promise.all(Array.from({ length: PROCS }, async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'scale-worker.ts')], { env, stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
      const [code] = await once(child, 'exit');
      if (code !== 0) throw new Error(`A watcher process exited with ${code}.`);
      return JSON.parse(out.trim().split('\n').pop()!) as { checks: number; first: number; last: number };
    }));
    const checks = outs.reduce((n, o) => n + o.checks, 0);
    // From the first check of any process to the last of any (process start-up left out, as in the one-process runs).
    const span = (Math.max(...outs.map((o) => o.last)) - Math.min(...outs.map((o) => o.first))) / 1000;
    console.log(`${PROCS} processes: ${((Date.now() - t0) / 1000).toFixed(1)} s wall with start-up; checks ${outs.map((o) => o.checks).join(' + ')}`);
    return served(`${PROCS} processes, --concurrency ${CONC} each, PostgreSQL`, sims, checks, span);
  } finally {
    await Promise.all(sims.map((s) => s.close()));
    await store.close();
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  }
}

console.log(`bench/watch --scale: ${SOURCES} simulated sources (one host each), ${LATENCY} ms per answer, ${POSTS} posts each due now and a minute after each check, budget ${BUDGET} requests/min per source, ${SECONDS} s per run, --per-host ${PER_HOST}`);
console.log(`load average at start: ${loadavg().map((x) => x.toFixed(2)).join(' ')} (${(await import('node:os')).cpus().length} cores)`);
const baseline = await oneProcess(1);
const many = await oneProcess(CONC);
const runs = [baseline, many];
let multi: Run | null = null;
if (PG_URL && PROCS > 0) runs.push(multi = await severalProcesses(PG_URL));
else console.log('PostgreSQL run skipped: give --pg URL or set DATABASE_URL / TEST_DATABASE_URL.');
console.log('\nrun                                                    checks   span s  checks/min  max requests of one source in a 60 s window (budget)  sources over budget');
for (const r of runs) {
  console.log(`${r.name.padEnd(54)} ${String(r.checks).padStart(6)} ${r.wallS.toFixed(1).padStart(8)} ${r.perMin.toFixed(0).padStart(11)}  ${String(r.maxWindow).padStart(4)} (${BUDGET}) at ${r.busiest.padEnd(24)} ${r.over}`);
}
console.log(`load average at end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
const rows: TargetRow[] = [
  { measure: `checks/min, one process, ${SOURCES} sources at ${LATENCY} ms`, value: many.perMin.toFixed(0), baseline: `--concurrency 1 ${baseline.perMin.toFixed(0)}`, ratio: `${(many.perMin / baseline.perMin).toFixed(1)}x`, target: '>= 3000', met: many.perMin >= 3000 },
  { measure: 'sources over budget in any 60 s window, all runs', value: String(runs.reduce((n, r) => n + r.over, 0)), target: '0', met: runs.every((r) => r.over === 0) },
];
if (multi) rows.push({ measure: `checks/min, ${PROCS} processes on PostgreSQL`, value: multi.perMin.toFixed(0), target: `within budgets (at most ${SOURCES * BUDGET}/min)`, met: multi.over === 0 });
reportTargets('watch-scale', rows);
