/**
 * Loads the real rule lists and organic Chinese text for bench/extract from ../shared/data,
 * and builds test articles: real reviews with one or several rules embedded, including
 * repeated components and overlapping ones (two components merged on a shared edge).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { parseRule, canonicalRule, ruleKey, type Rule, type RuleSet, type NegationRule } from '../../src/detect/extract/rules.ts';
import { RuleFilter, rng } from '../../src/detect/extract/oracle.ts';

export const DATA = resolve(import.meta.dirname, '../../../shared/data');

/** True when the shared data this bench needs is present. */
export function haveData(): boolean {
  return existsSync(resolve(DATA, 'keyword-lists/wechat-709crackdown.csv')) && existsSync(resolve(DATA, 'organic-chinese/waimai_10k.csv'));
}

function csv(file: string): Record<string, string>[] {
  return parse(readFileSync(resolve(DATA, file), 'utf8'), { columns: true, skip_empty_lines: true, relax_quotes: true, bom: true }) as Record<string, string>[];
}

function uniqueRules(rules: Rule[]): Rule[] {
  const seen = new Map<string, Rule>();
  for (const r of rules) if (r.length) seen.set(ruleKey(r), r);
  return [...seen.values()];
}

/** The three WeChat lists as one rule set. */
export function wechatRules(): RuleSet {
  const rules = [
    ...csv('keyword-lists/wechat-709crackdown.csv').map((r) => parseRule(r['Keyword'] ?? '')),
    ...csv('keyword-lists/wechat-ncpc19.csv').map((r) => parseRule(r['keyword'] ?? '')),
    ...csv('keyword-lists/wechat-coronavirus.csv').map((r) => parseRule(r['keyword_combination'] ?? '')),
  ];
  return { rules: uniqueRules(rules), negations: [] };
}

/** QQ Mail rules with their extenuating (negation) rules, each scoped to the rules it cancels. */
export function qqRules(): RuleSet {
  const lines = readFileSync(resolve(DATA, 'keyword-lists/qqmail-censored.txt'), 'utf8').split(/\r?\n/);
  const rules = lines.map((l) => parseRule(l));
  const negations: NegationRule[] = [];
  for (const row of csv('keyword-lists/qqmail-extenuating.csv')) {
    const neg = parseRule(row['Extenuating combination'] ?? '');
    for (const target of (row['Censored keyword combinations it extenuates'] ?? '').split(/,\s*/)) {
      const cancels = parseRule(target);
      if (!cancels.length || !neg.length) continue;
      rules.push(cancels);
      negations.push({ components: neg, cancels });
    }
  }
  return { rules: uniqueRules(rules), negations };
}

/** Weibo's hard search rules. */
export function weiboRules(): RuleSet {
  const lines = readFileSync(resolve(DATA, 'keyword-lists/weibo-search-rules.txt'), 'utf8').split(/\r?\n/);
  return { rules: uniqueRules(lines.map((l) => parseRule(l))), negations: [] };
}

/** Real Chinese reviews (both corpora). */
export function organic(): string[] {
  const out: string[] = [];
  for (const f of ['organic-chinese/waimai_10k.csv', 'organic-chinese/ChnSentiCorp_htl_all.csv']) {
    if (!existsSync(resolve(DATA, f))) continue;
    for (const r of csv(f)) if (r['review'] && r['review'].length > 5) out.push(r['review']);
  }
  return out;
}

/**
 * A rule as observable through an oracle: a component contained in another component of the
 * same rule adds nothing (the longer one implies it).
 */
export function observable(rule: Rule): Rule {
  return canonicalRule(rule.filter((c) => !rule.some((o) => o !== c && o.includes(c))));
}

/** Drops firing rules implied by another firing rule (they can never be told apart). */
export function truthOf(filter: RuleFilter, text: string): Rule[] {
  const firing = filter.firing(text).map((i) => observable(filter.set.rules[i]!));
  const uniq = uniqueRules(firing);
  const implies = (a: Rule, b: Rule) => a.every((x) => b.some((y) => y.includes(x)));
  return uniq.filter((b) => !uniq.some((a) => a !== b && ruleKey(a) !== ruleKey(b) && implies(a, b)));
}

export interface Article {
  text: string;
  embedded: Rule[];
  truth: Rule[];
}

/** Places rules into real text: components scattered, some repeated, some merged on overlaps. */
export function makeArticles(set: RuleSet, reviews: string[], count: number, rulesPerArticle: [number, number], seed: number): Article[] {
  const random = rng(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)]!;
  const filter = new RuleFilter(set);
  const articles: Article[] = [];
  let guard = 0;
  while (articles.length < count && guard++ < count * 50) {
    let background = '';
    while (background.length < 300) background += pick(reviews);
    if (filter.censors(background)) continue;
    const k = rulesPerArticle[0] + Math.floor(random() * (rulesPerArticle[1] - rulesPerArticle[0] + 1));
    const embedded: Rule[] = [];
    const pieces: string[] = [];
    for (let i = 0; i < k; i++) {
      const rule = pick(set.rules);
      embedded.push(rule);
      const comps = rule.slice().sort(() => random() - 0.5);
      for (let j = 0; j < comps.length; j++) {
        const c = comps[j]!;
        const nextC = comps[j + 1];
        // Overlap: merge two components that share an edge into one string.
        const ov = nextC ? sharedEdge(c, nextC) : 0;
        if (ov > 0 && random() < 0.8) { pieces.push(c + nextC!.slice(ov)); j++; continue; }
        pieces.push(c);
        if (random() < 0.3) pieces.push(c); // repeated component
      }
      // Deliberate overlap of unrelated rules' pieces: glue a component to the next one.
      if (comps.length > 1 && random() < 0.2) pieces.push(comps[0]! + comps[comps.length - 1]!);
    }
    const cps = Array.from(background);
    for (const p of pieces) cps.splice(Math.floor(random() * (cps.length + 1)), 0, p);
    const text = cps.join('');
    const truth = truthOf(filter, text);
    if (!truth.length) continue;
    articles.push({ text, embedded, truth });
  }
  return articles;
}

function sharedEdge(a: string, b: string): number {
  for (let n = Math.min(a.length, b.length) - 1; n > 0; n--) if (a.endsWith(b.slice(0, n))) return n;
  return 0;
}
