/**
 * Shingles: the set of features whose Jaccard similarity defines "near-identical". CJK runs give
 * character bigrams (Chinese has no spaces, and bigrams tolerate one-character edits); other
 * scripts give word bigrams. CJK shingles never cross punctuation or spaces, so reordering
 * whole clauses leaves the set unchanged. Each shingle is a 32-bit hash; the result is sorted
 * and de-duplicated so exact Jaccard is a linear merge. Written as one flat loop: this runs
 * once per post and is a third of the detector's time.
 */
import { combine, fmix32 } from './hash.ts';

const SEED_CJK = 0x9e3779b9;
const SEED_WORD = 0x7f4a7c15;

/** Reusable scratch space: avoids an allocation per post on the hot path. */
let scratch = new Uint32Array(4096);

/** Hashed shingle set of a normalised text, sorted ascending, unique. */
export function shingles(text: string): Uint32Array {
  if (scratch.length < shingleRoom(text)) scratch = new Uint32Array(shingleRoom(text));
  return scratch.slice(0, shinglesInto(text, scratch, 0));
}

/** Room `shinglesInto` may use for a text: at most two shingles per character (a clause unigram and a CJK bigram), plus the ends. */
export function shingleRoom(text: string): number {
  return 2 * text.length + 4;
}

/**
 * Writes the shingle set of a normalised text into `buf` from `at` (sorted, unique) and returns
 * its size; `buf` needs `shingleRoom(text)` free from `at`. Writing in place spares the
 * detector an array per post (allocation and collection were a tenth of its time).
 */
export function shinglesInto(text: string, buf: Uint32Array, at: number): number {
  let n = at;
  let prevCjk = -1; // previous CJK code unit in the current run, or -1
  let runLen = 0;
  let wordHash = 0;
  let wordLen = 0;
  let prevWord = -1; // hash of the previous word in the current clause, or -1
  let clauseWords = 0;
  const len = text.length;
  for (let i = 0; i <= len; i++) {
    const c = i < len ? text.charCodeAt(i) : 32;
    const cjk = (c >= 0x3400 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0x3040 && c <= 0x30ff) || (c >= 0xac00 && c <= 0xd7af);
    if (!cjk) {
      // Any non-CJK character ends a CJK run; a lone CJK character counts as a unigram.
      if (runLen === 1) buf[n++] = fmix32(combine(SEED_CJK + 1, prevCjk));
      prevCjk = -1;
      runLen = 0;
    }
    if (cjk || c === 32) {
      // End of a word: emit the bigram with the previous word of this clause.
      if (wordLen > 0) {
        const w = fmix32(wordHash);
        if (prevWord >= 0) buf[n++] = fmix32(combine(combine(SEED_WORD, prevWord), w));
        prevWord = w;
        clauseWords++;
        wordLen = 0;
      }
    }
    if (cjk || i === len) {
      // CJK text (or the end) closes a Latin clause; a one-word clause counts as a unigram.
      if (clauseWords === 1) buf[n++] = fmix32(combine(SEED_WORD + 1, prevWord));
      prevWord = -1;
      clauseWords = 0;
    }
    if (cjk) {
      if (prevCjk >= 0) buf[n++] = fmix32(combine(combine(SEED_CJK, prevCjk), c));
      prevCjk = c;
      runLen++;
    } else if (c !== 32) {
      wordHash = wordLen === 0 ? (0x811c9dc5 ^ c) >>> 0 : (Math.imul(wordHash, 0x01000193) ^ c) >>> 0;
      wordLen++;
    }
  }
  const m = n - at;
  const view = buf.subarray(at, n);
  view.sort();
  let u = 0;
  for (let i = 0; i < m; i++) if (u === 0 || view[i] !== view[u - 1]) view[u++] = view[i];
  return u;
}

/** Exact Jaccard similarity of two sorted unique shingle sets. */
export function jaccard(a: Uint32Array, b: Uint32Array): number {
  return jaccardBetween(a, 0, a.length, b, 0, b.length);
}

/** Exact Jaccard of two sorted unique sets stored as ranges of one pool (no allocation). */
export function jaccardRange(pool: Uint32Array, a0: number, a1: number, b0: number, b1: number): number {
  return jaccardBetween(pool, a0, a1, pool, b0, b1);
}

/** Exact Jaccard of the sorted unique sets pa[a0..a1) and pb[b0..b1), by one merge pass. */
function jaccardBetween(pa: Uint32Array, a0: number, a1: number, pb: Uint32Array, b0: number, b1: number): number {
  const la = a1 - a0;
  const lb = b1 - b0;
  if (la === 0 && lb === 0) return 1;
  let i = a0;
  let j = b0;
  let inter = 0;
  while (i < a1 && j < b1) {
    const x = pa[i];
    const y = pb[j];
    if (x === y) {
      inter++;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return inter / (la + lb - inter);
}
