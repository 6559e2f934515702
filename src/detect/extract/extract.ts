/**
 * Active extraction: given an oracle and a text, find every rule the text triggers, exactly,
 * and any negation (extenuating) rule that cancels one of them.
 *
 * One rule is isolated with `isolate`. To find the others, each component of a found rule is
 * broken in the original text (a separator inserted inside every occurrence); a broken text
 * that is still censored must trigger another rule, which is isolated in turn. Texts are
 * memoised by the set of components broken, so the search ends. A text that is not censored
 * at all may still hold a rule cancelled by a negation: smaller overlapping pieces are tried
 * until one is censored, its rules are isolated, and the negation is then isolated as the
 * smallest part of the text that, sent beside the rule, makes it uncensored.
 */
import type { Oracle } from './oracle.ts';
import { Decider, BudgetExceeded, type DecideOptions } from './decide.ts';
import { isolate, minimise, LengthModel } from './isolate.ts';
import { canonicalRule, ruleKey, type Rule } from './rules.ts';

export interface ExtractOptions extends DecideOptions {
  /** Look for negation rules when the text is not censored (default true). */
  negations?: boolean;
  /** Try breaking each component of a found rule even when breaking them all leaves nothing censored. */
  thorough?: boolean;
  /** Only isolate the first rule (the behaviour of earlier methods). */
  firstOnly?: boolean;
  /** Component-length model; pass the same one to successive extractions to learn from them. */
  lengths?: LengthModel;
}

export interface FoundRule {
  components: Rule;
  /** 1 minus the bound on the chance that a decision behind this rule was wrong. */
  confidence: number;
  /** Oracle queries spent on this rule (isolation, minimisation, breaking checks). */
  queries: number;
}

export interface FoundNegation {
  components: Rule;
  /** The rule it was observed to cancel. */
  cancels: Rule;
  confidence: number;
}

export interface ExtractResult {
  rules: Rule[];
  queries: number;
  details: FoundRule[];
  negations: FoundNegation[];
  /** False when the text was not censored and no cancelled rule was found. */
  censored: boolean;
  /** True when the query budget ran out before the search finished. */
  truncated: boolean;
}

/** Breaks every occurrence of each component in `text` without touching the rest. */
export function breakComponents(text: string, components: readonly string[], sep: string): string {
  let out = text;
  for (const c of components) {
    const cps = Array.from(c);
    if (!cps.length) continue;
    const replacement = cps.length === 1 ? sep : `${cps[0]}${sep}${cps.slice(1).join('')}`;
    out = out.split(c).join(replacement);
  }
  return out;
}

/** Finds every rule `text` triggers (and negations cancelling rules in it) by asking `oracle`. */
export async function extractRules(oracle: Oracle, text: string, opts: ExtractOptions = {}): Promise<ExtractResult> {
  const d = new Decider(oracle, opts);
  const pred = (f: string[]) => d.censored(f);
  const result: ExtractResult = { rules: [], queries: 0, details: [], negations: [], censored: true, truncated: false };
  const known = new Set<string>();
  const lengths = opts.lengths ?? new LengthModel();
  try {
    // Asked outright: with negation rules a part of the text can be censored while the whole is not.
    if (await pred([text])) {
      await findAll(d, text, known, result, opts.firstOnly ?? false, opts.thorough ?? true, lengths);
    } else {
      result.censored = false;
      if (opts.negations ?? true) await findCancelled(d, text, known, result, lengths);
    }
  } catch (err) {
    if (!(err instanceof BudgetExceeded)) throw err;
    result.truncated = true;
  }
  result.rules = result.details.map((r) => r.components);
  result.queries = d.queries;
  return result;
}

async function findAll(d: Decider, text: string, known: Set<string>, result: ExtractResult, firstOnly: boolean, thorough: boolean, lengths: LengthModel): Promise<void> {
  const pred = (f: string[]) => d.censored(f);
  const visited = new Set<string>(['[]']);
  const queue: Array<{ text: string; broken: string[] }> = [{ text, broken: [] }];
  while (queue.length) {
    const item = queue.shift()!;
    // A rule already known that is still whole in this text needs no new isolation.
    const whole = result.details.find((r) => r.components.every((c) => item.text.includes(c)));
    if (whole) {
      for (const c of whole.components) {
        const broken = canonicalRule([...item.broken, c]);
        const key = JSON.stringify(broken);
        if (visited.has(key)) continue;
        visited.add(key);
        const t = breakComponents(text, broken, d.oracle.separator);
        if (await pred([t])) queue.push({ text: t, broken });
      }
      continue;
    }
    const q0 = d.queries;
    const e0 = d.errorBound;
    let rule = await isolate(item.text, pred, { lengths });
    const children: Array<{ text: string; broken: string[] }> = [];
    let anotherRule = false;
    if (!firstOnly) {
      // One query breaking the whole rule settles the common case (no other rule left); only
      // when something is still censored, or in thorough mode, is each component tried alone,
      // which also finds rules that share a component with this one.
      const all = canonicalRule([...item.broken, ...rule]);
      const allText = breakComponents(text, all, d.oracle.separator);
      const rest = thorough || (await pred([allText]));
      for (const c of rest ? canonicalRule(rule) : []) {
        const broken = canonicalRule([...item.broken, c]);
        const key = JSON.stringify(broken);
        if (visited.has(key)) continue;
        visited.add(key);
        const t = breakComponents(text, broken, d.oracle.separator);
        if (await pred([t])) {
          anotherRule = true;
          children.push({ text: t, broken });
        }
      }
    }
    // Extra fragments can only be picked up when a second rule is present in the text.
    if (anotherRule) rule = await minimise(rule, pred);
    const components = canonicalRule(rule);
    const key = ruleKey(components);
    if (!known.has(key)) {
      known.add(key);
      result.details.push({ components, confidence: Math.max(0, 1 - (d.errorBound - e0)), queries: d.queries - q0 });
    } else if (result.details.length) {
      result.details[result.details.length - 1]!.queries += d.queries - q0;
    }
    if (firstOnly) return;
    queue.push(...children);
  }
}

/** Splits `text` into two halves that overlap enough to keep any short component whole. */
function halves(text: string): string[] {
  const cps = Array.from(text);
  if (cps.length < 8) return [];
  const mid = cps.length >> 1;
  const overlap = Math.min(24, cps.length >> 2);
  return [cps.slice(0, mid + overlap).join(''), cps.slice(mid - overlap).join('')];
}

async function findCancelled(d: Decider, text: string, known: Set<string>, result: ExtractResult, lengths: LengthModel): Promise<void> {
  const pred = (f: string[]) => d.censored(f);
  // Breadth-first over ever smaller pieces, until one is censored on its own.
  let level = [text];
  let piece: string | null = null;
  for (let depth = 0; depth < 5 && !piece && level.length; depth++) {
    const next: string[] = [];
    for (const p of level) {
      for (const h of halves(p)) {
        if (await pred([h])) { piece = h; break; }
        next.push(h);
      }
      if (piece) break;
    }
    level = next;
  }
  if (!piece) return;
  result.censored = true;
  const before = result.details.length;
  await findAll(d, piece, known, result, false, true, lengths);
  for (const found of result.details.slice(before)) {
    const rule = found.components;
    if (await pred([...rule, text])) continue;
    const e0 = d.errorBound;
    // Monotone: more of the text can only add negations (and the rule is always present).
    const negPred = async (f: string[]) => !(await d.censored(f));
    const neg = await isolate(text, negPred, { base: rule, lengths });
    result.negations.push({ components: canonicalRule(neg), cancels: rule, confidence: Math.max(0, 1 - (d.errorBound - e0)) });
  }
}
