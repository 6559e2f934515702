/**
 * The live observatory on one machine: a fresh embedded store, the simulated platform
 * (accelerated), a mastodon source following it, the watcher, the coordination and terms
 * detectors on a schedule, and the dashboard. Capabilities absent from this tree are reported
 * and replaced by generated data, so the dashboard always has something to show.
 */
import { existsSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { openStore, type Store } from '../store/open.ts';
import { startServer, type RunningServer } from './server.ts';
import { Services } from './services.ts';
import { ensureWebBundle } from './web-build.ts';
import { seedObservatory } from './fixtures.ts';
import { available, loadAddSource, loadRunCoordination, loadRunTerms, loadRunWatch, loadStartSim, MissingCapability, type SimHandle } from './integrations.ts';

export interface DemoOptions {
  /** SQLite file; recreated unless `keep`. */
  file: string;
  keep?: boolean;
  port?: number;
  host?: string;
  token?: string;
  /** Simulated seconds per real second. */
  speed?: number;
  seed?: number;
  /** How often the detectors run (ms). */
  detectEveryMs?: number;
  log: (line: string) => void;
}

export interface RunningDemo {
  url: string;
  token: string;
  store: Store;
  /** Stops everything (timers, detectors, watcher, server, simulator, store), in that order. */
  stop(): Promise<void>;
}

/** Starts the demo; resolves once the dashboard is listening. */
export async function startDemo(o: DemoOptions): Promise<RunningDemo> {
  if (!o.keep) for (const suffix of ['', '-wal', '-shm']) if (existsSync(o.file + suffix)) rmSync(o.file + suffix);
  await ensureWebBundle({ log: o.log });
  const store = await openStore({ db: o.file });
  // Each planted campaign account posts once per burst, so within the demo's first minutes an
  // account pair co-occurs once: single-occurrence thresholds let the detector see them.
  const services = new Services(store, { coordination: { minWeight: 1, minParticipation: 1 } });
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
    if (await available(loadStartSim, o.log)) {
      const startSim = await loadStartSim();
      // More campaigns per simulated day than the default, so one shows within two minutes.
      sim = await startSim({ port: 0, host: '127.0.0.1', seed: o.seed ?? 1, speed: o.speed ?? 300, scenario: { campaignsPerDay: 24 } } as Parameters<typeof startSim>[0]);
      cleanups.push(() => sim!.close());
      o.log(`Simulated platform (test fixture, not a real site) at ${sim.url}, ${o.speed ?? 300}× real time.`);
      if (await available(loadAddSource, o.log)) {
        const addSource = await loadAddSource();
        await addSource(store, { kind: 'mastodon', url: sim.url, public: true, name: 'demo-sim', budgetPerMinute: 6000 });
      } else o.log('Adding sources is not available in this build: the watcher has nothing to follow.');
      if (await available(loadRunWatch, o.log)) {
        // The watcher follows the simulator's accelerated clock, and only that origin's headers.
        services.simClock = sim.url;
        await services.startWatch();
      }
      else o.log('The watcher is not available in this build.');
    } else {
      o.log('The simulated platform is not available in this build: showing generated data instead.');
      await seedObservatory(store, { posts: 20_000, seed: o.seed ?? 1 });
    }

    const detectors = [
      (await available(loadRunCoordination, o.log)) ? 'coordination' as const : null,
      (await available(loadRunTerms, o.log)) ? 'terms' as const : null,
    ].filter((d) => d !== null);
    if (detectors.length) {
      const runAll = async () => {
        for (const d of detectors) {
          if (stopped) return;
          try {
            const r = await services.runDetector(d);
            o.log(`detector ${d}: ${JSON.stringify(r)}`);
          } catch (err) {
            if (!(err instanceof MissingCapability)) o.log(`detector ${d} failed: ${(err as Error).message}`);
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
    } else o.log('No detectors are available in this build.');

    timers.push(setInterval(() => {
      const p = services.watch.lastProgress;
      if (p) o.log(`watch: ${p.tracked} posts tracked, ${p.checksPerMinute.toFixed(0)} checks/min, disappearances ${JSON.stringify(p.disappearances)}`);
      if (services.watch.lastError) o.log(`watch error: ${services.watch.lastError}`);
    }, 15_000));

    server = await startServer(store, { port: o.port ?? 8787, host: o.host ?? '127.0.0.1', token, services });
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: server.url, token, store, stop };
}
