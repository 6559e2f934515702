/**
 * Counting terms over a stream of posts: a term → slot map with typed count arrays, and lossy
 * pruning (drop terms seen in at most `floor` posts, then raise the floor) whenever the map
 * grows past `maxTerms`, so a million posts of character n-grams fit in memory. Each slot also
 * keeps `delta`, the most it can have missed before it was (re)inserted (the floor at that time),
 * so posts + delta bounds the true count from above; when pruning happened, a second exact pass
 * recounts every term whose bound reaches the threshold, so no frequent term is lost.
 */
export class TermCounts {
  private slots = new Map<string, number>();
  posts = new Int32Array(1 << 16);
  removed = new Int32Array(1 << 16);
  delta = new Int32Array(1 << 16);
  private free: number[] = [];
  private next = 0;
  /** True once any term has been pruned (counts of survivors may then be low). */
  pruned = false;
  private floor = 1;
  /** Largest upper bound of a term's count among evicted terms. */
  maxEvicted = 0;

  constructor(private readonly maxTerms = 2_000_000, private readonly only: Set<string> | null = null) {}

  /** Counts one post's distinct terms. */
  add(terms: Iterable<string>, removed: boolean): void {
    for (const t of terms) {
      if (this.only && !this.only.has(t)) continue;
      let s = this.slots.get(t);
      if (s === undefined) {
        s = this.free.pop() ?? this.next++;
        if (s >= this.posts.length) this.grow();
        this.posts[s] = 0;
        this.removed[s] = 0;
        this.delta[s] = this.pruned ? this.floor : 0;
        this.slots.set(t, s);
      }
      this.posts[s]!++;
      if (removed) this.removed[s]!++;
    }
    if (this.slots.size > this.maxTerms) this.prune();
  }

  private grow(): void {
    const p = new Int32Array(this.posts.length * 2);
    p.set(this.posts);
    this.posts = p;
    const r = new Int32Array(this.removed.length * 2);
    r.set(this.removed);
    this.removed = r;
    const d = new Int32Array(this.delta.length * 2);
    d.set(this.delta);
    this.delta = d;
  }

  private prune(): void {
    for (;;) {
      for (const [t, s] of this.slots) {
        const bound = this.posts[s]! + this.delta[s]!;
        if (bound <= this.floor) {
          if (bound > this.maxEvicted) this.maxEvicted = bound;
          this.slots.delete(t);
          this.free.push(s);
        }
      }
      this.pruned = true;
      if (this.slots.size <= this.maxTerms * 0.7) break;
      this.floor *= 2;
    }
    this.floor++;
  }

  /** Every term with its counts and the upper bound of what pruning may have missed. */
  *entries(): Generator<[string, number, number, number]> {
    for (const [t, s] of this.slots) yield [t, this.posts[s]!, this.removed[s]!, this.delta[s]!];
  }

  get size(): number {
    return this.slots.size;
  }
}
