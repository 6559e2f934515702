/**
 * The live observatory on one machine: a fresh embedded store, the simulated platform
 * (accelerated), a mastodon source following it, the watcher, the coordination and terms
 * detectors of the registry (src/detect/index.ts) at their default options on a schedule, and the
 * dashboard. Nothing is substituted: a part that fails to start stops the demo with its error.
 */
import { existsSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { openStore, type Store } from '../store/open.ts';
import { startServer, type RunningServer } from './server.ts';
import { archiveDirFor } from '../archive/location.ts';
import { Services } from './services.ts';
import { ensureWebBundle } from './web-build.ts';
import { startSim, type SimHandle } from '../collect/sim/server.ts';
import { addSource } from '../collect/sources/add.ts';
import { DETECTORS } from '../detect/index.ts';
import { seedDemoMeasurements } from './fixtures-probe.ts';
import { CatchUpClock } from './demo-clock.ts';

const DAY = 86_400_000;

export interface DemoOptions {
  /** SQLite file; recreated unless `keep`. */
  file: string;
  keep?: boolean;
  port?: number;
  host?: string;
  token?: string;
  /** Simulated seconds per real second, until the simulated clock reaches the present. */
  speed?: number;
  /** How far in the past the simulated clock starts (default 7 days): the history the demo fills in fast. */
  historyMs?: number;
  seed?: number;
  /** How often the detectors run (ms). */
  detectEveryMs?: number;
  log: (line: string) => void;
}

export interface RunningDemo {
  url: string;
  token: string;
  store: Store;
  /** The simulated platform (its scenario holds the planted truth). */
  sim: SimHandle;
  /** The watcher and detectors the demo drives (the dashboard's admin endpoints use the same). */
  services: Services;
  /** Stops everything (timers, detectors, watcher, server, simulator, store), in that order. */
  stop(): Promise<void>;
}

/** Starts the demo; resolves once the dashboard is listening. */
export async function startDemo(o: DemoOptions): Promise<RunningDemo> {
  // The demo's WARC files sit beside its store and go with it: a fresh demo starts both empty.
  const archiveDir = archiveDirFor({ db: o.file });
  if (!o.keep) {
    for (const suffix of ['', '-wal', '-shm']) if (existsSync(o.file + suffix)) rmSync(o.file + suffix);
    rmSync(archiveDir, { recursive: true, force: true });
  }
  await ensureWebBundle({ log: o.log });
  const store = await openStore({ db: o.file });
  // The simulator answers as Mastodon does, which never says who removed a status: its
  // moderators' removals are stored as `deleted` (actor unknown), so the demo's term analysis
  // counts those as removals, and says so in its result (`removedAs`).
  const services = new Services(store, { terms: { removedAs: ['removed_by_platform', 'deleted'] } });
  services.archiveDir = archiveDir;
  const token = o.token ?? randomBytes(12).toString('hex');
  const cleanups: Array<() => Promise<void>> = [];
  let sim: SimHandle | null = null;
  let server: RunningServer | null = null;
  let stopped = false;
  const timers: NodeJS.Timeout[] = [];

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const t of timers) clearInterval(t);
    await services.close();
    await server?.close();
    for (const c of cleanups.reverse()) await c().catch((err: Error) => o.log(`while stopping: ${err.message}`));
    await store.close();
  };

  try {
    // More campaigns per simulated day than the default, each posting in two bursts (the
    // detector's default thresholds want a pair of accounts to meet twice), so one shows within
    // two minutes.
    // The simulated clock starts in the past and slows to the wall clock's pace once it reaches
    // the present, so the demo's data is never dated in the future.
    const speed = o.speed ?? 300;
    const start = Math.floor((Date.now() - (o.historyMs ?? 7 * DAY)) / 60_000) * 60_000;
    const clock = new CatchUpClock(start, speed);
    sim = await startSim({ port: 0, host: '127.0.0.1', seed: o.seed ?? 1, speed, start, clock, scenario: { campaignsPerDay: 24, campaignWaves: 2 } });
    cleanups.push(() => sim!.close());
    o.log(`Simulated platform (test fixture, not a real site) at ${sim.url}: its clock starts at ${new Date(start).toISOString()} and runs ${speed}× real time until it reaches the present (about ${new Date(clock.caughtUpAt).toISOString()}), then at real time.`);
    // Marked simulated: the dashboard shows a banner on every page while this source is present.
    await addSource(store, { kind: 'mastodon', url: sim.url, public: true, name: 'demo-sim', budgetPerMinute: 6000, simulated: true });
    // The watcher follows the simulator's accelerated clock, and only that origin's headers.
    services.simClock = sim.url;
    await services.startWatch();
    // Measuring blocking needs a censored network (the namespace lab needs root): the blocking pages show generated measurements, marked as simulated.
    const simulated = await seedDemoMeasurements(store);
    if (simulated) o.log(`Website blocking: ${simulated} simulated measurements (generated, not measured; report ids start with SIMULATED-).`);

    const runAll = async () => {
      for (const d of DETECTORS) {
        if (stopped) return;
        try {
          const r = await services.runDetector(d.name);
          o.log(`detector ${d.name}: ${JSON.stringify(r)}`);
        } catch (err) {
          o.log(`detector ${d.name} failed: ${(err as Error).message}`);
        }
      }
    };
    let busy = false;
    const tick = () => {
      if (busy || stopped) return;
      busy = true;
      void runAll().finally(() => { busy = false; });
    };
    timers.push(setTimeout(tick, Math.min(20_000, o.detectEveryMs ?? 30_000)) as unknown as NodeJS.Timeout);
    timers.push(setInterval(tick, o.detectEveryMs ?? 30_000));

    timers.push(setInterval(() => {
      const p = services.watch.lastProgress;
      if (p) o.log(`watch: ${p.tracked} posts tracked, ${p.checksPerMinute.toFixed(0)} checks/min, disappearances ${JSON.stringify(p.disappearances)}`);
      if (services.watch.lastError) o.log(`watch error: ${services.watch.lastError}`);
    }, 15_000));

    server = await startServer(store, { port: o.port ?? 8787, host: o.host ?? '127.0.0.1', token, services, archiveDir });
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: server.url, token, store, sim: sim!, services, stop };
}
