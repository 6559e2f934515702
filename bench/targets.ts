/**
 * How every benchmark reports its result: one table row per figure it states a target for, an
 * exit code that is non-zero when any target is missed (so `npm run bench` and CI can fail), and,
 * when BENCH_SUMMARY_DIR is set, `<dir>/<bench>.json` for the summary table `npm run bench` writes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** One stated figure: what was measured, the fair baseline it is compared with, and its target. */
export interface TargetRow {
  measure: string;
  value: string;
  baseline?: string;
  ratio?: string;
  target?: string;
  /** null when the figure has no target (context only). */
  met: boolean | null;
}

/** Prints the target lines, records the summary file and sets the exit code. */
export function reportTargets(bench: string, rows: TargetRow[]): void {
  console.log(`\n${bench}: targets`);
  for (const r of rows) {
    const mark = r.met === null ? '    ' : r.met ? 'PASS' : 'FAIL';
    const vs = r.baseline ? ` (baseline ${r.baseline}${r.ratio ? `, ${r.ratio}` : ''})` : '';
    console.log(`${mark}  ${r.measure}: ${r.value}${vs}${r.target ? `; target ${r.target}` : ''}`);
  }
  const dir = process.env.BENCH_SUMMARY_DIR;
  if (dir) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, `${bench}.json`), JSON.stringify({ bench, rows }, null, 2) + '\n');
  }
  if (rows.some((r) => r.met === false)) {
    console.log(`${bench}: a stated target was missed`);
    process.exitCode = 1;
  }
}

/**
 * Records a bench that could not run for a missing prerequisite: `skipped: reason`, no verdict
 * (exit 0). Under CI, where every prerequisite is installed, a skip hides a failure, so it fails.
 */
export function reportSkip(bench: string, reason: string): void {
  console.log(`${bench} skipped: ${reason}`);
  reportTargets(bench, [{ measure: 'skipped', value: reason, met: process.env.CI ? false : null }]);
}
