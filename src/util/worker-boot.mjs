// Boots a worker thread. Compiled (dist/), the entry is JavaScript and runs as is. Under tsx (tests
// and benches import src/ directly) the entry is a .ts file, and workers do not inherit tsx's
// loader, so it is registered first.
import { workerData } from 'node:worker_threads';

if (workerData.entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.entry);
