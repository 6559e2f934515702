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

// At most this many batches wait for the writer, so memory stays flat however large the file.
const MAX_IN_FLIGHT = 8;

const port = parentPort!;
const input = (workerData as { data: ImportWorkerInput }).data;
let inFlight = 0;
let bytes = 0;
const waiting: Array<() => void> = [];
port.on('message', (m) => {
  if (m === 'ack') {
    inFlight--;
    waiting.shift()?.();
  }
});
const send = (m: ImportWorkerMessage) => port.postMessage(m);

try {
  await readPosts(input.file, resolveFormat(input.spec), input.reader, async (batch) => {
    send({ type: 'batch', batch, bytes });
    bytes = 0;
    if (++inFlight >= MAX_IN_FLIGHT) await new Promise<void>((r) => waiting.push(r));
  }, (n) => { bytes += n; });
  send({ type: 'done', bytes });
} catch (err) {
  send({ type: 'error', message: (err as Error).message ?? String(err), user: err instanceof UserError });
}
port.close();
