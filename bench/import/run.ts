/**
 * bench/import: rows/s and peak memory importing 1,000,000 generated rows in the twitter-io
 * format into SQLite and into PostgreSQL, each import in a fresh process (so peak RSS is its
 * own), against fair baselines measured in the same run on the same file, the same number of
 * times (medians):
 *   - what a competent user writes: csv-parse + one prepared better-sqlite3 INSERT per row in a
 *     single transaction, into their own table (prepared-child.ts);
 *   - sqlite-utils (`sqlite-utils insert DB posts FILE --csv`) when it is installed.
 * Target: at least 100,000 rows/s into SQLite with peak RSS under 500 MB, judged at 1,000,000 rows.
 *
 *   npm run bench:import                 # 1,000,000 rows, 3 runs each, medians
 *   BENCH_ROWS=200000 BENCH_RUNS=1 npm run bench:import      (BENCH_QUICK=1: 100,000 rows, 1 run)
 *   npm run bench:import:file            # only writes the file, for `time censorscope import` (make-file.ts)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { ensureBenchFile } from './make-file.ts';
import { reportTargets, type TargetRow } from '../targets.ts';

const QUICK = process.env.BENCH_QUICK === '1';
const ROWS = Number(process.env.BENCH_ROWS ?? (QUICK ? 100_000 : 1_000_000));
const RUNS = Number(process.env.BENCH_RUNS ?? (QUICK ? 1 : 3));
const TARGET_ROWS = 1_000_000;
const dir = '.tmp/bench-import';
mkdirSync(dir, { recursive: true });
// The same file `npm run bench:import:file` writes, so `time censorscope import` can be run on it by hand.
const file = await ensureBenchFile(ROWS, (line) => process.stderr.write(`${line}\n`));

interface Run { imported: number; ms: number; maxRssMB: number; writerBusy?: number }
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function child(script: string, args: string[]): Run {
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${script} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

function freshDb(name: string): string {
  const db = `${dir}/${name}.db`;
  for (const f of [db, `${db}-wal`, `${db}-shm`, `${db}-journal`]) rmSync(f, { force: true });
  return db;
}

const sqliteRun = (): Run => child('bench/import/child.ts', [file, freshDb('bench')]);
const preparedRun = (): Run => child('bench/import/prepared-child.ts', [file, freshDb('prepared')]);

/** sqlite-utils as a user runs it: the whole command timed (Python start included), rows counted after. */
function sqliteUtilsRun(): Run {
  const db = freshDb('sqlite-utils');
  const t0 = performance.now();
  const r = spawnSync('bash', ['-c', 'command time -f "%M" sqlite-utils insert "$1" posts "$2" --csv', 'sh', db, file], { encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`sqlite-utils failed: ${r.stderr}`);
  const maxRssKB = Number(r.stderr.trim().split('\n').pop());
  const imported = Number(execFileSync('sqlite3', [db, 'SELECT count(*) FROM posts'], { encoding: 'utf8' }).trim());
  return { imported, ms, maxRssMB: maxRssKB / 1024 };
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

interface Result { key: string; target: string; rowsPerSec: number; peakRssMB: number; runs: number; writerBusy?: number }
const results: Result[] = [];
const summarise = (key: string, target: string, runs: Run[]) => {
  results.push({
    key, target,
    rowsPerSec: Math.round(median(runs.map((r) => r.imported / (r.ms / 1000)))),
    peakRssMB: Math.round(Math.max(...runs.map((r) => r.maxRssMB))),
    runs: runs.length,
    // Share of the time the writing thread was busy: near 1 means the database is the limit, lower the parser.
    writerBusy: runs[0]!.writerBusy === undefined ? undefined : median(runs.map((r) => r.writerBusy!)),
  });
  const last = results[results.length - 1]!;
  process.stderr.write(`${target}: ${last.rowsPerSec} rows/s, peak RSS ${last.peakRssMB} MB\n`);
};
const repeat = (f: () => Run) => Array.from({ length: RUNS }, f);

// Interleaved by kind, all on the same file, each in a fresh process and a fresh database.
summarise('prepared', 'baseline: csv-parse + prepared better-sqlite3 INSERT, one transaction', repeat(preparedRun));
const haveSqliteUtils = spawnSync('bash', ['-c', 'command -v sqlite-utils && command -v time']).status === 0;
if (haveSqliteUtils) summarise('sqlite-utils', 'baseline: sqlite-utils insert --csv (process included)', repeat(sqliteUtilsRun));
else console.log('sqlite-utils not installed: skipped (install it, e.g. apt-get install sqlite-utils, to compare)');
summarise('sqlite', 'censorscope → SQLite', repeat(sqliteRun));
let pgFailure: string | undefined;
if (pgUrl) {
  const runs: Run[] = [];
  try {
    for (let i = 0; i < RUNS; i++) runs.push(await postgresRun());
    summarise('postgres', 'censorscope → PostgreSQL', runs);
  } catch (err) {
    // Recorded as a failed row, so the SQLite figures above are still reported.
    pgFailure = (err as Error).message.split('\n').find((l) => l.startsWith('Error:')) ?? (err as Error).message.slice(0, 300);
    console.log(`PostgreSQL run failed: ${pgFailure}`);
  }
} else {
  console.log('PostgreSQL skipped: set TEST_DATABASE_URL or install postgresql.');
}

const by = (k: string) => results.find((r) => r.key === k);
const base = by('prepared')!;
console.log(`\nbench/import — ${ROWS.toLocaleString('en-US')} rows (${file}), median of ${RUNS} run(s); peak RSS is the largest of the runs`);
console.log('target'.padEnd(72), 'rows/s'.padStart(9), 'peak MB'.padStart(8), 'vs prepared'.padStart(12), 'writer busy'.padStart(12));
for (const r of results) {
  const busy = r.writerBusy === undefined ? '' : `${Math.round(r.writerBusy * 100)}%`;
  console.log(r.target.padEnd(72), String(r.rowsPerSec).padStart(9), String(r.peakRssMB).padStart(8), `${(r.rowsPerSec / base.rowsPerSec).toFixed(2)}x`.padStart(12), busy.padStart(12));
}

const ours = by('sqlite')!;
const su = by('sqlite-utils');
const judged = ROWS >= TARGET_ROWS;
const rows: TargetRow[] = [
  { measure: `SQLite import, ${ROWS.toLocaleString('en-US')} rows, median of ${RUNS}`, value: `${ours.rowsPerSec} rows/s, ${ours.peakRssMB} MB`,
    baseline: `prepared INSERT ${base.rowsPerSec} rows/s${su ? `; sqlite-utils ${su.rowsPerSec} rows/s` : '; sqlite-utils not installed'}`,
    ratio: `${(ours.rowsPerSec / base.rowsPerSec).toFixed(2)}× prepared${su ? `, ${(ours.rowsPerSec / su.rowsPerSec).toFixed(2)}× sqlite-utils` : ''}`,
    target: `≥ 100,000 rows/s, < 500 MB${judged ? '' : ` (judged at ${TARGET_ROWS.toLocaleString('en-US')} rows only)`}`,
    met: judged ? ours.rowsPerSec >= 100_000 && ours.peakRssMB < 500 : null },
];
const pgr = by('postgres');
if (pgr) rows.push({ measure: 'PostgreSQL import', value: `${pgr.rowsPerSec} rows/s, ${pgr.peakRssMB} MB`, ratio: `${(pgr.rowsPerSec / base.rowsPerSec).toFixed(2)}× prepared (SQLite)`, met: null });
else if (pgFailure) rows.push({ measure: 'PostgreSQL import', value: `failed: ${pgFailure}`, met: false });
else rows.push({ measure: 'PostgreSQL import', value: 'skipped: no PostgreSQL (set TEST_DATABASE_URL or install postgresql)', met: null });
reportTargets('import', rows);
