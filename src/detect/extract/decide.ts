/**
 * Turns an oracle's answers into decisions with a known error. Filters such as the Great
 * Firewall's HTTP keyword filter miss (fire only ~75% of the time) but do not fire on innocent
 * text, so a "censored" answer is taken at once while an "uncensored" answer is repeated until
 * the chance that every repetition was a miss falls below `alpha`. The union of those chances
 * bounds the error of everything decided, which is reported as the confidence.
 */
import type { Oracle } from './oracle.ts';

export interface DecideOptions {
  /** Probability that the oracle reports a censored text as censored (default 1: noise-free). */
  reliability?: number;
  /** Accepted chance that one "uncensored" decision is wrong (default 0.001). */
  alpha?: number;
  /** Stop asking after this many oracle queries (default 100,000). */
  maxQueries?: number;
}

/** Thrown when the query budget runs out. */
export class BudgetExceeded extends Error {}

export class Decider {
  /** Sum of the per-decision error bounds since the last reset. */
  errorBound = 0;
  /** Oracle queries this decider has issued. */
  queries = 0;
  private readonly repeats: number;
  private readonly missChance: number;
  private readonly cache = new Map<string, boolean>();
  private readonly maxQueries: number;

  constructor(readonly oracle: Oracle, opts: DecideOptions = {}) {
    const r = Math.min(1, Math.max(0.01, opts.reliability ?? 1));
    const alpha = opts.alpha ?? 1e-3;
    this.missChance = 1 - r;
    this.repeats = r >= 1 ? 1 : Math.max(1, Math.ceil(Math.log(alpha) / Math.log(1 - r)));
    this.maxQueries = opts.maxQueries ?? 100_000;
  }

  /** Joins fragments so that no component can match across two of them. */
  join(fragments: readonly string[]): string {
    return fragments.join(this.oracle.separator);
  }

  /** Decides whether the fragments, sent together as one text, are censored. */
  async censored(fragments: readonly string[]): Promise<boolean> {
    const text = this.join(fragments);
    const known = this.cache.get(text);
    if (known !== undefined) return known;
    for (let i = 0; i < this.repeats; i++) {
      if (this.queries >= this.maxQueries) throw new BudgetExceeded(`query budget of ${this.maxQueries} exhausted`);
      this.queries++;
      if (await this.oracle.isCensored(text)) {
        this.cache.set(text, true);
        return true;
      }
    }
    if (this.missChance > 0) this.errorBound += this.missChance ** this.repeats;
    this.cache.set(text, false);
    return false;
  }
}
