/**
 * Which process owns a long-running job (an import, the single SQLite watcher), recorded in the
 * store so a later process can tell a job whose owner was killed (kill -9, a crash, a power cut)
 * from one still running. Only a process on the same host can be judged: a pid means nothing
 * on another machine, so such owners are never declared gone.
 */
import { hostname } from 'node:os';
import { readFileSync } from 'node:fs';

export interface ProcessOwner {
  pid: number;
  host: string;
  /** When the process started (epoch ms), so a reused pid is not mistaken for the owner. */
  startedAt: number;
}

/** This process as an owner. */
export function currentOwner(): ProcessOwner {
  return { pid: process.pid, host: hostname(), startedAt: Math.round(Date.now() - process.uptime() * 1000) };
}

/** True when `owner` ran on this host and its process no longer exists (or its pid now belongs to a younger process). */
export function ownerGone(owner: ProcessOwner): boolean {
  if (owner.host !== hostname()) return false;
  if (!pidAlive(owner.pid)) return true;
  const started = processStartMs(owner.pid);
  // A process that started well after the owner did has only inherited its pid.
  return started !== null && started - owner.startedAt > 5000;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A process's start time from /proc (Linux), or null where that cannot be read. */
function processStartMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime, in clock ticks since boot) counts from after the command name's ")".
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    const btime = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
    if (!Number.isFinite(ticks) || !Number.isFinite(btime)) return null;
    // Linux reports starttime in USER_HZ, 100 on every architecture Node runs on.
    return btime * 1000 + ticks * 10;
  } catch {
    return null;
  }
}
