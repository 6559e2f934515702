/**
 * Picking posts out of a set of features: the posts of one time segment out of a feature batch
 * (before it is spilled), and the last window of a segment (the context carried into the next).
 */
import type { FeatureBatch } from './features.ts';
import type { AllFeatures } from './engine.ts';

/** Post i's key events are ev*[evStart[i] .. evStart[i+1]) (from a batch's evPost column). */
export function evStartOf(b: FeatureBatch): Int32Array {
  const start = new Int32Array(b.n + 1);
  let e = 0;
  for (let i = 0; i < b.n; i++) {
    start[i] = e;
    while (e < b.evPost.length && b.evPost[e] === i) e++;
  }
  start[b.n] = e;
  return start;
}

type Source = Pick<AllFeatures, 'id' | 'account' | 'time' | 'usable' | 'keys' | 'pool' | 'evType' | 'evKey'> & {
  offsets: ArrayLike<number>;
  evStart: ArrayLike<number>;
};

/** A feature batch of the posts `idx` (in that order) of `src`. */
export function pickFeatures(src: Source, idx: ArrayLike<number>, bands: number): FeatureBatch {
  const n = idx.length;
  let poolLen = 0;
  let evLen = 0;
  for (let x = 0; x < n; x++) {
    const i = idx[x];
    poolLen += src.offsets[i + 1] - src.offsets[i];
    evLen += src.evStart[i + 1] - src.evStart[i];
  }
  const hasKeys = src.keys.length > 0;
  const out: FeatureBatch = {
    n,
    id: new Float64Array(n),
    account: new Int32Array(n),
    time: new Float64Array(n),
    usable: new Uint8Array(n),
    keys: new Uint32Array(hasKeys ? n * bands : 0),
    offsets: new Int32Array(n + 1),
    pool: new Uint32Array(poolLen),
    evPost: new Int32Array(evLen),
    evType: new Uint8Array(evLen),
    evKey: new Float64Array(evLen),
  };
  let p = 0;
  let e = 0;
  for (let x = 0; x < n; x++) {
    const i = idx[x];
    out.id[x] = src.id[i];
    out.account[x] = src.account[i];
    out.time[x] = src.time[i];
    out.usable[x] = src.usable[i];
    // Plain loops: a subarray per post costs more than copying its few values.
    if (hasKeys) for (let b = 0, from = i * bands, to = x * bands; b < bands; b++) out.keys[to + b] = src.keys[from + b];
    for (let s = src.offsets[i], end = src.offsets[i + 1]; s < end; s++) out.pool[p++] = src.pool[s];
    out.offsets[x + 1] = p;
    for (let k = src.evStart[i]; k < src.evStart[i + 1]; k++) {
      out.evPost[e] = x;
      out.evType[e] = src.evType[k];
      out.evKey[e] = src.evKey[k];
      e++;
    }
  }
  return out;
}
