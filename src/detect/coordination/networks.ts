/**
 * Coordination networks: every coordinated post pair becomes evidence on an account-pair edge
 * of its type. Pairs are kept in growable typed arrays (millions cost tens of MB); edges are
 * built once at the end. Edge weight = number of distinct post pairs (coordinated events).
 */

export const EDGE_TYPES = ['similar', 'exact', 'repost', 'link', 'reply', 'hashtags'] as const;
export type EdgeType = (typeof EDGE_TYPES)[number];

/** QUT coordination-network-toolkit names for the same networks, used in exported edge_type. */
export const QUT_EDGE_TYPE: Record<EdgeType, string> = {
  similar: 'co_similar_tweet',
  exact: 'co_tweet',
  repost: 'co_retweet',
  link: 'co_link',
  reply: 'co_reply',
  hashtags: 'co_hashtag_sequence',
};

/** Pairs as plain columns of equal length. */
export interface PairColumns {
  type: Uint8Array;
  accA: Int32Array;
  accB: Int32Array;
  postA: Float64Array;
  postB: Float64Array;
  timeA: Float64Array;
  timeB: Float64Array;
}

/** Growable columnar store of coordinated post pairs. */
export class PairStore {
  length = 0;
  type = new Uint8Array(1024);
  accA = new Int32Array(1024);
  accB = new Int32Array(1024);
  postA = new Float64Array(1024);
  postB = new Float64Array(1024);
  timeA = new Float64Array(1024);
  timeB = new Float64Array(1024);

  /** Records one pair; accounts are ordered so (a, b) and (b, a) land on the same edge. */
  add(type: number, postA: number, accA: number, tA: number, postB: number, accB: number, tB: number): void {
    if (this.length === this.type.length) this.grow();
    const i = this.length++;
    const swap = accA > accB;
    this.type[i] = type;
    this.accA[i] = swap ? accB : accA;
    this.accB[i] = swap ? accA : accB;
    this.postA[i] = swap ? postB : postA;
    this.postB[i] = swap ? postA : postB;
    this.timeA[i] = swap ? tB : tA;
    this.timeB[i] = swap ? tA : tB;
  }

  /** The pairs as exact-length column copies (to send between threads). */
  columns(): PairColumns {
    const n = this.length;
    return { type: this.type.slice(0, n), accA: this.accA.slice(0, n), accB: this.accB.slice(0, n), postA: this.postA.slice(0, n),
      postB: this.postB.slice(0, n), timeA: this.timeA.slice(0, n), timeB: this.timeB.slice(0, n) };
  }

  /** Appends pairs given as columns (already account-ordered, as `columns()` gives them). */
  append(c: PairColumns): void {
    const n = c.type.length;
    while (this.length + n > this.type.length) this.grow();
    const at = this.length;
    this.type.set(c.type, at);
    this.accA.set(c.accA, at);
    this.accB.set(c.accB, at);
    this.postA.set(c.postA, at);
    this.postB.set(c.postB, at);
    this.timeA.set(c.timeA, at);
    this.timeB.set(c.timeB, at);
    this.length += n;
  }

  private grow(): void {
    const n = this.type.length * 2;
    const g = <T extends Uint8Array | Int32Array | Float64Array>(a: T, C: new (n: number) => T): T => {
      const b = new C(n);
      b.set(a);
      return b;
    };
    this.type = g(this.type, Uint8Array);
    this.accA = g(this.accA, Int32Array);
    this.accB = g(this.accB, Int32Array);
    this.postA = g(this.postA, Float64Array);
    this.postB = g(this.postB, Float64Array);
    this.timeA = g(this.timeA, Float64Array);
    this.timeB = g(this.timeB, Float64Array);
  }
}

/** One account-pair edge of one type, with the post pairs that prove it. */
export interface Edge {
  a: number;
  b: number;
  type: EdgeType;
  weight: number;
  /** Indices into the PairStore, one per distinct post pair. */
  pairs: number[];
}

export interface NetworkOptions {
  minWeight: number;
  /** An account needs at least this many distinct posts in surviving edges. */
  minParticipation: number;
}

/**
 * Groups pairs into edges, drops light edges and accounts that barely take part. Pairs are
 * grouped by sorting an index array (no per-pair strings or sets), so ten million pairs, most
 * of them one-off organic coincidences, stay cheap.
 */
export function buildEdges(pairs: PairStore, opts: NetworkOptions): Edge[] {
  const { type, accA, accB, postA, postB } = pairs;
  const idx = new Int32Array(pairs.length);
  for (let i = 0; i < idx.length; i++) idx[i] = i;
  idx.sort((x, y) => type[x] - type[y] || accA[x] - accA[y] || accB[x] - accB[y] || postA[x] - postA[y] || postB[x] - postB[y]);
  let edges: Edge[] = [];
  let s = 0;
  while (s < idx.length) {
    const first = idx[s];
    let e = s + 1;
    while (e < idx.length && type[idx[e]] === type[first] && accA[idx[e]] === accA[first] && accB[idx[e]] === accB[first]) e++;
    // Distinct post pairs only (a pair of posts sharing two URLs is one event).
    const list: number[] = [];
    for (let k = s; k < e; k++) {
      const i = idx[k];
      const prev = list.length ? list[list.length - 1] : -1;
      if (prev >= 0 && postA[prev] === postA[i] && postB[prev] === postB[i]) continue;
      list.push(i);
    }
    if (list.length >= opts.minWeight) edges.push({ a: accA[first], b: accB[first], type: EDGE_TYPES[type[first]], weight: list.length, pairs: list });
    s = e;
  }
  // Participation can only fall as edges go, so repeat until stable.
  for (;;) {
    const posts = new Map<number, Set<number>>();
    const note = (acc: number, post: number) => {
      let set = posts.get(acc);
      if (!set) posts.set(acc, (set = new Set()));
      set.add(post);
    };
    for (const e of edges) {
      for (const i of e.pairs) {
        note(e.a, postA[i]);
        note(e.b, postB[i]);
      }
    }
    const keep = edges.filter((e) => (posts.get(e.a)?.size ?? 0) >= opts.minParticipation && (posts.get(e.b)?.size ?? 0) >= opts.minParticipation);
    if (keep.length === edges.length) return edges;
    edges = keep;
  }
}
