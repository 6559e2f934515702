/** Starts a worker thread running a TypeScript module (or its compiled JavaScript under dist/). */
import { Worker } from 'node:worker_threads';

// True when this module is the compiled dist/util/ts-worker.js rather than the source under tsx.
const COMPILED = import.meta.url.endsWith('.js');

/** The module a worker runs: `entry` itself under tsx, the compiled .js beside this file when compiled. */
export function workerEntry(entry: URL): URL {
  if (!COMPILED || !entry.pathname.endsWith('.ts')) return entry;
  const js = new URL(entry.href);
  js.pathname = `${entry.pathname.slice(0, -3)}.js`;
  return js;
}

/** Runs `entry` (a .ts module URL) in a worker; it reads its input from `workerData.data`. */
export function startTsWorker(entry: URL, data: unknown, resourceLimits?: Worker['resourceLimits']): Worker {
  return new Worker(new URL('./worker-boot.mjs', import.meta.url), { workerData: { entry: workerEntry(entry).href, data }, resourceLimits });
}
