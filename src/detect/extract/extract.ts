/**
 * Active extraction: given an oracle and a text, find every rule the text triggers, exactly,
 * and any negation (extenuating) rule that cancels one of them.
 *
 * One rule is isolated with `isolate`. To find the others, each component of a found rule is
 * broken in the original text (a separator inserted inside every occurrence); a broken text
 * that is still censored must trigger another rule, which is isolated in turn. Texts are
 * memoised by the set of components broken, so the search ends. A text that is not censored
 * at all may still hold a rule cancelled by a negation: chunks are cut out of it until a cut
 * text is censored, its rules are isolated, and the negation is then isolated as the smallest
 * part of the text that, sent beside the rule, makes it uncensored. A censored text can hold a
 * cancelled rule too, hidden by the rules that fire: those are broken and the rest searched the
 * same way (findNegationsBeside).
 */
import type { Oracle } from './oracle.ts';
import { Decider, BudgetExceeded, type DecideOptions } from './decide.ts';
import { isolate, minimise, LengthModel } from './isolate.ts';
import { canonicalRule, ruleKey, type Rule } from './rules.ts';

export interface ExtractOptions extends DecideOptions {
  /** Look for negation rules, in an uncensored text and beside the rules of a censored one (default true). */
  negations?: boolean;
  /**
   * After each rule, check the text with every way of breaking one component of each known rule
   * (complete: finds rules sharing components too); otherwise only the shortest component of
   * each is broken (one or two queries a round). Default true.
   */
  thorough?: boolean;
  /** The caller knows the text is censored: skip the confirming query (and negation search). */
  assumeCensored?: boolean;
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
    if (opts.assumeCensored || (await pred([text]))) {
      await findAll(d, text, known, result, opts.firstOnly ?? false, opts.thorough ?? true, lengths);
      if ((opts.negations ?? true) && !opts.assumeCensored && !opts.firstOnly) await findNegationsBeside(d, text, known, result, lengths);
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

/**
 * Sets of components that break every known rule (one component of each, reusing a component
 * that already breaks a rule). Any other rule that does not contain a whole known rule avoids
 * at least one such set, so checking them all finds it (thorough). The quick choice breaks only
 * each rule's shortest component: in published lists the long components are the shared topic
 * words (names, places) and the short ones the variations, so siblings sharing a topic survive.
 */
export function hittingSets(rules: Rule[], thorough: boolean, cap = 256): string[][] {
  const shared = new Map<string, number>();
  for (const r of rules) for (const c of r) shared.set(c, (shared.get(c) ?? 0) + 1);
  const choices = rules.map((r) => {
    const byShort = [...r].sort((a, b) => Array.from(a).length - Array.from(b).length || (shared.get(a)! - shared.get(b)!) || (a < b ? -1 : 1));
    return thorough ? byShort : byShort.slice(0, 1);
  });
  const out: string[][] = [];
  const seen = new Set<string>();
  const walk = (i: number, chosen: string[]) => {
    if (out.length >= cap) return;
    if (i === rules.length) {
      const set = canonicalRule(chosen);
      const key = JSON.stringify(set);
      if (!seen.has(key)) { seen.add(key); out.push(set); }
      return;
    }
    if (rules[i]!.some((c) => chosen.includes(c))) return walk(i + 1, chosen);
    for (const c of choices[i]!) walk(i + 1, [...chosen, c]);
  };
  walk(0, []);
  return out;
}

/** True when `set` contains every member of `sub` (both sorted). */
function covers(set: readonly string[], sub: readonly string[]): boolean {
  return sub.every((x) => set.includes(x));
}

async function findAll(d: Decider, text: string, known: Set<string>, result: ExtractResult, firstOnly: boolean, thorough: boolean, lengths: LengthModel): Promise<void> {
  const pred = (f: string[]) => d.censored(f);
  const local: Array<{ rule: Rule; minimised: boolean }> = [];
  let q0 = d.queries;
  let e0 = d.errorBound;
  const record = (rule: Rule) => {
    const components = canonicalRule(rule);
    local.push({ rule: components, minimised: false });
    const key = ruleKey(components);
    if (known.has(key)) return;
    known.add(key);
    result.details.push({ components, confidence: Math.max(0, 1 - (d.errorBound - e0)), queries: d.queries - q0 });
    q0 = d.queries;
    e0 = d.errorBound;
  };
  record(await isolate(text, pred, { lengths }));
  if (firstOnly) return;
  // Broken-component sets already seen uncensored: breaking more can only remove rules.
  const negative: string[][] = [];
  const tried = new Set<string>();
  for (;;) {
    const candidates: string[][] = [];
    if (local.length >= 2) candidates.push(canonicalRule(local.flatMap((r) => r.rule)));
    candidates.push(...hittingSets(local.map((r) => r.rule), thorough));
    let found: string | null = null;
    for (const broken of candidates) {
      const key = JSON.stringify(broken);
      if (tried.has(key) || negative.some((n) => covers(broken, n))) continue;
      tried.add(key);
      const t = breakComponents(text, broken, d.oracle.separator);
      if (local.some((r) => r.rule.every((c) => t.includes(c)))) continue;
      if (await pred([t])) { found = t; break; }
      negative.push(broken);
    }
    if (found === null) break;
    // A second rule exists, so earlier isolations may have picked up fragments of it.
    for (const r of local) {
      if (r.minimised) continue;
      r.minimised = true;
      const m = canonicalRule(await minimise(r.rule, pred));
      if (m.length !== r.rule.length) {
        const detail = result.details.find((x) => ruleKey(x.components) === ruleKey(r.rule));
        known.delete(ruleKey(r.rule));
        known.add(ruleKey(m));
        if (detail) detail.components = m;
        r.rule = m;
      }
    }
    const before = local.length;
    const rule = canonicalRule(await isolate(found, pred, { lengths }));
    if (local.some((r) => ruleKey(r.rule) === ruleKey(rule))) break; // nothing new: stop rather than loop
    record(rule);
    local[before]!.minimised = local.length > 1;
  }
  const last = result.details[result.details.length - 1];
  if (last) last.queries += d.queries - q0;
}

/** The text with code points [from, to) replaced by the separator. */
function without(cps: string[], from: number, to: number, sep: string): string {
  return [...cps.slice(0, from), sep, ...cps.slice(to)].join('');
}

async function findCancelled(d: Decider, text: string, known: Set<string>, result: ExtractResult, lengths: LengthModel): Promise<void> {
  const pred = (f: string[]) => d.censored(f);
  // A negation needs all its components, so cutting out any one of them uncensors the rule:
  // try removing each of m chunks (m = 4, 8, 16, 32) until a cut text is censored.
  const cps = Array.from(text);
  let piece: string | null = null;
  for (let m = 4; m <= 32 && !piece && m <= cps.length; m *= 2) {
    for (let i = 0; i < m && !piece; i++) {
      const from = Math.floor((i * cps.length) / m);
      const to = Math.floor(((i + 1) * cps.length) / m);
      const cut = without(cps, from, to, d.oracle.separator);
      if (await pred([cut])) piece = cut;
    }
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

/**
 * Negations in a censored text: the rules found there fire, so a rule a negation cancels stays
 * hidden. Each found rule is asked beside the text with the other found rules broken (uncensored
 * then means something in the text cancels it, isolated as in findCancelled); and the text with
 * every found rule broken, when no longer censored, is searched for cancelled rules as an
 * uncensored text is.
 */
async function findNegationsBeside(d: Decider, text: string, known: Set<string>, result: ExtractResult, lengths: LengthModel): Promise<void> {
  const pred = (f: string[]) => d.censored(f);
  const sep = d.oracle.separator;
  const cancelled = new Set(result.negations.map((n) => ruleKey(n.cancels)));
  for (const found of [...result.details]) {
    const rule = found.components;
    if (cancelled.has(ruleKey(rule))) continue;
    // Break the other rules by components that leave this one whole.
    const others = result.details.filter((x) => x !== found).map((x) => x.components.filter((c) => !rule.some((rc) => rc.includes(c) || c.includes(rc))));
    if (others.some((o) => !o.length)) continue;
    const rest = breakComponents(text, hittingSets(others, false)[0] ?? [], sep);
    if (!rule.every((c) => rest.includes(c)) || (await pred([...rule, rest]))) continue;
    const e0 = d.errorBound;
    const negPred = async (f: string[]) => !(await d.censored(f));
    const neg = await isolate(rest, negPred, { base: rule, lengths });
    result.negations.push({ components: canonicalRule(neg), cancels: rule, confidence: Math.max(0, 1 - (d.errorBound - e0)) });
    cancelled.add(ruleKey(rule));
  }
  const broken = breakComponents(text, hittingSets(result.details.map((x) => x.components), false)[0] ?? [], sep);
  if (await pred([broken])) return;
  await findCancelled(d, broken, known, result, lengths);
}
