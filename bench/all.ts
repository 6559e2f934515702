/**
 * `npm run bench`: runs every benchmark, one after the other, each in its own process with
 * BENCH_SUMMARY_DIR set, then writes one Markdown table of every stated figure (bench, measure,
 * value, baseline, ratio, target, PASS/FAIL) to bench/SUMMARY.md, prints it, and exits non-zero
 * when any bench missed a target or failed.
 *
 *   npm run bench                      # full sizes (long: the import and serve benches build 1M-row stores)
 *   npm run bench -- --quick           # smaller inputs, a smoke run → bench/SUMMARY-quick.md
 *   npm run bench -- --only=extract,terms
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { TargetRow } from './targets.ts';

const BENCHES = ['archive', 'coordination', 'extract', 'impostors', 'import', 'probe', 'serve', 'sites', 'startup', 'terms', 'watch'];
const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' }, out: { type: 'string' } } });
const quick = values.quick || process.env.BENCH_QUICK === '1';
const chosen = values.only ? values.only.split(',').map((s) => s.trim()) : BENCHES;
const unknown = chosen.filter((b) => !BENCHES.includes(b));
if (unknown.length) {
  console.error(`Unknown benchmark ${unknown.join(', ')}: choose from ${BENCHES.join(', ')}.`);
  process.exit(2);
}
const out = values.out ?? (quick ? 'bench/SUMMARY-quick.md' : 'bench/SUMMARY.md');
const dir = mkdtempSync(path.join(tmpdir(), 'censorscope-bench-'));

interface Outcome { bench: string; code: number | null; seconds: number; rows: TargetRow[] | null }
const outcomes: Outcome[] = [];
const started = new Date();
const load0 = loadavg()[0]!;
for (const bench of chosen) {
  console.log(`\n=== bench/${bench}${quick ? ' (quick)' : ''} ===`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', `bench/${bench}/run.ts`], {
    stdio: 'inherit', env: { ...process.env, BENCH_SUMMARY_DIR: dir, ...(quick ? { BENCH_QUICK: '1' } : {}) },
  });
  const file = path.join(dir, `${bench}.json`);
  const rows = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { rows: TargetRow[] }).rows : null;
  outcomes.push({ bench, code: r.status, seconds: (performance.now() - t0) / 1000, rows });
}
rmSync(dir, { recursive: true, force: true });

const cell = (s: string | undefined) => (s ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');
const lines: string[] = [];
const cpu = cpus();
lines.push(`Benchmarks${quick ? ' (quick mode: smaller inputs, a smoke run; targets stated for full sizes are not judged)' : ''}, ` +
  `${started.toISOString().slice(0, 16).replace('T', ' ')} UTC, \`npm run bench${quick ? ' -- --quick' : ''}\`; ` +
  `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GB, Node ${process.version}; ` +
  `load average ${load0.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end (other work on the machine makes timings noisy).`);
lines.push('');
lines.push('| bench | measure | value | baseline | ratio | target | result |');
lines.push('|---|---|---|---|---|---|---|');
let failed = false;
for (const o of outcomes) {
  const rows = o.rows ?? [];
  for (const r of rows) {
    const result = r.met === null ? (r.measure === 'skipped' ? 'skipped' : '') : r.met ? 'PASS' : 'FAIL';
    lines.push(`| ${o.bench} | ${cell(r.measure)} | ${cell(r.value)} | ${cell(r.baseline)} | ${cell(r.ratio)} | ${cell(r.target)} | ${result} |`);
  }
  const missed = rows.some((r) => r.met === false);
  // A crash, or a bench that exits non-zero without a missed target, still fails the run.
  if (o.code !== 0 && !missed) lines.push(`| ${o.bench} | exit status | ${o.code ?? 'killed'}${o.rows ? '' : ' (no summary written)'} | | | 0 | FAIL |`);
  else if (!o.rows) lines.push(`| ${o.bench} | summary | none written (the bench does not report through bench/targets.ts) | | | | |`);
  if (o.code !== 0 || missed) failed = true;
}
lines.push('');
lines.push(`Run times: ${outcomes.map((o) => `${o.bench} ${Math.round(o.seconds)} s`).join(', ')}. ${failed ? 'At least one benchmark missed a target or failed.' : 'Every stated target met.'}`);
const text = lines.join('\n') + '\n';
writeFileSync(out, text);
console.log(`\n${text}\n(written to ${out})`);
process.exitCode = failed ? 1 : 0;
