/**
 * The simulated censor: keyword-combination rules (a rule fires when all its components are
 * present, in any order, as in the Citizen Lab WeChat/Weibo findings) and a removal delay drawn
 * from a distribution fitted to published figures on Weibo censorship (Zhu et al. 2013): 5% of
 * removals within 8 minutes, about 30% between 5 and 30 minutes, about 90% within 24 hours.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Rng } from '../../util/random.ts';

export type Rule = string[];

/** A small built-in rule list, used when the shared keyword lists are absent. */
export const BUILTIN_RULES: Rule[] = [
  ['六四'], ['天安门', '坦克'], ['习近平', '下台'], ['维权', '律师', '抓捕'], ['封城', '真相'],
  ['游行', '集会', '广场'], ['新冠', '隐瞒', '疫情'], ['709', '律师'], ['法轮功'], ['清网', '删帖', '抗议'],
  ['翻墙', '自由'], ['人权', '上访'], ['独立', '西藏'], ['罢工', '工人', '工资'], ['言论自由', '审查'],
];

/** Rules from the shared WeChat coronavirus list when present (components joined by +), else the built-in list. */
export function loadRules(dataDir: string | null, max = 200): Rule[] {
  const file = dataDir ? path.join(dataDir, 'keyword-lists', 'wechat-coronavirus.csv') : '';
  if (!file || !existsSync(file)) return BUILTIN_RULES;
  const rules: Rule[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
    const combo = line.split(',')[0]?.trim();
    if (!combo || /["\s]/.test(combo)) continue;
    const parts = combo.split('+').map((s) => s.trim()).filter(Boolean);
    if (parts.length >= 1 && parts.length <= 4 && parts.every((p) => p.length <= 8)) rules.push(parts);
    if (rules.length >= max) break;
  }
  return rules.length ? [...BUILTIN_RULES, ...rules] : BUILTIN_RULES;
}

/** The first rule whose every component occurs in `text`, or null. */
export function matchRule(rules: Rule[], text: string): Rule | null {
  for (const r of rules) if (r.every((c) => text.includes(c))) return r;
  return null;
}

/** Knots of the removal-delay CDF (minutes, cumulative share); log-linear in between. */
export const DELAY_CDF: Array<[number, number]> = [
  [0.5, 0], [5, 0.03], [8, 0.05], [30, 0.33], [120, 0.55], [24 * 60, 0.9], [7 * 24 * 60, 1],
];

/** Draws a removal delay in ms from the fitted distribution. */
export function drawRemovalDelay(rng: Rng): number {
  const u = rng.next();
  for (let i = 1; i < DELAY_CDF.length; i++) {
    const [t1, p1] = DELAY_CDF[i];
    if (u <= p1) {
      const [t0, p0] = DELAY_CDF[i - 1];
      const f = (u - p0) / (p1 - p0);
      return Math.round(Math.exp(Math.log(t0) + f * (Math.log(t1) - Math.log(t0))) * 60_000);
    }
  }
  return DELAY_CDF[DELAY_CDF.length - 1][0] * 60_000;
}

/** Author deletions: log-uniform between 2 minutes and 3 days after posting. */
export function drawAuthorDelay(rng: Rng): number {
  return Math.round(Math.exp(Math.log(2) + rng.next() * (Math.log(3 * 24 * 60) - Math.log(2))) * 60_000);
}
