/** Worker thread: tokenises batches of texts for the main thread (see tokenize-pool.ts). */
import { parentPort } from 'node:worker_threads';
import { terms } from './tokenize.ts';

parentPort!.on('message', (msg: { seq: number; texts: string[] }) => {
  parentPort!.postMessage({ seq: msg.seq, terms: msg.texts.map((t) => [...terms(t)]) });
});
