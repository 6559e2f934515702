/**
 * The watch stages of bench/scale: `censorscope watch` over many simulated sources, each a
 * round-trip away, in one process or in several sharing one PostgreSQL store. What counts is
 * what the platforms saw: requests a minute in all, and the most any source received in a
 * budget window, which must not exceed its budget.
 */
import { addSource } from '../../src/collect/sources/add.ts';
import { maxInBuckets, maxInWindow } from './project.ts';
import { runCli, type CliRun } from './measure.ts';
import { startSlowSources } from './latency.ts';
import type { BenchStore } from './stores.ts';

export interface WatchSetup {
  sources: number;
  latencyMs: number;
  /** Requests a minute each source allows (the source's --budget). */
  budget: number;
  seconds: number;
  processes: number;
  postsPerDay: number;
  /** Simulated seconds per wall second on the platforms. */
  speed: number;
  /** Extra `watch` arguments (e.g. a concurrency flag once it exists). */
  extraArgs: string[];
}

export interface WatchResult {
  requestsPerMinute: number;
  /** Most requests one source saw in any 60 s window (one process) or 12 five-second buckets (shared, the store's rule). */
  worstWindow: number;
  withinBudget: boolean;
  peakMB: number | null;
  wallSeconds: number;
}

/** Runs `processes` watchers for `seconds` over `sources` slow simulated sources on `store`. */
export async function runWatchStage(store: BenchStore, s: WatchSetup): Promise<WatchResult> {
  const sources = await startSlowSources(s.sources, s.latencyMs, s.postsPerDay, s.speed);
  try {
    const db = await store.open();
    try {
      for (let i = 0; i < sources.length; i++) {
        await addSource(db, { kind: 'mastodon', url: sources[i]!.url, public: true, name: `scale-${i}`, budgetPerMinute: s.budget, simulated: true });
      }
    } finally {
      await db.close();
    }
    const args = [...store.args, 'watch', '--for', `${s.seconds}s`, '--quiet', '--without-archive', '--allow-private', ...s.extraArgs];
    const t0 = Date.now();
    const runs: CliRun[] = await Promise.all(Array.from({ length: s.processes }, () => runCli(args, store.env)));
    const t1 = Date.now();
    // Requests that arrived while the watchers ran (their start-up included, as a user sees it).
    const counted = sources.map((src) => src.arrivals.filter((t) => t >= t0 && t <= t1));
    const total = counted.reduce((n, a) => n + a.length, 0);
    const worstWindow = Math.max(0, ...counted.map((a) => (s.processes > 1 ? maxInBuckets(a) : maxInWindow(a, 60_000))));
    return {
      requestsPerMinute: total / ((t1 - t0) / 60_000),
      worstWindow,
      withinBudget: worstWindow <= s.budget,
      peakMB: runs.some((r) => r.peakMB === null) ? null : Math.max(...runs.map((r) => r.peakMB!)),
      wallSeconds: (t1 - t0) / 1000,
    };
  } finally {
    await Promise.all(sources.map((src) => src.close()));
  }
}
