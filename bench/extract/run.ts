/**
 * bench/extract: exact rule recovery and oracle queries of our extraction against Citizen Lab's
 * two algorithms (re-implementations of CompAwareBinSplit and comp_aware_bin_split_2), on
 * simulated filters built from real rule lists (WeChat, QQ Mail with extenuating rules, Weibo
 * search) and real Chinese text, with a noise-free and a 75%-reliable oracle.
 *
 * Fairness: each article is extracted on its own (no model learned across articles, for us or
 * the baselines); the noisy-oracle rows are repeated over several oracle seeds and their medians
 * reported; against the noisy oracle the baselines also run with every test asked up to k times
 * and decided by majority vote. Both of our modes (thorough, the CLI default, and --quick) are
 * scored; the targets are judged on one mode, and the bench fails when neither mode meets every
 * target.
 *
 *   npm run bench:extract [-- --articles N --seeds S --k K]   (BENCH_QUICK=1: 60 articles, 3 seeds)
 */
import { parseArgs } from 'node:util';
import { RuleFilter, SimulatedOracle, type Oracle } from '../../src/detect/extract/oracle.ts';
import { extractRules } from '../../src/detect/extract/extract.ts';
import { compAwareBinSplit } from '../../src/detect/extract/baseline.ts';
import { ruleKey, type Rule, type RuleSet } from '../../src/detect/extract/rules.ts';
import { haveData, wechatRules, qqRules, weiboRules, organic, makeArticles, observable, type Article } from './data.ts';
import { compAwareBinSplit2 } from './cabs2.ts';
import { MajorityOracle } from './majority.ts';
import { reportSkip, reportTargets, type TargetRow } from '../targets.ts';

const QUICK = process.env.BENCH_QUICK === '1';
const { values } = parseArgs({ options: {
  articles: { type: 'string', default: QUICK ? '60' : '300' }, seed: { type: 'string', default: '11' },
  seeds: { type: 'string', default: QUICK ? '3' : '5' }, k: { type: 'string', default: '5' },
} });
const N = Number(values.articles);
const SEED = Number(values.seed);
const SEEDS = Number(values.seeds);
const K = Number(values.k);

if (!haveData()) {
  reportSkip('extract', 'shared data not found at ../shared/data (keyword-lists, organic-chinese)');
  process.exit();
}

type Method = 'thorough' | 'quick' | 'cabs' | 'cabs2' | 'cabs-maj' | 'cabs2-maj';
const LABEL: Record<Method, string> = {
  thorough: 'ours (thorough)', quick: 'ours (--quick)', cabs: 'CompAwareBinSplit', cabs2: 'comp_aware_bin_split_2',
  'cabs-maj': `CompAwareBinSplit ×${K} vote`, 'cabs2-maj': `cabs_2 ×${K} vote`,
};

interface Score {
  method: Method;
  oracle: string;
  recall: number;
  precision: number;
  meanQ: number;
  p90Q: number;
  perRule: number;
  p90PerRule: number;
  /** Queries per rule recovered exactly (what one correct answer costs). */
  perFound: number;
  seconds: number;
}

const quantile = (xs: number[], q: number) => {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))]! : 0;
};
const median = (xs: number[]) => quantile(xs, 0.5);

async function runOnce(method: Method, set: RuleSet, articles: Article[], reliability: number, seed: number): Promise<Score> {
  const filter = new RuleFilter(set);
  let hit = 0;
  let truthTotal = 0;
  let foundTotal = 0;
  const perArticle: number[] = [];
  const perRule: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < articles.length; i++) {
    const a = articles[i]!;
    const sim = new SimulatedOracle(filter, { reliability, seed: seed * 1000 + i });
    const oracle: Oracle = method.endsWith('-maj') ? new MajorityOracle(sim, K) : sim;
    let found: Rule[];
    let queries: number;
    if (method === 'thorough' || method === 'quick') {
      // A fresh length model per article: nothing is learned across the run's articles.
      const r = await extractRules(oracle, a.text, { reliability, negations: false, assumeCensored: true, thorough: method === 'thorough' });
      found = r.rules;
      queries = r.queries;
    } else {
      const r = method.startsWith('cabs2') ? await compAwareBinSplit2(oracle, a.text) : await compAwareBinSplit(oracle, a.text);
      found = [r.rule];
      queries = r.queries;
    }
    const truth = new Set(a.truth.map(ruleKey));
    const foundKeys = new Set(found.map((r) => ruleKey(observable(r))));
    for (const k of foundKeys) if (truth.has(k)) hit++;
    truthTotal += truth.size;
    foundTotal += foundKeys.size;
    perArticle.push(queries);
    perRule.push(queries / truth.size);
  }
  return {
    method, oracle: reliability >= 1 ? 'exact' : `${Math.round(reliability * 100)}%`,
    recall: hit / truthTotal, precision: foundTotal ? hit / foundTotal : 0,
    meanQ: perArticle.reduce((s, x) => s + x, 0) / perArticle.length, p90Q: quantile(perArticle, 0.9),
    perRule: perArticle.reduce((s, x) => s + x, 0) / truthTotal, p90PerRule: quantile(perRule, 0.9),
    perFound: perArticle.reduce((s, x) => s + x, 0) / Math.max(1, hit),
    seconds: (performance.now() - t0) / 1000,
  };
}

/** One row: a single run for the exact oracle; for the noisy one, each figure's median over SEEDS oracle seeds. */
async function score(method: Method, set: RuleSet, articles: Article[], reliability: number): Promise<Score> {
  if (reliability >= 1) return runOnce(method, set, articles, 1, SEED);
  const runs: Score[] = [];
  for (let s = 0; s < SEEDS; s++) runs.push(await runOnce(method, set, articles, reliability, SEED + 7919 * s));
  const m = (f: (x: Score) => number) => median(runs.map(f));
  return {
    method, oracle: runs[0]!.oracle, recall: m((x) => x.recall), precision: m((x) => x.precision), meanQ: m((x) => x.meanQ),
    p90Q: m((x) => x.p90Q), perRule: m((x) => x.perRule), p90PerRule: m((x) => x.p90PerRule), perFound: m((x) => x.perFound),
    seconds: runs.reduce((t, x) => t + x.seconds, 0),
  };
}

function print(title: string, articles: Article[], rows: Score[]): void {
  const rules = articles.reduce((s, a) => s + a.truth.length, 0);
  console.log(`\n${title}: ${articles.length} articles, ${rules} triggered rules (75% rows: medians over ${SEEDS} oracle seeds)`);
  console.log('method                     oracle  recall   precision  mean q/article  p90 q/article  mean q/rule  p90 q/rule  q/recovered rule  seconds');
  for (const r of rows) {
    console.log(`${LABEL[r.method].padEnd(26)} ${r.oracle.padEnd(7)} ${(100 * r.recall).toFixed(1).padStart(6)}%  ${(100 * r.precision).toFixed(1).padStart(7)}%  ${r.meanQ.toFixed(1).padStart(14)}  ${String(r.p90Q).padStart(13)}  ${r.perRule.toFixed(1).padStart(11)}  ${r.p90PerRule.toFixed(1).padStart(10)}  ${r.perFound.toFixed(1).padStart(16)}  ${r.seconds.toFixed(2).padStart(7)}`);
  }
}

interface Suite { exact: Map<Method, Score>; noisy: Map<Method, Score> }

async function suite(title: string, set: RuleSet, articles: Article[]): Promise<Suite> {
  const exact = new Map<Method, Score>();
  const noisy = new Map<Method, Score>();
  for (const m of ['thorough', 'quick', 'cabs', 'cabs2'] as const) exact.set(m, await score(m, set, articles, 1));
  for (const m of ['thorough', 'quick', 'cabs', 'cabs2', 'cabs-maj', 'cabs2-maj'] as const) noisy.set(m, await score(m, set, articles, 0.75));
  print(title, articles, [...exact.values(), ...noisy.values()]);
  return { exact, noisy };
}

const reviews = organic();
const wechat = wechatRules();
console.log(`rule lists: WeChat ${wechat.rules.length} rules; organic texts ${reviews.length}`);
const single = await suite('WeChat, one rule per article', wechat, makeArticles(wechat, reviews, N, [1, 1], SEED));
const multi = await suite('WeChat, 2-3 rules per article', wechat, makeArticles(wechat, reviews, Math.ceil(N / 2), [2, 3], SEED + 1));
const weibo = weiboRules();
await suite(`Weibo search (${weibo.rules.length} rules), one rule per article`, weibo, makeArticles(weibo, reviews, Math.ceil(N / 2), [1, 1], SEED + 2));
const qq = qqRules();
await suite(`QQ Mail (${qq.rules.length} rules, ${qq.negations.length} scoped negations), 1-2 rules`, qq, makeArticles(qq, reviews, Math.ceil(N / 2), [1, 2], SEED + 3));

// Negation: a cancelled rule plus its extenuating combination; the text is not censored.
{
  const filter = new RuleFilter(qq);
  const cases: Array<{ text: string; neg: Rule; rule: Rule }> = [];
  const reviewsNoNeg = reviews.filter((r) => !qq.negations.some((n) => n.components.some((c) => r.includes(c))));
  let i = 0;
  for (const n of qq.negations) {
    if (cases.length >= Math.ceil(N / 3) || !n.cancels) break;
    let bg = '';
    while (bg.length < 200) bg += reviewsNoNeg[(i++ * 7919) % reviewsNoNeg.length];
    const cps = Array.from(bg);
    const pos = (k: number) => Math.floor(((k * 2654435761) % 1000) / 1000 * cps.length);
    [...n.cancels].forEach((c, k) => cps.splice(pos(i + k), 0, c));
    n.components.forEach((c, k) => cps.splice(pos(i + 17 + k), 0, c));
    const text = cps.join('');
    if (filter.censors(text) || !filter.censors(text.split('').filter(() => true).join('').replace(new RegExp(n.components.map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g'), ''))) continue;
    cases.push({ text, neg: observable(n.components), rule: observable(n.cancels) });
  }
  for (const reliability of [1, 0.75]) {
    let ruleOk = 0;
    let negOk = 0;
    let queries = 0;
    for (let k = 0; k < cases.length; k++) {
      const c = cases[k]!;
      const r = await extractRules(new SimulatedOracle(filter, { reliability, seed: k + 5 }), c.text, { reliability });
      if (r.rules.some((x) => ruleKey(x) === ruleKey(c.rule))) ruleOk++;
      if (r.negations.some((x) => ruleKey(observable(x.components)) === ruleKey(c.neg))) negOk++;
      queries += r.queries;
    }
    console.log(`\nQQ Mail negation (${reliability >= 1 ? 'exact' : '75%'} oracle): ${cases.length} uncensored texts holding a rule and its extenuating combination; cancelled rule found ${ruleOk}/${cases.length}, negation found exactly ${negOk}/${cases.length}, mean queries ${(queries / Math.max(1, cases.length)).toFixed(1)} (CompAwareBinSplit cannot start: the text is not censored)`);
  }
}

// The targets of the issue, on the WeChat lists, all judged on one mode of ours.
{
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const ex = (s: Suite, m: Method) => s.exact.get(m)!;
  const no = (s: Suite, m: Method) => s.noisy.get(m)!;
  // The cheaper of Citizen Lab's two algorithms is the query baseline.
  const cheaper: Method = ex(single, 'cabs2').perRule < ex(single, 'cabs').perRule ? 'cabs2' : 'cabs';
  const base = ex(single, cheaper);
  const judge = (m: 'thorough' | 'quick') => {
    const recall = Math.min(ex(single, m).recall, ex(multi, m).recall);
    const noisy = Math.min(no(single, m).recall, no(multi, m).recall);
    const perRule = ex(single, m).perRule;
    return { m, recall, noisy, perRule, ok: [recall >= 0.99, perRule <= base.perRule, noisy >= 0.95] };
  };
  const modes = [judge('thorough'), judge('quick')];
  const best = modes.find((x) => x.ok.every(Boolean)) ?? modes.reduce((a, b) => (b.ok.filter(Boolean).length > a.ok.filter(Boolean).length ? b : a));
  const other = modes.find((x) => x !== best)!;
  const voted: Method = cheaper === 'cabs2' ? 'cabs2-maj' : 'cabs-maj';
  if (!best.ok.every(Boolean)) console.log(`\nNeither mode meets every target: targets judged on ${LABEL[best.m]}, the mode meeting the most.`);
  const rows: TargetRow[] = [
    { measure: `judged mode`, value: LABEL[best.m], met: null },
    { measure: `exact recovery, exact oracle (worse of 1 and 2-3 rules per article)`, value: pct(best.recall),
      baseline: `${LABEL[cheaper]} ${pct(ex(single, cheaper).recall)} / ${pct(ex(multi, cheaper).recall)}`, target: '≥ 99%', met: best.ok[0]! },
    { measure: `mean queries per triggered rule, exact oracle, 1 rule per article`, value: best.perRule.toFixed(1),
      baseline: `${LABEL[cheaper]} ${base.perRule.toFixed(1)} (CompAwareBinSplit ${ex(single, 'cabs').perRule.toFixed(1)}, cabs_2 ${ex(single, 'cabs2').perRule.toFixed(1)})`,
      ratio: `${(best.perRule / base.perRule).toFixed(2)}×`, target: '≤ baseline', met: best.ok[1]! },
    { measure: `exact recovery, 75% oracle, median of ${SEEDS} seeds (worse of 1 and 2-3 rules)`, value: pct(best.noisy),
      baseline: `${LABEL[voted]} ${pct(no(single, voted).recall)} / ${pct(no(multi, voted).recall)} at ${no(single, voted).perRule.toFixed(1)} q/rule (ours ${no(single, best.m).perRule.toFixed(1)})`,
      ratio: `${(no(single, best.m).perRule / no(single, voted).perRule).toFixed(2)}× queries`, target: '≥ 95%', met: best.ok[2]! },
    { measure: `other mode, ${LABEL[other.m]}: exact recovery / queries per rule / 75% recovery`, value: `${pct(other.recall)} / ${other.perRule.toFixed(1)} / ${pct(other.noisy)}`,
      target: other.ok.every(Boolean) ? 'meets all' : `misses ${['recall', 'queries', 'noisy recall'].filter((_, i) => !other.ok[i]).join(', ')}`, met: null },
  ];
  reportTargets('extract', rows);
}
