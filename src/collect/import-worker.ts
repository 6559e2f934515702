/** Worker thread of an import: reads and maps the file, sending batches to the writer thread. */
import { parentPort, workerData } from 'node:worker_threads';
import { readPosts } from './read-posts.ts';
import { resolveFormat, type FormatSpec } from './formats/registry.ts';
import type { ReaderOptions } from './formats/reader.ts';
import { UserError } from '../util/errors.ts';

export interface ImportWorkerInput {
  file: string;
  spec: FormatSpec;
  reader: ReaderOptions;
}

export type ImportWorkerMessage =
  | { type: 'batch'; batch: import('./read-posts.ts').PostBatch; bytes: number }
  | { type: 'done'; bytes: number }
  | { type: 'error'; message: string; user: boolean };

// At most this many batches, or items, wait for the writer, so memory stays flat however large
// the file. Batches are small (one 64 KB piece each), so this still lets the reader run about a
// write transaction ahead.
const MAX_IN_FLIGHT = 128;
const MAX_IN_FLIGHT_ITEMS = 32_000;

const port = parentPort!;
const input = (workerData as { data: ImportWorkerInput }).data;
const inFlight: number[] = []; // item counts of the batches not yet acknowledged, oldest first
let inFlightItems = 0;
let bytes = 0;
const waiting: Array<() => void> = [];
port.on('message', (m) => {
  if (m === 'ack') {
    inFlightItems -= inFlight.shift() ?? 0;
    waiting.shift()?.();
  }
});
const send = (m: ImportWorkerMessage) => port.postMessage(m);

try {
  await readPosts(input.file, resolveFormat(input.spec), input.reader, async (batch) => {
    send({ type: 'batch', batch, bytes });
    bytes = 0;
    const items = batch.posts.length + batch.bad.length;
    inFlight.push(items);
    inFlightItems += items;
    while (inFlight.length >= MAX_IN_FLIGHT || inFlightItems >= MAX_IN_FLIGHT_ITEMS) await new Promise<void>((r) => waiting.push(r));
  }, (n) => { bytes += n; });
  send({ type: 'done', bytes });
} catch (err) {
  send({ type: 'error', message: (err as Error).message ?? String(err), user: err instanceof UserError });
}
port.close();
