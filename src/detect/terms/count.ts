/**
 * Counting terms over a stream of posts: a term → slot map with typed count arrays, and lossy
 * pruning (drop terms seen in at most `floor` posts, then raise the floor) whenever the map
 * grows past `maxTerms`, so a million posts of character n-grams fit in memory. Each slot also
 * keeps `delta`, the most it can have missed before it was (re)inserted (the floor at that time),
 * so posts + delta bounds the true count from above; when pruning happened, a second exact pass
 * recounts every term whose bound reaches the threshold, so no frequent term is lost.
 *
 * Posts are counted by slot ids (`ids` turns a post's terms into them once), so a caller that
 * has seen a text before can count it again without hashing a string (see cache.ts); `generation`
 * changes whenever pruning frees slots, and ids taken before then must be taken again.
 *
 * Beside the plain counts each slot accumulates the author-stratified (Cochran–Mantel–Haenszel)
 * sum: per author with several posts, the removals expected if the term made no difference
 * within that author's posts; posts with no same-author comparison (an unknown author, or an
 * author's only post) are counted apart as one shared stratum.
 */
/** The per-term sums of a finished exact count (see TermCounts.exact). */
export interface ExactSums {
  posts: Int32Array<ArrayBuffer>;
  removed: Int32Array<ArrayBuffer>;
  authors: Int32Array<ArrayBuffer>;
  loosePosts: Int32Array<ArrayBuffer>;
  looseRemoved: Int32Array<ArrayBuffer>;
  expected: Float64Array<ArrayBuffer>;
}

export class TermCounts {
  private slots = new Map<string, number>();
  posts = new Int32Array(1 << 16);
  removed = new Int32Array(1 << 16);
  delta = new Int32Array(1 << 16);
  /** Σ over authors of n1·r/n: removals expected from the authors' own rates. */
  expected = new Float64Array(1 << 16);
  /** Authors whose posts both hold and lack the term (the informative strata). */
  authors = new Int32Array(1 << 16);
  /** Posts (and removals) in the shared stratum of posts without a same-author comparison. */
  loosePosts = new Int32Array(1 << 16);
  looseRemoved = new Int32Array(1 << 16);
  /** The current author's counts per slot (valid where `stamp` is the author's number). */
  private curPosts = new Int32Array(1 << 16);
  private curRemoved = new Int32Array(1 << 16);
  private stamp = new Int32Array(1 << 16);
  private author = 0;
  private touched: number[] = [];
  private authorPosts = 0;
  private authorRemoved = 0;
  private free: number[] = [];
  private next = 0;
  /** True once any term has been pruned (counts of survivors may then be low). */
  pruned = false;
  /** Bumped by every pruning: slot ids taken before it may now name other terms. */
  generation = 0;
  private floor = 1;
  /** Largest upper bound of a term's count among evicted terms. */
  maxEvicted = 0;

  /** The fixed dictionary of an exact count (slot = dictionary id), else null. */
  private dict: readonly string[] | null = null;

  constructor(private readonly maxTerms = 2_000_000, private readonly only: Set<string> | null = null) {}

  /**
   * A finished exact count over a fixed dictionary (every term counted, nothing pruned): a
   * term's slot is its id in `terms`, and the arrays are indexed by it. Counted by held.ts.
   */
  static exact(terms: readonly string[], sums: ExactSums): TermCounts {
    const c = new TermCounts(Number.POSITIVE_INFINITY);
    c.dict = terms;
    c.next = terms.length;
    c.posts = sums.posts;
    c.removed = sums.removed;
    c.authors = sums.authors;
    c.loosePosts = sums.loosePosts;
    c.looseRemoved = sums.looseRemoved;
    c.expected = sums.expected;
    c.delta = new Int32Array(terms.length);
    return c;
  }

  /** The slot of `term`, created when missing; -1 when the term is not counted. */
  slot(t: string): number {
    if (this.dict) throw new Error('An exact count is finished: it takes no more terms.');
    if (this.only && !this.only.has(t)) return -1;
    let s = this.slots.get(t);
    if (s === undefined) {
      s = this.free.pop() ?? this.next++;
      if (s >= this.posts.length) this.grow();
      this.posts[s] = 0;
      this.removed[s] = 0;
      this.expected[s] = 0;
      this.authors[s] = 0;
      this.loosePosts[s] = 0;
      this.looseRemoved[s] = 0;
      this.stamp[s] = 0;
      this.delta[s] = this.pruned ? this.floor : 0;
      this.slots.set(t, s);
    }
    return s;
  }

  /** The slot ids of a post's distinct terms, created when missing (uncounted terms left out). */
  ids(terms: Iterable<string>): Int32Array {
    const out: number[] = [];
    for (const t of terms) {
      const s = this.slot(t);
      if (s >= 0) out.push(s);
    }
    return Int32Array.from(out);
  }

  /** Counts one post with no same-author comparison (its distinct terms). */
  add(terms: Iterable<string>, removed: boolean): void {
    this.addIds(this.ids(terms), removed);
  }

  /** Counts one post with no same-author comparison, by the slot ids of its distinct terms. */
  addIds(ids: Int32Array, removed: boolean): void {
    for (let i = 0; i < ids.length; i++) {
      const s = ids[i]!;
      this.posts[s]!++;
      this.loosePosts[s]!++;
      if (removed) {
        this.removed[s]!++;
        this.looseRemoved[s]!++;
      }
    }
    if (this.slots.size > this.maxTerms) this.prune();
  }

  /**
   * Counts one post of the current author (posts of one author come one after another; `endAuthor`
   * closes them). Nothing is pruned before the author ends, so the slots stay valid.
   */
  addAuthorPost(terms: Iterable<string>, removed: boolean): void {
    this.addAuthorPostIds(this.ids(terms), removed);
  }

  /** `addAuthorPost` by the slot ids of the post's distinct terms. */
  addAuthorPostIds(ids: Int32Array, removed: boolean): void {
    if (this.authorPosts === 0) this.author++;
    this.authorPosts++;
    if (removed) this.authorRemoved++;
    for (let i = 0; i < ids.length; i++) {
      const s = ids[i]!;
      if (this.stamp[s] !== this.author) {
        this.stamp[s] = this.author;
        this.curPosts[s] = 0;
        this.curRemoved[s] = 0;
        this.touched.push(s);
      }
      this.curPosts[s]!++;
      if (removed) this.curRemoved[s]!++;
    }
  }

  /**
   * Closes the current author: with several posts, each term they hold adds n1·r/n expected
   * removals (n1 of the author's n posts hold it, r were removed); an author's only post goes to
   * the shared stratum. Returns the author's post count.
   */
  endAuthor(): number {
    const n = this.authorPosts;
    const r = this.authorRemoved;
    for (const s of this.touched) {
      const n1 = this.curPosts[s]!;
      const x1 = this.curRemoved[s]!;
      this.posts[s]! += n1;
      this.removed[s]! += x1;
      if (n === 1) {
        this.loosePosts[s]! += n1;
        this.looseRemoved[s]! += x1;
      } else {
        this.expected[s]! += (n1 * r) / n;
        if (n1 < n) this.authors[s]!++;
      }
    }
    this.touched = [];
    this.authorPosts = 0;
    this.authorRemoved = 0;
    if (this.slots.size > this.maxTerms) this.prune();
    return n;
  }

  private grow(length = this.posts.length * 2): void {
    const widen = <T extends Int32Array | Float64Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(length);
      b.set(a);
      return b;
    };
    this.posts = widen(this.posts);
    this.removed = widen(this.removed);
    this.delta = widen(this.delta);
    this.expected = widen(this.expected);
    this.authors = widen(this.authors);
    this.loosePosts = widen(this.loosePosts);
    this.looseRemoved = widen(this.looseRemoved);
    this.curPosts = widen(this.curPosts);
    this.curRemoved = widen(this.curRemoved);
    this.stamp = widen(this.stamp);
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
      this.generation++;
      if (this.slots.size <= this.maxTerms * 0.7) break;
      this.floor *= 2;
    }
    this.floor++;
  }

  /** Every term with its slot (read the counts from the public arrays). */
  *entries(): Generator<[string, number]> {
    if (this.dict) {
      for (let d = 0; d < this.dict.length; d++) yield [this.dict[d]!, d];
      return;
    }
    yield* this.slots;
  }

  get size(): number {
    return this.dict ? this.dict.length : this.slots.size;
  }
}
