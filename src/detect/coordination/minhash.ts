/**
 * One-permutation MinHash (Li, Owen & Zhang 2012) with optimal densification (Shrivastava 2017):
 * one hash per shingle instead of K, which is what makes a million posts cheap. Each shingle
 * hash picks a bin by its top bits and competes for that bin's minimum with its low bits;
 * bins left empty borrow the value of a pseudo-randomly chosen non-empty bin, so the fraction
 * of equal bins remains an unbiased estimate of Jaccard similarity with variance about
 * J(1−J)/K.
 */
import { combine, fmix32 } from './hash.ts';

const EMPTY = 0xffffffff;
const SEED = 0x5bd1e995;

export interface MinHashParams {
  /** Number of bins (signature length); a power of two. */
  k: number;
}

/** Signature of a shingle set; writes k values into `out` at `offset` (allocates when omitted). */
export function signature(shingles: Uint32Array, k: number, out?: Uint32Array, offset = 0): Uint32Array {
  return signatureOf(shingles, 0, shingles.length, k, out ?? new Uint32Array(k), offset);
}

/** Signature of the shingle set `pool[from .. to)`, written into `sig` at `offset`. */
export function signatureOf(pool: Uint32Array, from: number, to: number, k: number, sig: Uint32Array, offset = 0): Uint32Array {
  const bits = Math.log2(k);
  if (!Number.isInteger(bits)) throw new Error(`MinHash k must be a power of two (got ${k})`);
  const shift = 32 - bits;
  const lowMask = shift === 32 ? 0xffffffff : (1 << shift) - 1;
  sig.fill(EMPTY, offset, offset + k);
  for (let i = from; i < to; i++) {
    const g = fmix32(pool[i] ^ SEED);
    const bin = offset + (bits === 0 ? 0 : g >>> shift);
    const v = (g & lowMask) >>> 0;
    if (v < sig[bin]) sig[bin] = v;
  }
  if (to === from) return sig;
  // Densify: each empty bin i copies the value of the first non-empty bin on its own
  // pseudo-random probe sequence (the same sequence in every document, so equal sets stay equal).
  const probes = probeTable(k);
  for (let i = 0; i < k; i++) {
    if (sig[offset + i] !== EMPTY) continue;
    for (let attempt = 0; ; attempt++) {
      const j = attempt < PROBES ? probes[i * PROBES + attempt] : probeOf(i, attempt, k);
      const v = sig[offset + j];
      // Probe only originally filled bins: a bin densified in this loop would make the result
      // depend on the order of filling; originally-filled values are < EMPTY and were set in
      // the first pass, and densified bins are marked by the high bit below.
      if (v !== EMPTY && (v & 0x80000000) === 0) {
        sig[offset + i] = (v | 0x80000000) >>> 0;
        break;
      }
    }
  }
  // Clear the "densified" marker: the low bits never exceed 31 bits when k ≥ 2.
  for (let i = 0; i < k; i++) sig[offset + i] = (sig[offset + i] & 0x7fffffff) >>> 0;
  return sig;
}

/** First probes of each bin's sequence, tabulated per k: with a third of the bins empty, hashing them was a fifth of the signature's time. */
const PROBES = 16;
const probeTables = new Map<number, Uint32Array>();

function probeOf(bin: number, attempt: number, k: number): number {
  return fmix32(combine(combine(SEED, bin), attempt)) & (k - 1);
}

function probeTable(k: number): Uint32Array {
  let t = probeTables.get(k);
  if (!t) {
    t = new Uint32Array(k * PROBES);
    for (let i = 0; i < k; i++) for (let a = 0; a < PROBES; a++) t[i * PROBES + a] = probeOf(i, a, k);
    probeTables.set(k, t);
  }
  return t;
}

/** Fraction of equal positions: the MinHash estimate of Jaccard similarity. */
export function estimate(a: Uint32Array, b: Uint32Array, k = a.length, aOff = 0, bOff = 0): number {
  let eq = 0;
  for (let i = 0; i < k; i++) if (a[aOff + i] === b[bOff + i]) eq++;
  return eq / k;
}

/** Standard error of the estimate at true similarity j with k bins. */
export function estimateStdError(j: number, k: number): number {
  return Math.sqrt((j * (1 - j)) / k);
}

/**
 * LSH band keys: `bands` hashes, each of `rows` consecutive signature values. Two posts become
 * candidates when any band key is equal; with similarity s that happens with probability
 * 1 − (1 − s^rows)^bands.
 */
export function bandKeys(sig: Uint32Array, bands: number, rows: number, out: Uint32Array, outOffset: number, sigOffset = 0): void {
  for (let b = 0; b < bands; b++) {
    let h = combine(SEED + b, bands);
    const base = sigOffset + b * rows;
    for (let r = 0; r < rows; r++) h = combine(h, sig[base + r]);
    out[outOffset + b] = fmix32(h);
  }
}

/** Probability that a pair with similarity s shares at least one band. */
export function candidateProbability(s: number, bands: number, rows: number): number {
  return 1 - (1 - s ** rows) ** bands;
}
