/**
 * bench/import: rows/s and peak memory importing 1,000,000 generated rows in the twitter-io
 * format into SQLite and into PostgreSQL, each import in a fresh process (so peak RSS is its
 * own), against a plain row-at-a-time importer measured in the same run.
 *
 *   npm run bench:import                 # 1,000,000 rows, 3 runs each, medians
 *   BENCH_ROWS=200000 BENCH_RUNS=1 npm run bench:import
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { writeTwitterIoSample } from '../../src/collect/samples/sample-files.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const BASELINE_ROWS = Math.min(ROWS, 50_000);
const dir = '.tmp/bench-import';
mkdirSync(dir, { recursive: true });
const file = `${dir}/twitter-io-${ROWS}.csv`;
if (!existsSync(file)) {
  process.stderr.write(`generating ${ROWS} rows → ${file}\n`);
  await writeTwitterIoSample(file, ROWS, 42);
}

interface Run { imported: number; ms: number; maxRssMB: number; writerBusy?: number }
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function child(script: string, args: string[]): Run {
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${script} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

function sqliteRun(): Run {
  const db = `${dir}/bench.db`;
  for (const f of [db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true });
  return child('bench/import/child.ts', [file, db]);
}

let pgUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
if (!pgUrl && existsSync('/usr/lib/postgresql')) {
  try { pgUrl = execFileSync('bash', ['scripts/pg-local.sh'], { encoding: 'utf8' }).trim(); } catch { /* reported below */ }
}

async function postgresRun(): Promise<Run> {
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const c = new pg.Client({ connectionString: pgUrl });
  await c.connect();
  await c.query(`CREATE SCHEMA ${schema}`);
  try {
    return child('bench/import/child.ts', [file, pgUrl!, schema]);
  } finally {
    await c.query(`DROP SCHEMA ${schema} CASCADE`);
    await c.end();
  }
}

const results: Array<{ target: string; rowsPerSec: number; peakRssMB: number; runs: number; writerBusy?: number }> = [];
const summarise = (target: string, runs: Run[]) => {
  results.push({
    target,
    rowsPerSec: Math.round(median(runs.map((r) => r.imported / (r.ms / 1000)))),
    peakRssMB: Math.round(Math.max(...runs.map((r) => r.maxRssMB))),
    runs: runs.length,
    // Share of the time the writing thread was busy: near 1 means the database is the limit, lower the parser.
    writerBusy: runs[0].writerBusy === undefined ? undefined : median(runs.map((r) => r.writerBusy!)),
  });
  const last = results[results.length - 1];
  process.stderr.write(`${target}: ${last.rowsPerSec} rows/s, peak RSS ${last.peakRssMB} MB\n`);
};

const baseDb = `${dir}/baseline.db`;
for (const f of [baseDb, `${baseDb}-wal`, `${baseDb}-shm`]) rmSync(f, { force: true });
summarise(`baseline: csv-parse + one INSERT a row (SQLite, ${BASELINE_ROWS} rows)`, [child('bench/import/baseline-child.ts', [file, baseDb, String(BASELINE_ROWS)])]);
summarise(`censorscope → SQLite (${ROWS} rows)`, Array.from({ length: RUNS }, sqliteRun));
if (pgUrl) {
  const runs: Run[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await postgresRun());
  summarise(`censorscope → PostgreSQL (${ROWS} rows)`, runs);
} else {
  process.stderr.write('PostgreSQL skipped: set TEST_DATABASE_URL or install postgresql.\n');
}

const base = results[0].rowsPerSec;
console.log('\nbench/import — median of runs; peak RSS is the largest of the runs');
console.log('target'.padEnd(64), 'rows/s'.padStart(9), 'peak MB'.padStart(8), 'vs baseline'.padStart(12), 'writer busy'.padStart(12));
for (const r of results) {
  const busy = r.writerBusy === undefined ? '' : `${Math.round(r.writerBusy * 100)}%`;
  console.log(r.target.padEnd(64), String(r.rowsPerSec).padStart(9), String(r.peakRssMB).padStart(8), `${(r.rowsPerSec / base).toFixed(1)}x`.padStart(12), busy.padStart(12));
}
const sqliteResult = results.find((r) => r.target.startsWith('censorscope → SQLite'));
if (sqliteResult && ROWS >= 1_000_000) {
  const met = sqliteResult.rowsPerSec >= 100_000 && sqliteResult.peakRssMB < 500;
  console.log(`\nSQLite target (at least 100,000 rows/s with peak RSS under 500 MB): ${met ? 'met' : 'NOT met'}`);
}
