/**
 * Pairs inside an exact sliding time window, for LSH bands and key-based networks alike. Items
 * (already in time order) are stably radix-sorted by a 32-bit key, so every bucket lists its
 * items in time order; each item then looks back through its bucket-mates only until the
 * window closes. No time bins: a pair 1 s apart across an hour boundary is found like any
 * other, and a pair one millisecond beyond the window never is. Keys move with their items
 * during the sort so every pass reads memory sequentially.
 */

const countA = new Uint32Array(65536);
const countB = new Uint32Array(65536);

/**
 * Stable LSD radix sort (two 16-bit passes) of `items` by `keys` (parallel arrays, both
 * permuted in place; `tmpI`/`tmpK` are scratch of the same length).
 */
export function radixSortPairs(items: Int32Array, keys: Uint32Array, tmpI: Int32Array, tmpK: Uint32Array): void {
  const n = items.length;
  countA.fill(0);
  countB.fill(0);
  for (let i = 0; i < n; i++) {
    const k = keys[i];
    countA[k & 0xffff]++;
    countB[k >>> 16]++;
  }
  let sa = 0;
  let sb = 0;
  for (let i = 0; i < 65536; i++) {
    const a = countA[i];
    countA[i] = sa;
    sa += a;
    const b = countB[i];
    countB[i] = sb;
    sb += b;
  }
  for (let i = 0; i < n; i++) {
    const k = keys[i];
    const at = countA[k & 0xffff]++;
    tmpI[at] = items[i];
    tmpK[at] = k;
  }
  for (let i = 0; i < n; i++) {
    const k = tmpK[i];
    const at = countB[k >>> 16]++;
    items[at] = tmpI[i];
    keys[at] = k;
  }
}

/** Scratch buffers reused across calls of windowPairs. */
export interface Scratch {
  items: Int32Array;
  keys: Uint32Array;
  tmpI: Int32Array;
  tmpK: Uint32Array;
}

/** Allocates scratch for up to n items. */
export function scratchFor(n: number): Scratch {
  return { items: new Int32Array(n), keys: new Uint32Array(n), tmpI: new Int32Array(n), tmpK: new Uint32Array(n) };
}

/**
 * Groups `items` (time order; `key(x)` gives item x's 32-bit key) by key and calls
 * `onPair(earlier, later)` for every two items of a group at most `windowMs` apart (inclusive)
 * whose `time`s are from `timeOf` and accounts differ. Returns the number of calls. Items below
 * `firstLater` are context only (the tail of the previous time segment): they are looked back
 * at, and count towards `maxBucket`, but are never the later item of a pair, since those pairs
 * were reported with their own segment.
 */
export function windowPairs(
  items: Int32Array,
  key: (item: number) => number,
  timeOf: Float64Array,
  accountOf: Int32Array,
  windowMs: number,
  maxBucket: number,
  scratch: Scratch,
  onPair: (earlier: number, later: number) => void,
  firstLater = 0,
): number {
  const m = items.length;
  const it = scratch.items.subarray(0, m);
  const ks = scratch.keys.subarray(0, m);
  for (let x = 0; x < m; x++) {
    it[x] = items[x];
    ks[x] = key(items[x]);
  }
  radixSortPairs(it, ks, scratch.tmpI.subarray(0, m), scratch.tmpK.subarray(0, m));
  let calls = 0;
  let start = 0;
  while (start < m) {
    const k = ks[start];
    let end = start + 1;
    while (end < m && ks[end] === k) end++;
    for (let x = start + 1; x < end; x++) {
      const j = it[x];
      if (j < firstLater) continue;
      const tj = timeOf[j];
      const aj = accountOf[j];
      const stop = Math.max(start, x - maxBucket);
      for (let y = x - 1; y >= stop; y--) {
        const i = it[y];
        if (tj - timeOf[i] > windowMs) break;
        if (accountOf[i] === aj) continue;
        calls++;
        onPair(i, j);
      }
    }
    start = end;
  }
  return calls;
}

