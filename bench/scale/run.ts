/**
 * bench/scale: how far each backend goes, measured as a user sees it — every stage a whole
 * `censorscope` child process (start-up included), wall time and peak RSS (GNU time):
 *   - import, coordination and terms at each size: posts/s and peak memory (import reads the
 *     twitter-io bench file of that size; coordination and terms run on a synthetic store of
 *     that size with planted campaigns and 5% of posts removed by the platform);
 *   - 100M posts projected from the measured sizes (power law through the two largest; stated
 *     as projected, with the exponents);
 *   - watch: requests a minute over 50 simulated sources 200 ms away, and the most any source
 *     saw in a budget window (must stay within its budget);
 *   - with --pg: the same on PostgreSQL, plus 3 watcher processes on one store sharing budgets.
 * Prints a table; writes bench/SUMMARY-scale.md (bench/SUMMARY-scale-quick.md with --quick) and
 * reports through bench/targets.ts. Stages are defined in stages.ts and watch.ts.
 *
 *   npm run bench:scale                                  # 1M and 10M posts, SQLite
 *   npm run bench:scale -- --sizes 1000000               # chosen sizes
 *   npm run bench:scale -- --quick                       # 20k and 50k posts, short watch: a smoke run
 *   DATABASE_URL=postgres://… npm run bench:scale -- --pg
 *   npm run bench:scale -- --stages import,watch --watch-args=--concurrency,8
 */
import { cpus, loadavg, totalmem, tmpdir } from 'node:os';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { reportTargets, type TargetRow } from '../targets.ts';
import { runCli } from './measure.ts';
import { fmt, project, type Point } from './project.ts';
import { NODE_FLAGS, POST_STAGES, loadSyntheticStore } from './stages.ts';
import { freshStore, type BenchStore } from './stores.ts';
import { runWatchStage, type WatchResult } from './watch.ts';

const { values } = parseArgs({ options: {
  sizes: { type: 'string' }, quick: { type: 'boolean', default: false }, pg: { type: 'boolean', default: false },
  stages: { type: 'string' }, 'watch-seconds': { type: 'string' }, 'watch-args': { type: 'string' },
  'watch-processes': { type: 'string', default: '3' }, 'watch-posts-per-day': { type: 'string', default: '50000' }, out: { type: 'string' },
} });
const quick = values.quick || process.env.BENCH_QUICK === '1';
const sizes = (values.sizes ?? (quick ? '20000,50000' : '1000000,10000000')).split(',').map(Number);
if (sizes.some((n) => !Number.isInteger(n) || n <= 0)) {
  console.error(`--sizes takes positive whole numbers of posts, comma-separated (got "${values.sizes}").`);
  process.exit(2);
}
const STAGES = ['import', 'coordination', 'terms', 'watch'];
const stages = values.stages ? values.stages.split(',') : STAGES;
if (stages.some((s) => !STAGES.includes(s))) {
  console.error(`--stages takes a comma-separated list of ${STAGES.join(', ')} (got "${values.stages}").`);
  process.exit(2);
}
const pgUrl = values.pg ? process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL : undefined;
if (values.pg && !pgUrl) {
  console.error('--pg needs DATABASE_URL (postgres://…) naming the PostgreSQL to measure.');
  process.exit(2);
}
const watchSeconds = Number(values['watch-seconds'] ?? (quick ? 20 : 120));
const watchArgs = values['watch-args'] ? values['watch-args'].split(',') : [];
const PROJECT_TO = 100_000_000;
const say = (line: string) => process.stderr.write(`${line}\n`);
const load0 = loadavg()[0]!;
const started = new Date();

interface Row { backend: string; stage: string; posts: number; seconds: number; postsPerSecond: number; peakMB: number | null; note: string }
const rows: Row[] = [];
const targets: TargetRow[] = [];
const mb = (x: number | null) => (x === null ? 'n/a' : String(Math.round(x)));

/** Runs the post stages at every size on one backend. */
async function postStages(backend: string): Promise<void> {
  const chosen = POST_STAGES.filter((s) => stages.includes(s.name));
  if (!chosen.length) return;
  for (const posts of sizes) {
    let synthetic: BenchStore | undefined;
    try {
      for (const stage of chosen) {
        let store: BenchStore;
        if (stage.input === 'synthetic') {
          if (!synthetic) {
            synthetic = await freshStore(pgUrl && backend === 'postgres' ? pgUrl : undefined);
            say(`[${backend}] synthetic store of ${fmt(posts)} posts (untimed input)`);
            await loadSyntheticStore(synthetic, posts, say);
          }
          store = synthetic;
        } else {
          store = await freshStore(pgUrl && backend === 'postgres' ? pgUrl : undefined);
        }
        try {
          const args = await stage.prepare(posts, say);
          say(`[${backend}] ${stage.name}, ${fmt(posts)} posts: censorscope ${[...store.args, ...args].join(' ')}`);
          const r = await runCli([...store.args, ...args], store.env, NODE_FLAGS);
          const seconds = r.wallMs / 1000;
          rows.push({ backend, stage: stage.name, posts, seconds, postsPerSecond: posts / seconds, peakMB: r.peakMB, note: 'measured' });
          say(`  ${seconds.toFixed(1)} s, ${Math.round(posts / seconds)} posts/s, peak ${mb(r.peakMB)} MB`);
        } finally {
          if (store !== synthetic) await store.drop();
        }
      }
    } finally {
      await synthetic?.drop();
    }
  }
  for (const stage of chosen) {
    const points: Point[] = rows.filter((r) => r.backend === backend && r.stage === stage.name).map((r) => ({ posts: r.posts, seconds: r.seconds, peakMB: r.peakMB }));
    const p = project(points, PROJECT_TO);
    if (p) rows.push({ backend, stage: stage.name, posts: PROJECT_TO, seconds: p.seconds, postsPerSecond: PROJECT_TO / p.seconds, peakMB: p.peakMB, note: p.how });
  }
}

/** Runs the watch stage (one process; and several sharing budgets on PostgreSQL). */
async function watchStages(backend: string): Promise<void> {
  if (!stages.includes('watch')) return;
  const base = { sources: 50, latencyMs: 200, budget: 60, seconds: watchSeconds, postsPerDay: Number(values['watch-posts-per-day']), speed: 1, extraArgs: watchArgs };
  const runs: Array<[string, number]> = [['one process', 1]];
  if (backend === 'postgres') runs.push([`${values['watch-processes']} processes, shared budgets`, Number(values['watch-processes'])]);
  for (const [label, processes] of runs) {
    const store = await freshStore(backend === 'postgres' ? pgUrl : undefined);
    try {
      say(`[${backend}] watch, ${label}: 50 sources 200 ms away (${values['watch-posts-per-day']} posts a day each, the last hour's on show at the start), budget 60/min each, ${watchSeconds} s`);
      const w: WatchResult = await runWatchStage(store, { ...base, processes });
      say(`  ${Math.round(w.requestsPerMinute)} requests/min; busiest source ${w.worstWindow} in a budget window (budget 60)`);
      targets.push({
        measure: `[${backend}] watch, ${label}: requests a minute, 50 sources at 200 ms`, value: `${Math.round(w.requestsPerMinute)}/min, peak ${mb(w.peakMB)} MB`,
        baseline: 'one request at a time: at most 300/min', ratio: `${(w.requestsPerMinute / 300).toFixed(2)}×`,
        target: processes === 1 ? '≥ 3,000/min' : undefined, met: processes === 1 && !quick ? w.requestsPerMinute >= 3000 : null,
      });
      targets.push({
        measure: `[${backend}] watch, ${label}: busiest source in a budget window`, value: `${w.worstWindow} requests`,
        target: '≤ 60 (its budget)', met: w.withinBudget,
      });
    } finally {
      await store.drop();
    }
  }
}

const backends = pgUrl ? ['sqlite', 'postgres'] : ['sqlite'];
for (const backend of backends) {
  await postStages(backend);
  await watchStages(backend);
}

// The table, and one target row per figure.
const lines = [
  `bench/scale — ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC, \`npm run bench:scale${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\`; ` +
    `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GB, Node ${process.version}; ` +
    `load average ${load0.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end. Every figure is a whole CLI process (start-up included).`,
  '',
  '| backend | stage | posts | wall s | posts/s | peak MB | how |',
  '|---|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.backend} | ${r.stage} | ${fmt(r.posts)} | ${r.seconds.toFixed(1)} | ${Math.round(r.postsPerSecond)} | ${mb(r.peakMB)} | ${r.note} |`),
];
for (const r of rows) {
  const projected = r.note !== 'measured';
  const importTarget = r.stage === 'import' && r.backend === 'sqlite' && r.posts === 1_000_000 && !projected;
  targets.push({
    measure: `[${r.backend}] ${r.stage}, ${fmt(r.posts)} posts${projected ? ' (projected)' : ''}`,
    value: `${r.seconds.toFixed(1)} s, ${Math.round(r.postsPerSecond)} posts/s, peak ${mb(r.peakMB)} MB${projected ? `; ${r.note}` : ''}`,
    ...(importTarget ? { target: '≥ 100,000 rows/s' } : {}),
    met: importTarget ? r.postsPerSecond >= 100_000 : null,
  });
}
console.log(`\n${lines.join('\n')}\n`);
// bench/targets.ts writes its JSON where BENCH_SUMMARY_DIR says; this bench also keeps its own Markdown summary.
const dir = process.env.BENCH_SUMMARY_DIR ?? mkdtempSync(path.join(tmpdir(), 'censorscope-scale-'));
reportTargets('scale', targets);
const out = values.out ?? (quick ? 'bench/SUMMARY-scale-quick.md' : 'bench/SUMMARY-scale.md');
const recorded = path.join(dir, 'scale.json');
const summary = existsSync(recorded) ? (JSON.parse(readFileSync(recorded, 'utf8')) as { rows: TargetRow[] }).rows : targets;
const cell = (s: string | undefined) => (s ?? '').replace(/\|/g, '\\|');
writeFileSync(out, [...lines, '', '| measure | value | baseline | ratio | target | result |', '|---|---|---|---|---|---|',
  ...summary.map((t) => `| ${cell(t.measure)} | ${cell(t.value)} | ${cell(t.baseline)} | ${cell(t.ratio)} | ${cell(t.target)} | ${t.met === null ? '' : t.met ? 'PASS' : 'FAIL'} |`), ''].join('\n'));
if (!process.env.BENCH_SUMMARY_DIR) rmSync(dir, { recursive: true, force: true });
console.log(`(written to ${out})`);
