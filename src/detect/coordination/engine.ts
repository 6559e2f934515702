/**
 * The core: features are computed once per post; posts are sorted by time and every network
 * pairs posts inside the exact sliding window — key-based networks through per-key windows,
 * co-similar text through LSH bucket-mates verified by exact Jaccard. `pairsFromFeatures` works
 * on one time segment (stream.ts feeds it segment after segment); `collectPairs` is the
 * whole-corpus-in-memory path, kept as the test oracle of the streaming one.
 */
import { jaccardRange } from './shingle.ts';
import { lshCandidates } from './lsh.ts';
import { scratchFor, windowPairs } from './window.ts';
import { PairStore } from './networks.ts';
import { TYPE_INDEX, type FeatureBatch } from './features.ts';
import { featuresOf } from './feature-pool.ts';
import type { PostBatch } from './read.ts';
import type { CoordinationOptions } from './options.ts';

export interface PairCollection {
  pairs: PairStore;
  /** Pairs found, when `pairs` holds only those of groups heavy enough to be edges (after a spill). */
  pairTotal?: number;
  posts: number;
  /** LSH candidates compared by exact Jaccard, and how many passed. */
  candidates: number;
  verified: number;
  /** Seconds spent reading and computing features, and pairing in windows. */
  featureSeconds: number;
  windowSeconds: number;
}

/** All posts' features in one set of arrays. */
export interface AllFeatures {
  n: number;
  id: Float64Array;
  account: Int32Array;
  time: Float64Array;
  usable: Uint8Array;
  keys: Uint32Array;
  offsets: Float64Array;
  pool: Uint32Array;
  /** Post i's key events are ev*[evStart[i] .. evStart[i+1]). */
  evStart: Int32Array;
  evType: Uint8Array;
  evKey: Float64Array;
}

type ArrayKind<T> = { new (buffer: ArrayBuffer, offset: number, length: number): T; BYTES_PER_ELEMENT: number };

/**
 * Memory that one thread's merges reuse, segment after segment: fresh arrays of a segment's size
 * cost a page fault per 4 kB at first touch, which was a quarter of the window phase.
 */
export class FeatureArena {
  private buffers = new Map<string, ArrayBuffer>();

  /** An array of `length` over this arena's buffer `name` (its old contents are garbage). */
  take<T>(name: string, Kind: ArrayKind<T>, length: number): T {
    const bytes = length * Kind.BYTES_PER_ELEMENT;
    let b = this.buffers.get(name);
    if (!b || b.byteLength < bytes) this.buffers.set(name, (b = new ArrayBuffer(Math.ceil((bytes * 1.25) / 8) * 8)));
    return new Kind(b, 0, length);
  }
}

/**
 * Concatenates feature batches (in read order), emptying `parts` as it goes to bound peak memory.
 * With an arena the result lives in it, until the arena's next merge.
 */
export function mergeFeatures(parts: FeatureBatch[], bands: number, arena?: FeatureArena): AllFeatures {
  const n = parts.reduce((s, p) => s + p.n, 0);
  const poolLen = parts.reduce((s, p) => s + p.pool.length, 0);
  const evLen = parts.reduce((s, p) => s + p.evKey.length, 0);
  const array = <T>(name: string, Kind: ArrayKind<T> & (new (length: number) => T), length: number): T =>
    arena ? arena.take(name, Kind, length) : new Kind(length);
  const all: AllFeatures = {
    n,
    id: array('id', Float64Array, n),
    account: array('account', Int32Array, n),
    time: array('time', Float64Array, n),
    usable: array('usable', Uint8Array, n),
    keys: array('keys', Uint32Array, parts.some((p) => p.keys.length) ? n * bands : 0),
    offsets: array('offsets', Float64Array, n + 1),
    pool: array('pool', Uint32Array, poolLen),
    evStart: array('evStart', Int32Array, n + 1),
    evType: array('evType', Uint8Array, evLen),
    evKey: array('evKey', Float64Array, evLen),
  };
  all.offsets[0] = 0;
  let at = 0;
  let poolAt = 0;
  let evAt = 0;
  for (let pi = 0; pi < parts.length; pi++) {
    const p = parts[pi];
    // Let the batch's arrays be collected once copied.
    (parts as Array<FeatureBatch | undefined>)[pi] = undefined;
    all.id.set(p.id, at);
    all.account.set(p.account, at);
    all.time.set(p.time, at);
    all.usable.set(p.usable, at);
    if (p.keys.length) all.keys.set(p.keys, at * bands);
    else if (all.keys.length) all.keys.fill(0, at * bands, (at + p.n) * bands);
    all.pool.set(p.pool, poolAt);
    for (let i = 0; i < p.n; i++) all.offsets[at + i + 1] = poolAt + p.offsets[i + 1];
    all.evType.set(p.evType, evAt);
    all.evKey.set(p.evKey, evAt);
    // evPost is grouped by post in order: turn it into per-post start offsets.
    let e = 0;
    for (let i = 0; i < p.n; i++) {
      all.evStart[at + i] = evAt + e;
      while (e < p.evPost.length && p.evPost[e] === i) e++;
    }
    at += p.n;
    poolAt += p.pool.length;
    evAt += p.evKey.length;
  }
  all.evStart[n] = evAt;
  return all;
}

/** Post indices sorted by time (ties by store id, so runs are deterministic). */
export function timeOrder(f: AllFeatures): Int32Array {
  const order = new Int32Array(f.n);
  for (let i = 0; i < f.n; i++) order[i] = i;
  const { time, id } = f;
  order.sort((a, b) => time[a] - time[b] || id[a] - id[b]);
  return order;
}

/** Runs every selected network over the batches and returns the coordinated post pairs. */
export async function collectPairs(
  batches: AsyncIterable<PostBatch>,
  opts: CoordinationOptions,
  onBatch?: (posts: number) => void,
  workers = 0,
): Promise<PairCollection> {
  const t0 = performance.now();
  const parts = await featuresOf(batches, opts, workers, onBatch);
  const all = mergeFeatures(parts, opts.bands);
  parts.length = 0;
  const t1 = performance.now();
  const res = pairsFromFeatures(all, opts);
  return { ...res, featureSeconds: (t1 - t0) / 1000, windowSeconds: (performance.now() - t1) / 1000 };
}

/**
 * The window phase: pairs from these posts' features, added to `pairs`. Posts [0, context) are
 * the previous segment's last window (all earlier in time than the rest): they pair with later
 * posts but are never the later post themselves.
 */
export function pairsFromFeatures(
  f: AllFeatures,
  opts: CoordinationOptions,
  pairs = new PairStore(),
  context = 0,
): Omit<PairCollection, 'featureSeconds' | 'windowSeconds'> {
  const W = opts.windowSeconds * 1000;
  const order = timeOrder(f);
  let candidates = 0;
  let verified = 0;
  if (opts.types.includes('similar')) {
    let m = 0;
    for (let x = 0; x < order.length; x++) if (f.usable[order[x]]) m++;
    const usableOrder = new Int32Array(m);
    m = 0;
    for (let x = 0; x < order.length; x++) if (f.usable[order[x]]) usableOrder[m++] = order[x];
    let usableContext = 0;
    for (let i = 0; i < context; i++) usableContext += f.usable[i];
    const sim = TYPE_INDEX.similar;
    candidates = lshCandidates(usableOrder, f.time, f.account, f.keys, { bands: opts.bands, windowMs: W, maxBucket: opts.maxBucket }, (i, j) => {
      if (jaccardRange(f.pool, f.offsets[i], f.offsets[i + 1], f.offsets[j], f.offsets[j + 1]) >= opts.similarity) {
        verified++;
        pairs.add(sim, f.id[i], f.account[i], f.time[i], f.id[j], f.account[j], f.time[j]);
      }
    }, usableContext);
  }
  // Key-based networks: the key events in time order, grouped by (type, key) the same way.
  const evCount = f.evStart[f.n];
  if (evCount > 0) {
    const evOrder = new Int32Array(evCount);
    const evPostOf = new Int32Array(evCount);
    let k = 0;
    for (let x = 0; x < order.length; x++) {
      const i = order[x];
      for (let e = f.evStart[i]; e < f.evStart[i + 1]; e++) {
        evOrder[k++] = e;
        evPostOf[e] = i;
      }
    }
    const evTime = new Float64Array(evCount);
    const evAccount = new Int32Array(evCount);
    for (let e = 0; e < evCount; e++) {
      evTime[e] = f.time[evPostOf[e]];
      evAccount[e] = f.account[evPostOf[e]];
    }
    // The 32-bit bucket key mixes type and key; equality of both is checked for each pair.
    const bucket = (e: number) => ((f.evKey[e] % 4294967296) ^ Math.imul(f.evType[e] + 1, 0x9e3779b1)) >>> 0;
    windowPairs(evOrder, bucket, evTime, evAccount, W, opts.maxBucket, scratchFor(evCount), (a, b) => {
      if (f.evKey[a] !== f.evKey[b] || f.evType[a] !== f.evType[b]) return;
      const i = evPostOf[a];
      const j = evPostOf[b];
      pairs.add(f.evType[a], f.id[i], f.account[i], f.time[i], f.id[j], f.account[j], f.time[j]);
    }, f.evStart[context]);
  }
  return { pairs, posts: f.n - context, candidates, verified };
}
