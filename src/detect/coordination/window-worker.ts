/** Worker thread: merges and pairs one time segment (with its context) for the main thread (see stream.ts). */
import { parentPort } from 'node:worker_threads';
import { pairSegment, segmentMemory, type SegmentTask } from './window-pool.ts';
import type { CoordinationOptions } from './options.ts';

const mem = segmentMemory();

parentPort!.on('message', (msg: SegmentTask & { seq: number; opts: CoordinationOptions }) => {
  const r = pairSegment(msg, msg.opts, mem);
  parentPort!.postMessage({ seq: msg.seq, ...r }, Object.values(r.cols).map((a) => a.buffer as ArrayBuffer));
});
