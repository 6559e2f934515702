/** Worker thread: pairs one time segment (with its context) for the main thread (see stream.ts). */
import { parentPort } from 'node:worker_threads';
import { pairsFromFeatures, type AllFeatures } from './engine.ts';
import { PairStore } from './networks.ts';
import type { CoordinationOptions } from './options.ts';

parentPort!.on('message', (msg: { seq: number; f: AllFeatures; context: number; opts: CoordinationOptions }) => {
  const r = pairsFromFeatures(msg.f, msg.opts, new PairStore(), msg.context);
  const cols = r.pairs.columns();
  parentPort!.postMessage({ seq: msg.seq, cols, posts: r.posts, candidates: r.candidates, verified: r.verified }, Object.values(cols).map((a) => a.buffer as ArrayBuffer));
});
