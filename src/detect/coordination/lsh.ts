/**
 * LSH banding over MinHash signatures: posts sharing any band key within the window become
 * candidates for co-similar text (then verified by exact Jaccard). With `bands` bands of
 * `rows` rows a pair of similarity s is a candidate with probability 1 − (1 − s^rows)^bands
 * (0.9998 at s = 0.8 for 16 × 4).
 */
import { scratchFor, windowPairs } from './window.ts';

export interface LshOptions {
  bands: number;
  windowMs: number;
  /** Most bucket-mates an item looks back through (protects against giant spam buckets). */
  maxBucket: number;
}

/**
 * LSH candidates: pairs of posts (from `order`, time-sorted post indices) sharing at least one
 * band key, in the window, from different accounts. Each pair is reported once, in the first
 * band it shares, so no set of seen pairs is needed. `keys` holds `bands` keys per post index.
 * The first `firstLater` entries of `order` are context only (see windowPairs).
 */
export function lshCandidates(
  order: Int32Array,
  time: Float64Array,
  account: Int32Array,
  keys: Uint32Array,
  opts: LshOptions,
  onCandidate: (i: number, j: number) => void,
  firstLater = 0,
): number {
  const { bands } = opts;
  const m = order.length;
  // Gather everything into time-order positions once (one random read per post, its band
  // keys sharing a cache line); from then on every band reads memory sequentially.
  const pTime = new Float64Array(m);
  const pAccount = new Int32Array(m);
  const col = new Uint32Array(m * bands);
  for (let x = 0; x < m; x++) {
    const i = order[x];
    pTime[x] = time[i];
    pAccount[x] = account[i];
    for (let b = 0; b < bands; b++) col[b * m + x] = keys[i * bands + b];
  }
  const positions = new Int32Array(m);
  for (let x = 0; x < m; x++) positions[x] = x;
  const scratch = scratchFor(m);
  let reported = 0;
  for (let b = 0; b < bands; b++) {
    const base = b * m;
    windowPairs(positions, (x) => col[base + x], pTime, pAccount, opts.windowMs, opts.maxBucket, scratch, (x, y) => {
      for (let c = 0; c < b; c++) if (col[c * m + x] === col[c * m + y]) return;
      reported++;
      onCandidate(order[x], order[y]);
    }, firstLater);
  }
  return reported;
}
