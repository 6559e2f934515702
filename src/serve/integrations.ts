/**
 * The other capabilities the server and the demo drive (simulated platform, sources, watch,
 * detectors), loaded on first use. Loading lazily keeps `serve` working in a tree where a
 * capability is absent, and reports its absence as a clear error instead of a crash.
 */
import type { Store } from '../store/open.ts';

export interface SimHandle {
  url: string;
  close(): Promise<void>;
  truth(): Array<{ id: string; kind: string; at: string }>;
}
export type StartSim = (opts: { port?: number; seed?: number; speed?: number; truthFile?: string; host?: string }) => Promise<SimHandle>;
export type AddSource = (store: Store, input: Record<string, unknown>) => Promise<{ id: number; name: string } & Record<string, unknown>>;
export type RunWatch = (store: Store, opts: {
  signal?: AbortSignal;
  durationMs?: number;
  simClock?: string;
  onProgress?: (p: { tracked: number; checksPerMinute: number; disappearances: Record<string, number> }) => void;
}) => Promise<void>;
export type RunCoordination = (store: Store, opts?: Record<string, unknown>) => Promise<{ campaigns: Array<{ id: string; accounts: string[]; posts: number; score: number }> }>;
export type RunTerms = (store: Store, opts?: Record<string, unknown>) => Promise<{ baseline: number; terms: Array<{ term: string }> }>;

/** Thrown when a capability's module is not in this tree. */
export class MissingCapability extends Error {
  constructor(readonly capability: string, file: string) {
    super(`${capability} is not available in this build (${file} is missing or does not export it).`);
    this.name = 'MissingCapability';
  }
}

async function load<T>(file: string, name: string, capability: string): Promise<T> {
  let mod: Record<string, unknown>;
  try {
    // A computed specifier: the type checker must not require the module to exist.
    mod = (await import(new URL(file, import.meta.url).href)) as Record<string, unknown>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String((err as Error).message).includes(file.split('/').pop()!)) {
      throw new MissingCapability(capability, file);
    }
    throw err;
  }
  const fn = mod[name];
  if (typeof fn !== 'function') throw new MissingCapability(capability, file);
  return fn as T;
}

/** The simulated Mastodon-like platform. */
export const loadStartSim = () => load<StartSim>('../collect/sim/server.ts', 'startSim', 'The simulated platform');
/** Adding a source to follow. */
export const loadAddSource = () => load<AddSource>('../collect/sources/add.ts', 'addSource', 'Adding sources');
/** The deletion watcher. */
export const loadRunWatch = () => load<RunWatch>('../watch/run.ts', 'runWatch', 'The watcher');
/** The coordinated-campaign detector. */
export const loadRunCoordination = () => load<RunCoordination>('../detect/coordination/index.ts', 'runCoordination', 'The coordination detector');
/** The censored-terms detector. */
export const loadRunTerms = () => load<RunTerms>('../detect/terms/index.ts', 'runTerms', 'The terms detector');

/** True when the capability's module loads; a module that fails to load for another reason is reported through `onError`. */
export async function available(loader: () => Promise<unknown>, onError?: (message: string) => void): Promise<boolean> {
  try {
    await loader();
    return true;
  } catch (err) {
    if (!(err instanceof MissingCapability)) onError?.(`a capability failed to load: ${(err as Error).message}`);
    return false;
  }
}
