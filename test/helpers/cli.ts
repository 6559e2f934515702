/** Runs the real `censorscope` command line (the compiled program, dist/) in a child process. */
import { spawnSync } from 'node:child_process';
import { ensureBuilt } from '../../scripts/build.mjs';

// bin/censorscope.js would rebuild a stale dist/ itself; doing it here once, before any test runs
// the CLI, keeps the build's message out of the output the tests check.
ensureBuilt();

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `censorscope ...args` with extra environment (e.g. a test store's env). */
export function runCli(args: string[], env: Record<string, string> = {}, input?: string): CliResult {
  const r = spawnSync(process.execPath, ['bin/censorscope.js', ...args], {
    env: { ...process.env, ...env }, encoding: 'utf8', input, timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
