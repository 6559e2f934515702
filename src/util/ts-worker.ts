/** Starts a worker thread running a TypeScript module. */
import { Worker } from 'node:worker_threads';

/** Runs `entry` (a .ts module URL) in a worker; it reads its input from `workerData.data`. */
export function startTsWorker(entry: URL, data: unknown, resourceLimits?: Worker['resourceLimits']): Worker {
  return new Worker(new URL('./worker-boot.mjs', import.meta.url), { workerData: { entry: entry.href, data }, resourceLimits });
}
