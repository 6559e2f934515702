/**
 * Startup benchmark (issue 16): how long `censorscope` takes as a whole process, the way a user
 * or a script runs it. Each case runs --runs times (default 5), interleaved round-robin so load
 * from other work on the machine falls on every case alike; prints the median wall time, CPU time
 * (user + system) and peak RSS of each, against `node -e 0` (Node's own start) in the same run.
 *   censorscope --help            the top-level help (no command module loaded)
 *   censorscope stats (new)       `stats` on a SQLite file that does not exist yet: create + migrate
 *   censorscope stats (migrated)  `stats` on an empty store that is already migrated
 *   before: tsx, every module     --help the way it ran before issue 16: TypeScript compiled at
 *                                 start by tsx and every command module loaded (eager-help.ts;
 *                                 context only, --no-tsx skips it)
 * Targets: --help under 300 ms and stats on an empty store under 500 ms (median wall).
 * Run: npm run bench:startup [-- --runs 9] [-- --no-tsx]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { reportTargets, type TargetRow } from '../targets.ts';
import { ensureBuilt } from '../../scripts/build.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const { values } = parseArgs({ options: { runs: { type: 'string', default: process.env.BENCH_QUICK === '1' ? '3' : '5' }, 'no-tsx': { type: 'boolean', default: false } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a whole number of at least 1 (got "${values.runs}").`);

ensureBuilt({ log: (l) => console.log(l) });
const dir = mkdtempSync(path.join(tmpdir(), 'censorscope-startup-'));
const usageFile = path.join(dir, 'usage.json');
const migrated = path.join(dir, 'migrated.db');
const fresh = path.join(dir, 'fresh.db');
const bin = path.join(ROOT, 'bin/censorscope.js');

interface Case { name: string; args: string[]; before?: () => void }
const cases: Case[] = [
  { name: 'node -e 0 (baseline)', args: ['-e', '0'] },
  { name: 'censorscope --help', args: [bin, '--help'] },
  { name: 'censorscope stats, new empty SQLite file', args: [bin, '--db', fresh, 'stats'], before: () => rmSync(fresh, { force: true }) },
  { name: 'censorscope stats, migrated empty store', args: [bin, '--db', migrated, 'stats'] },
];
if (!values['no-tsx']) cases.push({ name: 'before: --help via tsx, every module loaded', args: ['--import', import.meta.resolve('tsx'), path.join(ROOT, 'bench/startup/eager-help.ts')] });

interface Sample { wallMs: number; cpuMs: number; rssKb: number }
/** Runs one case as its own process; wall time measured here, CPU and RSS reported by the child. */
function measure(c: Case): Sample {
  c.before?.();
  rmSync(usageFile, { force: true });
  const env: NodeJS.ProcessEnv = { ...process.env, STARTUP_USAGE_FILE: usageFile };
  delete env.DATABASE_URL;
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', path.join(ROOT, 'bench/startup/usage.mjs'), ...c.args], { cwd: dir, env, encoding: 'utf8' });
  const wallMs = performance.now() - t0;
  if (r.status !== 0 || !existsSync(usageFile)) throw new Error(`${c.name} failed (exit ${r.status}): ${r.stderr}`);
  const u = JSON.parse(readFileSync(usageFile, 'utf8')) as { cpuMs: number; rssKb: number };
  return { wallMs, cpuMs: u.cpuMs, rssKb: u.rssKb };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const load0 = loadavg()[0]!;
measure(cases[3]!); // creates and migrates the "migrated" store (and warms the file cache)
const samples = new Map<Case, Sample[]>(cases.map((c) => [c, []]));
for (let i = 0; i < runs; i++) for (const c of cases) samples.get(c)!.push(measure(c));
rmSync(dir, { recursive: true, force: true });

const med = new Map(cases.map((c) => {
  const s = samples.get(c)!;
  return [c, { wallMs: median(s.map((x) => x.wallMs)), cpuMs: median(s.map((x) => x.cpuMs)), rssKb: median(s.map((x) => x.rssKb)) }];
}));
const base = med.get(cases[0]!)!;
console.log(`\nStartup, median of ${runs} runs each (Node ${process.version}; load average ${load0.toFixed(2)} at the start, ${loadavg()[0]!.toFixed(2)} at the end):`);
console.log(`${'case'.padEnd(50)} ${'wall ms'.padStart(8)} ${'CPU ms'.padStart(8)} ${'RSS MB'.padStart(7)} ${'wall/node'.padStart(9)}`);
for (const c of cases) {
  const m = med.get(c)!;
  console.log(`${c.name.padEnd(50)} ${m.wallMs.toFixed(0).padStart(8)} ${m.cpuMs.toFixed(0).padStart(8)} ${(m.rssKb / 1024).toFixed(0).padStart(7)} ${(m.wallMs / base.wallMs).toFixed(2).padStart(8)}×`);
}

const row = (c: Case, target: number): TargetRow => {
  const m = med.get(c)!;
  return { measure: `${c.name}: median wall of ${runs} (CPU ${m.cpuMs.toFixed(0)} ms, RSS ${(m.rssKb / 1024).toFixed(0)} MB)`, value: `${m.wallMs.toFixed(0)} ms`,
    baseline: `node -e 0 ${base.wallMs.toFixed(0)} ms`, ratio: `${(m.wallMs / base.wallMs).toFixed(2)}×`, target: `< ${target} ms`, met: m.wallMs < target };
};
reportTargets('startup', [row(cases[1]!, 300), row(cases[2]!, 500), row(cases[3]!, 500)]);
