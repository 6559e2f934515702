/**
 * An oracle answers one question: is this text censored? Extraction only ever talks to one.
 * Queries are counted here so every algorithm is measured the same way.
 */
import { mulberry32 as rng } from '../../util/random.ts';
import { AhoCorasick } from './aho.ts';
import { ruleKey, type RuleSet } from './rules.ts';

export interface Oracle {
  /** True when the platform censors `text`. */
  isCensored(text: string): Promise<boolean>;
  /** Queries asked so far. */
  readonly queries: number;
  /**
   * Text that joins separately tested fragments without creating matches across them (a
   * character no component contains).
   */
  readonly separator: string;
}

export interface SimulatedOptions {
  /** Probability that a censored text is reported censored (the GFW fires ~75%); default 1. */
  reliability?: number;
  /** Seed for the misses, so runs are reproducible. */
  seed?: number;
  separator?: string;
}


/** The ground truth of a rule set: censored iff some rule is complete and no negation cancels it. */
export class RuleFilter {
  private readonly ac: AhoCorasick;
  private readonly ruleComps: number[][];
  private readonly negComps: number[][];
  /** For each rule, the negations that cancel it (global ones included). */
  private readonly cancelledBy: number[][];

  constructor(readonly set: RuleSet) {
    const ids = new Map<string, number>();
    const id = (c: string) => {
      let v = ids.get(c);
      if (v === undefined) { v = ids.size; ids.set(c, v); }
      return v;
    };
    this.ruleComps = set.rules.map((r) => r.map(id));
    this.negComps = set.negations.map((n) => n.components.map(id));
    const byKey = new Map<string, number>();
    set.rules.forEach((r, i) => byKey.set(ruleKey(r), i));
    this.cancelledBy = set.rules.map(() => []);
    set.negations.forEach((n, ni) => {
      if (n.cancels === null) this.cancelledBy.forEach((l) => l.push(ni));
      else {
        const ri = byKey.get(ruleKey(n.cancels));
        if (ri !== undefined) this.cancelledBy[ri]!.push(ni);
      }
    });
    this.ac = new AhoCorasick([...ids.keys()]);
  }

  /** Indexes of the rules that fire on `text` (complete and not cancelled). */
  firing(text: string): number[] {
    const present = this.ac.present(text);
    const all = (comps: number[]) => comps.every((c) => present.has(c));
    const out: number[] = [];
    this.ruleComps.forEach((comps, i) => {
      if (!all(comps)) return;
      if (this.cancelledBy[i]!.some((ni) => all(this.negComps[ni]!))) return;
      out.push(i);
    });
    return out;
  }

  /** True when the text is censored. */
  censors(text: string): boolean {
    return this.firing(text).length > 0;
  }

  /** Every distinct component (to choose a separator none of them contains). */
  components(): string[] {
    return this.ac.patterns.slice();
  }
}

/** Picks a separator character that occurs in no component. */
export function pickSeparator(components: string[]): string {
  for (const cand of ['\u0000', '\n', '|', '\u2063', '\u3000']) {
    if (!components.some((c) => c.includes(cand))) return cand;
  }
  return '\u{10FFFD}';
}

/** A simulated platform filter over a rule set, optionally unreliable. */
export class SimulatedOracle implements Oracle {
  queries = 0;
  readonly separator: string;
  private readonly random: () => number;
  private readonly reliability: number;

  constructor(readonly filter: RuleFilter, opts: SimulatedOptions = {}) {
    this.reliability = opts.reliability ?? 1;
    this.random = rng(opts.seed ?? 1);
    this.separator = opts.separator ?? pickSeparator(filter.components());
  }

  async isCensored(text: string): Promise<boolean> {
    return this.ask(text);
  }

  /** Synchronous form of isCensored (benchmarks). */
  ask(text: string): boolean {
    this.queries++;
    if (!this.filter.censors(text)) return false;
    return this.reliability >= 1 || this.random() < this.reliability;
  }
}

export { rng };
