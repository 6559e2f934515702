// Boots a TypeScript worker thread: workers do not inherit tsx's loader, so register it first.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
