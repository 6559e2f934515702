/**
 * Work spread over worker threads with the results handed back in input order: each input is
 * posted to the least busy thread with a sequence number, its thread answers `{ seq, ... }`,
 * and answers that arrive early wait until those before them are taken. At most `perWorker`
 * inputs are queued on a thread, so memory stays a few inputs however long the stream. With a
 * `farewell`, each thread is sent it at the end and left to exit by itself.
 */
import type { Worker } from 'node:worker_threads';
import { startTsWorker } from './ts-worker.ts';

/** How to hand one input to a thread: the message (its `seq` is added) and the buffers to move. */
export interface PoolMessage {
  message: Record<string, unknown>;
  transfer?: ArrayBuffer[];
}

/** Yields the answers of `entry`'s threads to `inputs`, in input order. */
export async function* inOrder<In, Out extends { seq: number }>(
  entry: URL,
  workers: number,
  inputs: AsyncIterable<In> | Iterable<In>,
  toMessage: (input: In) => PoolMessage,
  perWorker = 2,
  farewell?: unknown,
): AsyncGenerator<Out> {
  const pool: Worker[] = Array.from({ length: workers }, () => startTsWorker(entry, null));
  const ready = new Map<number, Out>();
  const inFlight = new Array<number>(workers).fill(0);
  let queued = 0;
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  pool.forEach((w, wi) => {
    w.on('message', (msg: Out) => {
      ready.set(msg.seq, msg);
      inFlight[wi]!--;
      queued--;
      wake?.();
    });
    w.on('error', (err) => {
      failure = err;
      wake?.();
    });
  });
  // State is re-checked after every wake-up, so a message that lands while nobody waits is not lost.
  const nextEvent = () => new Promise<void>((resolve) => { wake = () => { wake = null; resolve(); }; });
  let seq = 0;
  let next = 0;
  try {
    for await (const input of inputs) {
      while (queued >= perWorker * workers) {
        if (failure) throw failure;
        await nextEvent();
        for (; ready.has(next); next++) {
          const out = ready.get(next)!;
          ready.delete(next);
          yield out;
        }
      }
      if (failure) throw failure;
      const wi = inFlight.indexOf(Math.min(...inFlight));
      inFlight[wi]!++;
      queued++;
      const { message, transfer } = toMessage(input);
      pool[wi]!.postMessage({ ...message, seq: seq++ }, transfer ?? []);
      for (; ready.has(next); next++) {
        const out = ready.get(next)!;
        ready.delete(next);
        yield out;
      }
    }
    while (next < seq) {
      if (ready.has(next)) {
        const out = ready.get(next)!;
        ready.delete(next++);
        yield out;
      } else {
        if (failure) throw failure;
        await nextEvent();
      }
    }
  } finally {
    // With a farewell, threads that hold resources (a store connection) release them and exit.
    await Promise.all(pool.map((w) => (farewell === undefined || failure ? w.terminate() : leave(w, farewell))));
  }
}

/** Posts `farewell` and waits for the thread to exit, ending it after 10 s. */
async function leave(w: Worker, farewell: unknown): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
  const late = new Promise<void>((resolve) => { timer = setTimeout(() => void w.terminate().then(() => resolve()), 10_000); });
  w.postMessage(farewell);
  await Promise.race([exited, late]);
  clearTimeout(timer);
}
