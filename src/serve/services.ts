/**
 * The long-running work the server can start and stop on an admin's request (the watcher) and
 * the detectors it can run — exactly those of the registry in src/detect/index.ts — shared with
 * `censorscope demo` so the dashboard controls the same watcher the demo started.
 */
import type { Store } from '../store/open.ts';
import { runWatch } from '../watch/run.ts';
import { DETECTORS, detectorByName } from '../detect/index.ts';
import { openArchive } from '../archive/index.ts';

export interface WatchStatus {
  running: boolean;
  startedAt: number | null;
  lastProgress: { tracked: number; checksPerMinute: number; disappearances: Record<string, number> } | null;
  lastError: string | null;
}

/** The registry's detector names (the API's `:name` and the demo's schedule). */
export const detectorNames = (): string[] => DETECTORS.map((d) => d.name);

/** A detector's result in a line: its counts (array lengths) and numbers. */
export function summarise(name: string, result: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = { detector: name };
  for (const [k, v] of Object.entries((result ?? {}) as Record<string, unknown>)) {
    if (Array.isArray(v)) out[k] = v.length;
    else if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') out[k] = v;
  }
  return out;
}

/** Starts and stops the watcher; runs detectors one at a time each. */
export class Services {
  private controller: AbortController | null = null;
  private running: Promise<void> | null = null;
  private detecting = new Map<string, Promise<Record<string, unknown>>>();
  readonly watch: WatchStatus = { running: false, startedAt: null, lastProgress: null, lastError: null };

  /** `detectorOptions` are laid over each detector's defaults when it runs. */
  constructor(private store: Store, private detectorOptions: Record<string, Record<string, unknown>> = {}) {}

  /** The simulator whose clock the watcher follows (set by the demo only; see `watch --sim-clock`). */
  simClock: string | undefined;

  /** The archive folder the watcher writes site captures and post evidence to (the server sets it; none: nothing archived). */
  archiveDir: string | undefined;

  /** Starts the watcher in the background (no-op when it already runs). */
  async startWatch(opts: { durationMs?: number } = {}): Promise<WatchStatus> {
    if (this.running) return this.watch;
    const controller = new AbortController();
    this.controller = controller;
    Object.assign(this.watch, { running: true, startedAt: Date.now(), lastError: null });
    const archive = this.archiveDir ? await openArchive(this.store, { dir: this.archiveDir }) : undefined;
    this.running = runWatch(this.store, {
      archive,
      signal: controller.signal,
      ...(opts.durationMs ? { durationMs: opts.durationMs } : {}),
      ...(this.simClock ? { simClock: this.simClock } : {}),
      onProgress: (p) => { this.watch.lastProgress = p; },
    }).catch((err: Error) => {
      if (!controller.signal.aborted) this.watch.lastError = err.message;
    }).finally(async () => {
      await archive?.close().catch(() => undefined);
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

  /** Runs a registered detector (a second request while it runs joins the first). */
  runDetector(name: string): Promise<Record<string, unknown>> {
    const detector = detectorByName(name);
    if (!detector) return Promise.reject(new Error(`There is no detector "${name}"; the detectors are ${detectorNames().join(', ')}.`));
    const current = this.detecting.get(name);
    if (current) return current;
    const run = (async () => summarise(name, await detector.run(this.store, { ...detector.defaults, ...this.detectorOptions[name] })))()
      .finally(() => this.detecting.delete(name));
    this.detecting.set(name, run);
    return run;
  }

  /** Stops everything started here. */
  async close(): Promise<void> {
    await this.stopWatch();
    await Promise.allSettled([...this.detecting.values()]);
  }
}
