/**
 * Runs one `censorscope` command as a whole child process, as a user would, and measures its
 * wall time and peak RSS: through GNU time (/usr/bin/time) when present, which sees the whole
 * process; without it, peak RSS is reported as unknown rather than guessed.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const GNU_TIME = '/usr/bin/time';
const CLI = path.resolve('bin/censorscope.js');

export interface CliRun {
  wallMs: number;
  /** Peak resident set size in MB, or null when GNU time is not installed. */
  peakMB: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `censorscope <args>` with `env` added; rejects with its stderr when it exits non-zero. */
export function runCli(args: string[], env: Record<string, string> = {}, nodeFlags: string[] = []): Promise<CliRun> {
  const timed = existsSync(GNU_TIME);
  const argv = [process.execPath, ...nodeFlags, CLI, ...args];
  // GNU time writes its figure as the last stderr line, after the command's own output.
  const [cmd, ...rest] = timed ? [GNU_TIME, '-f', 'peak-rss-kb=%M', ...argv] : argv;
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd!, rest, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - t0;
      const m = /peak-rss-kb=(\d+)\s*$/.exec(stderr);
      if (m) stderr = stderr.slice(0, m.index);
      if (code !== 0) reject(new Error(`censorscope ${args.join(' ')} exited with ${code}: ${stderr.trim().split('\n').slice(-5).join(' | ')}`));
      else resolve({ wallMs, peakMB: m ? Number(m[1]) / 1024 : null, stdout, stderr });
    });
  });
}

/** Starts `censorscope <args>` without waiting; `done` settles like runCli. */
export function startCli(args: string[], env: Record<string, string> = {}): { done: Promise<CliRun> } {
  return { done: runCli(args, env) };
}
