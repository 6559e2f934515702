/**
 * Exact sliding-window join on a key (repost target, reply target, normalised URL, exact text,
 * hashtag sequence). Posts arrive in time order; each key keeps the posts of the last window,
 * and a new post pairs with every one of them from another account. Keys not seen for a
 * window are swept so memory follows the window, not the data set.
 */

interface Slot {
  time: number[];
  post: number[];
  account: number[];
  head: number;
}

export type PairSink = (postA: number, accA: number, tA: number, postB: number, accB: number, tB: number) => void;

/** One key-based coordination type's window. */
export class KeyedWindow<K extends string | number> {
  private readonly slots = new Map<K, Slot>();
  private lastSweep = -Infinity;

  constructor(private readonly windowMs: number, private readonly maxBucket: number, private readonly sink: PairSink) {}

  /** Adds a post under `key` and reports its in-window pairs. Posts must come in time order. */
  add(key: K, post: number, account: number, time: number): void {
    let s = this.slots.get(key);
    if (!s) {
      s = { time: [], post: [], account: [], head: 0 };
      this.slots.set(key, s);
    }
    const from = time - this.windowMs;
    while (s.head < s.time.length && s.time[s.head] < from) s.head++;
    if (s.head > 64 && s.head * 2 > s.time.length) {
      s.time = s.time.slice(s.head);
      s.post = s.post.slice(s.head);
      s.account = s.account.slice(s.head);
      s.head = 0;
    }
    const stop = Math.max(s.head, s.time.length - this.maxBucket);
    for (let i = s.time.length - 1; i >= stop; i--) {
      if (s.account[i] !== account) this.sink(s.post[i], s.account[i], s.time[i], post, account, time);
    }
    s.time.push(time);
    s.post.push(post);
    s.account.push(account);
    if (time - this.lastSweep > this.windowMs) this.sweep(time);
  }

  /** Drops keys whose newest post is older than the window. */
  sweep(now: number): void {
    this.lastSweep = now;
    const from = now - this.windowMs;
    for (const [k, s] of this.slots) if (s.time[s.time.length - 1] < from) this.slots.delete(k);
  }

  /** Keys currently held (for tests and memory checks). */
  get size(): number {
    return this.slots.size;
  }
}
