/**
 * Keyword-rule files, as the simulated filter reads them. One rule a line; a rule's components
 * are joined by `+` (spaces around it are ignored), and fires when every component occurs in
 * the text, in any order. Escapes: `\+` a literal plus, `\\` a backslash, `\!` a leading `!`,
 * `\#` a leading `#`, `\=` an `=` (so `=>` can be written inside a component).
 *
 * Negation (extenuating) rules start with `!`: `!名+单` cancels censorship whenever all its
 * components are present; `!名+单 => 习主席+辞职+提出` cancels only that one rule (QQ Mail's
 * extenuating list works this way). Blank lines and lines starting with `#` are ignored.
 */
import { readFileSync } from 'node:fs';
import { UserError } from '../../util/errors.ts';

/** A rule: components that must all be present. */
export type Rule = string[];

export interface NegationRule {
  components: Rule;
  /** The rule it cancels, or null when it cancels every rule. */
  cancels: Rule | null;
}

export interface RuleSet {
  rules: Rule[];
  negations: NegationRule[];
}

/** Splits one rule expression on unescaped `+`, honouring escapes; returns trimmed components. */
export function parseRule(expr: string): Rule {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < expr.length; i++) {
    const ch = expr[i]!;
    if (ch === '\\' && i + 1 < expr.length) { cur += expr[++i]; continue; }
    if (ch === '+') { parts.push(cur); cur = ''; continue; }
    cur += ch;
  }
  parts.push(cur);
  const comps = parts.map((p) => p.trim()).filter((p) => p.length > 0);
  return canonicalRule(comps);
}

/** Dedupes and sorts components so equal rules compare equal. */
export function canonicalRule(components: string[]): Rule {
  return [...new Set(components)].sort();
}

/** A stable string key for a rule. */
export function ruleKey(rule: Rule): string {
  return JSON.stringify(canonicalRule(rule));
}

/** Finds an unescaped `=>` in a line (the scope separator of a negation rule). */
function splitScope(line: string): [string, string | null] {
  for (let i = 0; i < line.length - 1; i++) {
    if (line[i] === '\\') { i++; continue; }
    if (line[i] === '=' && line[i + 1] === '>') return [line.slice(0, i), line.slice(i + 2)];
  }
  return [line, null];
}

/** Parses the text of a rules file. */
export function parseRules(text: string): RuleSet {
  const rules: Rule[] = [];
  const negations: NegationRule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    if (line.startsWith('!')) {
      const [neg, scope] = splitScope(line.slice(1));
      const components = parseRule(neg);
      if (!components.length) continue;
      const cancels = scope === null ? null : parseRule(scope);
      negations.push({ components, cancels: cancels && cancels.length ? cancels : null });
      continue;
    }
    const rule = parseRule(line);
    if (rule.length) rules.push(rule);
  }
  return { rules, negations };
}

/** Reads and parses a rules file, with an actionable error when it is unusable. */
export function readRulesFile(file: string): RuleSet {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(`Cannot read the rules file ${file}: ${(err as Error).message}.`);
  }
  const set = parseRules(text);
  if (!set.rules.length) throw new UserError(`The rules file ${file} holds no rules (one rule a line, components joined by +).`);
  return set;
}

/** Formats a rule back into the file syntax. */
export function formatRule(rule: Rule): string {
  return rule.map((c) => c.replace(/[\\+]/g, (m) => `\\${m}`).replace(/^([!#])/, '\\$1')).join(' + ');
}
