import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Runs a few lines against bench/targets.ts in a child process (exit codes are process-wide). */
function run(code: string, env: Record<string, string | undefined>) {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-targets-'));
  const childEnv: Record<string, string | undefined> = { ...process.env, BENCH_SUMMARY_DIR: dir, ...env };
  for (const k of Object.keys(childEnv)) if (childEnv[k] === undefined) delete childEnv[k];
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `import { reportTargets, reportSkip } from ${JSON.stringify(path.resolve('bench/targets.ts'))};\n${code}`],
    { encoding: 'utf8', env: childEnv as NodeJS.ProcessEnv });
  let summary: { rows: Array<{ met: boolean | null }> } | null = null;
  try { summary = JSON.parse(readFileSync(path.join(dir, 'b.json'), 'utf8')); } catch { /* none written */ }
  rmSync(dir, { recursive: true, force: true });
  return { status: r.status, stdout: r.stdout, summary };
}

describe('bench/targets', () => {
  it('a missed target prints FAIL, exits 1 and is recorded', () => {
    const r = run(`reportTargets('b', [{ measure: 'm', value: '1', target: '≥ 2', met: false }, { measure: 'n', value: '3', met: null }]);`, {});
    assert.equal(r.status, 1);
    assert.match(r.stdout, /FAIL {2}m: 1; target ≥ 2/);
    assert.deepEqual(r.summary?.rows.map((x) => x.met), [false, null]);
  });

  it('met targets exit 0', () => {
    const r = run(`reportTargets('b', [{ measure: 'm', value: '3', target: '≥ 2', met: true }]);`, {});
    assert.equal(r.status, 0);
    assert.match(r.stdout, /PASS {2}m: 3/);
  });

  it('a skip says why and exits 0 with no verdict, except under CI where it fails', () => {
    const local = run(`reportSkip('b', 'no root');`, { CI: undefined });
    assert.equal(local.status, 0);
    assert.match(local.stdout, /b skipped: no root/);
    assert.deepEqual(local.summary?.rows.map((x) => x.met), [null]);
    const ci = run(`reportSkip('b', 'no root');`, { CI: 'true' });
    assert.equal(ci.status, 1);
    assert.deepEqual(ci.summary?.rows.map((x) => x.met), [false]);
  });
});
