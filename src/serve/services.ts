/**
 * The long-running work the server can start and stop on an admin's request (the watcher) and
 * the detectors it can run, shared with `censorscope demo` so the dashboard controls the same
 * watcher the demo started.
 */
import type { Store } from '../store/open.ts';
import { loadRunCoordination, loadRunTerms, loadRunWatch } from './integrations.ts';

export interface WatchStatus {
  running: boolean;
  startedAt: number | null;
  lastProgress: { tracked: number; checksPerMinute: number; disappearances: Record<string, number> } | null;
  lastError: string | null;
}

export const DETECTORS = ['coordination', 'terms'] as const;
export type DetectorName = (typeof DETECTORS)[number];

/** Starts and stops the watcher; runs detectors one at a time each. */
export class Services {
  private controller: AbortController | null = null;
  private running: Promise<void> | null = null;
  private detecting = new Map<DetectorName, Promise<unknown>>();
  readonly watch: WatchStatus = { running: false, startedAt: null, lastProgress: null, lastError: null };

  /** `detectorOptions` are passed to each detector's run (e.g. thresholds for the demo). */
  constructor(private store: Store, private detectorOptions: Partial<Record<DetectorName, Record<string, unknown>>> = {}) {}

  /** The simulator whose clock the watcher follows (set by the demo only; see `watch --sim-clock`). */
  simClock: string | undefined;

  /** Starts the watcher in the background (no-op when it already runs). */
  async startWatch(opts: { durationMs?: number } = {}): Promise<WatchStatus> {
    if (this.running) return this.watch;
    const runWatch = await loadRunWatch();
    const controller = new AbortController();
    this.controller = controller;
    Object.assign(this.watch, { running: true, startedAt: Date.now(), lastError: null });
    this.running = runWatch(this.store, {
      signal: controller.signal,
      ...(opts.durationMs ? { durationMs: opts.durationMs } : {}),
      ...(this.simClock ? { simClock: this.simClock } : {}),
      onProgress: (p) => { this.watch.lastProgress = p; },
    }).catch((err: Error) => {
      if (!controller.signal.aborted) this.watch.lastError = err.message;
    }).finally(() => {
      this.watch.running = false;
      this.running = null;
      this.controller = null;
    });
    return this.watch;
  }

  /** Stops the watcher and waits for it to finish its current check. */
  async stopWatch(): Promise<WatchStatus> {
    this.controller?.abort();
    await this.running;
    return this.watch;
  }

  /** Runs a detector (a second request while it runs joins the first). */
  runDetector(name: DetectorName): Promise<unknown> {
    const current = this.detecting.get(name);
    if (current) return current;
    const run = (async () => {
      if (name === 'coordination') {
        const r = await (await loadRunCoordination())(this.store, this.detectorOptions.coordination);
        return { detector: name, campaigns: r.campaigns.length };
      }
      const r = await (await loadRunTerms())(this.store, this.detectorOptions.terms);
      return { detector: name, terms: r.terms.length, baseline: r.baseline };
    })().finally(() => this.detecting.delete(name));
    this.detecting.set(name, run);
    return run;
  }

  /** Stops everything started here. */
  async close(): Promise<void> {
    await this.stopWatch();
    await Promise.allSettled([...this.detecting.values()]);
  }
}
