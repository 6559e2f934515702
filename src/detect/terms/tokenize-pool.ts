/**
 * Tokenising (jieba, n-grams) is most of a term count's CPU time and independent per text, so a
 * batch of texts is split over worker threads while the main thread, which counts, waits; the
 * terms come back in the texts' order, so counting stays in one thread and in the same order
 * whatever the number of workers (floating-point sums are bit for bit the same).
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startTsWorker } from '../../util/ts-worker.ts';
import { terms } from './tokenize.ts';

/** Turns texts into their distinct terms, in the texts' order. */
export interface Tokenizer {
  terms(texts: string[]): Promise<string[][]>;
  close(): Promise<void>;
}

/**
 * Batches smaller than this are cut on the calling thread: a round trip costs more, and a small
 * store never pays for starting the threads (each loads jieba's dictionary).
 */
const MIN_PARALLEL = 256;

/** The default number of tokenising threads: the cores, at most four. */
export function defaultTokenWorkers(): number {
  return Math.min(4, availableParallelism());
}

/** A tokenizer on `workers` threads (0: on the calling thread). */
export function createTokenizer(workers = defaultTokenWorkers()): Tokenizer {
  const inline = (texts: string[]) => texts.map((t) => [...terms(t)]);
  if (workers <= 0) return { terms: async (texts) => inline(texts), close: async () => undefined };
  let pool: Worker[] = [];
  const pending = new Map<number, { resolve: (t: string[][]) => void; reject: (e: Error) => void }>();
  let seq = 0;
  let failure: Error | null = null;
  /** Starts the threads on the first batch large enough to need them. */
  const start = () => {
    pool = Array.from({ length: workers }, () => startTsWorker(new URL('./tokenize-worker.ts', import.meta.url), null));
    for (const w of pool) {
      w.on('message', (msg: { seq: number; terms: string[][] }) => {
        pending.get(msg.seq)?.resolve(msg.terms);
        pending.delete(msg.seq);
      });
      w.on('error', (err) => {
        failure = err;
        for (const p of pending.values()) p.reject(err);
        pending.clear();
      });
    }
  };
  const send = (w: Worker, texts: string[]) => new Promise<string[][]>((resolve, reject) => {
    if (failure) return reject(failure);
    const s = seq++;
    pending.set(s, { resolve, reject });
    w.postMessage({ seq: s, texts });
  });
  return {
    async terms(texts) {
      if (texts.length < MIN_PARALLEL) return inline(texts);
      if (!pool.length) start();
      const size = Math.ceil(texts.length / pool.length);
      const parts = await Promise.all(pool.map((w, i) => send(w, texts.slice(i * size, (i + 1) * size))));
      return parts.flat();
    },
    async close() {
      await Promise.all(pool.map((w) => w.terminate()));
    },
  };
}
