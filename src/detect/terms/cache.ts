/**
 * The slot ids of texts already tokenised. Posts repeat (reposts, copied messages, templates,
 * the same review posted again), and tokenising — jieba above all — is most of a term count's
 * time, so a text seen before is counted from its ids without being cut again. The cache holds
 * at most `budget` ids in all; when full it starts over, which keeps the texts that repeat
 * soon after one another (reposts come in bursts) at a bounded cost in memory.
 */
export class TextTermCache {
  private readonly map = new Map<string, Int32Array>();
  private held = 0;
  /** The counter generation the held ids belong to (see TermCounts.generation). */
  private generation = 0;
  /** How many times the cache started over (budget reached or slots freed). */
  restarts = 0;

  constructor(private readonly budget = 12_000_000) {}


  /** The ids of `text` under counter generation `generation`, when held. */
  get(text: string, generation: number): Int32Array | undefined {
    if (generation !== this.generation) {
      // Pruning freed slots: held ids may name other terms now.
      this.clear();
      this.generation = generation;
    }
    return this.map.get(text);
  }

  /** Keeps the ids of `text` (taken under the generation last passed to `get`). */
  set(text: string, ids: Int32Array): void {
    if (ids.length > this.budget) {
      this.restarts++; // not held: whoever relies on the cache holding every text must know
      return;
    }
    if (this.held + ids.length > this.budget) this.clear();
    this.map.set(text, ids);
    this.held += ids.length;
  }

  /** Drops every held text. */
  clear(): void {
    if (this.map.size) this.restarts++;
    this.map.clear();
    this.held = 0;
  }

  get size(): number {
    return this.map.size;
  }
}
