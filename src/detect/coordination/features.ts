/**
 * Per-post features, computed once: the shingle set (for exact Jaccard), the LSH band keys of
 * its MinHash signature, and the keys of the key-based networks (exact text, repost target,
 * reply target, each normalised URL, hashtag sequence) hashed to 53-bit numbers. Everything is
 * typed arrays so a million posts cost a few hundred MB and batches can move between threads.
 */
import { normaliseText, normaliseTag, normaliseUrl } from './normalise.ts';
import { shingleRoom, shinglesInto } from './shingle.ts';
import { bandKeys, signatureOf } from './minhash.ts';
import { hashString } from './hash.ts';
import { EDGE_TYPES, type EdgeType } from './networks.ts';
import type { PostBatch } from './read.ts';

export const TYPE_INDEX: Record<EdgeType, number> = Object.fromEntries(EDGE_TYPES.map((t, i) => [t, i])) as Record<EdgeType, number>;

export interface FeatureOptions {
  types: EdgeType[];
  k: number;
  bands: number;
  minShingles: number;
  minExactLength: number;
}

export interface FeatureBatch {
  n: number;
  id: Float64Array;
  account: Int32Array;
  time: Float64Array;
  /** 1 when the post has enough shingles to take part in co-similar text. */
  usable: Uint8Array;
  /** n × bands LSH band keys. */
  keys: Uint32Array;
  /** Post i's shingles are pool[offsets[i] .. offsets[i+1]). */
  offsets: Int32Array;
  pool: Uint32Array;
  /** Key events, grouped by post in post order: type index and 53-bit key hash. */
  evPost: Int32Array;
  evType: Uint8Array;
  evKey: Float64Array;
}

/** 53-bit hash of a string key (two independent 32-bit hashes), collisions ~2^-53. */
export function keyHash(s: string): number {
  return hashString(s, 0x1234567) * 2097152 + (hashString(s, 0x7654321) & 0x1fffff);
}

class Grow {
  u32 = new Uint32Array(1 << 16);
  n = 0;
  /** Makes room for `extra` more values after the first n. */
  reserve(extra: number): void {
    if (this.n + extra <= this.u32.length) return;
    const b = new Uint32Array(Math.max(this.u32.length * 2, this.n + extra));
    b.set(this.u32.subarray(0, this.n));
    this.u32 = b;
  }
}

/** Computes the features of one batch of posts. */
export function computeFeatures(b: PostBatch, o: FeatureOptions): FeatureBatch {
  const n = b.length;
  const want = new Set(o.types);
  const similar = want.has('similar');
  const rows = o.k / o.bands;
  const sig = new Uint32Array(o.k);
  const f: FeatureBatch = {
    n,
    id: Float64Array.from(b.id),
    account: Int32Array.from(b.account),
    time: Float64Array.from(b.time),
    usable: new Uint8Array(n),
    keys: new Uint32Array(similar ? n * o.bands : 0),
    offsets: new Int32Array(n + 1),
    pool: new Uint32Array(0),
    evPost: new Int32Array(0),
    evType: new Uint8Array(0),
    evKey: new Float64Array(0),
  };
  const pool = new Grow();
  const evPost: number[] = [];
  const evType: number[] = [];
  const evKey: number[] = [];
  const ev = (i: number, type: EdgeType, key: string) => {
    evPost.push(i);
    evType.push(TYPE_INDEX[type]);
    evKey.push(keyHash(key));
  };
  for (let i = 0; i < n; i++) {
    const norm = normaliseText(b.text[i]);
    if (similar) {
      // Shingled straight into the pool; kept there only when the post is usable.
      pool.reserve(shingleRoom(norm.text));
      const count = shinglesInto(norm.text, pool.u32, pool.n);
      if (count >= o.minShingles) {
        f.usable[i] = 1;
        signatureOf(pool.u32, pool.n, pool.n + count, o.k, sig, 0);
        bandKeys(sig, o.bands, rows, f.keys, i * o.bands, 0);
        pool.n += count;
      }
    }
    f.offsets[i + 1] = pool.n;
    if (want.has('exact') && norm.text.length >= o.minExactLength) ev(i, 'exact', norm.text);
    if (want.has('repost') && b.repostOf[i]) ev(i, 'repost', b.repostOf[i]!);
    if (want.has('reply') && b.replyTo[i]) ev(i, 'reply', b.replyTo[i]!);
    if (want.has('link')) {
      const links = new Set(norm.urls);
      for (const u of parseList(b.urls[i])) {
        const nu = normaliseUrl(u);
        if (nu) links.add(nu);
      }
      for (const u of links) ev(i, 'link', u);
    }
    if (want.has('hashtags')) {
      const listed = parseList(b.hashtags[i]).map(normaliseTag);
      const seq = listed.length ? listed : norm.hashtags.map(normaliseTag);
      if (seq.length >= 2) ev(i, 'hashtags', seq.join('\u0001'));
    }
  }
  f.pool = pool.u32.slice(0, pool.n);
  f.evPost = Int32Array.from(evPost);
  f.evType = Uint8Array.from(evType);
  f.evKey = Float64Array.from(evKey);
  return f;
}

function parseList(json: string | null): string[] {
  if (!json) return [];
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}
