/**
 * Term → dense id, for a million posts' worth of terms. Most terms are Han bigrams and trigrams:
 * two or three UTF-16 code units, packed with their length into one exact double and kept in an
 * open-addressing table of typed arrays (no string compared, no object per entry), which a
 * profile showed several times faster than a Map of strings at this size; other terms (longer
 * jieba words, words in other scripts) go to a Map.
 */
export class TermDict {
  /** id → term. */
  readonly terms: string[] = [];
  private readonly other = new Map<string, number>();
  private keys = new Float64Array(1 << 16);
  private vals = new Int32Array(1 << 16);
  private used = 0;

  /** The id of `t`, given the next free id when new. */
  id(t: string): number {
    const len = t.length;
    if (len !== 2 && len !== 3) {
      let d = this.other.get(t);
      if (d === undefined) {
        d = this.terms.length;
        this.terms.push(t);
        this.other.set(t, d);
      }
      return d;
    }
    // len·2⁴⁸ + c0·2³² + c1·2¹⁶ + c2 < 2⁵⁰: exact, and never 0 (the empty mark).
    const hi = len * 65536 + t.charCodeAt(0);
    const lo = ((t.charCodeAt(1) << 16) | (len === 3 ? t.charCodeAt(2) : 0)) >>> 0;
    const key = hi * 4294967296 + lo;
    const mask = this.keys.length - 1;
    let i = hash(hi, lo) & mask;
    for (;;) {
      const k = this.keys[i]!;
      if (k === key) return this.vals[i]!;
      if (k === 0) break;
      i = (i + 1) & mask;
    }
    const d = this.terms.length;
    this.terms.push(t);
    this.keys[i] = key;
    this.vals[i] = d;
    if (++this.used * 2 > this.keys.length) this.grow();
    return d;
  }

  get size(): number {
    return this.terms.length;
  }

  private grow(): void {
    const keys = this.keys;
    const vals = this.vals;
    this.keys = new Float64Array(keys.length * 2);
    this.vals = new Int32Array(vals.length * 2);
    const mask = this.keys.length - 1;
    for (let j = 0; j < keys.length; j++) {
      const key = keys[j]!;
      if (key === 0) continue;
      let i = hash(Math.floor(key / 4294967296), key >>> 0) & mask;
      while (this.keys[i] !== 0) i = (i + 1) & mask;
      this.keys[i] = key;
      this.vals[i] = vals[j]!;
    }
  }
}

function hash(hi: number, lo: number): number {
  let h = Math.imul(hi, 0x9e3779b1) ^ Math.imul(lo, 0x85ebca77);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return (h ^ (h >>> 12)) >>> 0;
}
