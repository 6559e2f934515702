import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseRules, ruleKey, type Rule } from '../../../src/detect/extract/rules.ts';
import { RuleFilter, SimulatedOracle } from '../../../src/detect/extract/oracle.ts';
import { extractRules, breakComponents, hittingSets } from '../../../src/detect/extract/extract.ts';
import { LengthModel } from '../../../src/detect/extract/isolate.ts';
import { compAwareBinSplit } from '../../../src/detect/extract/baseline.ts';

const filler = '今天我们去了一家新开的餐馆，味道还不错，服务员也很热情，价格比较实惠，下次还会再来。';
const keys = (rules: Rule[]) => rules.map(ruleKey).sort();

async function run(rules: string, text: string, reliability = 1, seed = 1) {
  const oracle = new SimulatedOracle(new RuleFilter(parseRules(rules)), { reliability, seed });
  return extractRules(oracle, text, { reliability });
}

describe('extraction', () => {
  it('recovers overlapping components exactly (习近平 + 近平下 inside 习近平下台)', async () => {
    const r = await run('习近平+近平下+下台', `${filler}习近平下台${filler}`);
    assert.deepEqual(keys(r.rules), keys([['习近平', '近平下', '下台']]));
    assert.equal(r.details[0]!.confidence, 1);
  });

  it('recovers repeated components exactly, where halving methods go wrong', async () => {
    const text = `六四${filler}纪念${filler}六四${filler}纪念${filler}六四`;
    const r = await run('六四+纪念', text);
    assert.deepEqual(keys(r.rules), keys([['六四', '纪念']]));
  });

  it('finds every rule a text triggers, including rules sharing a component', async () => {
    const text = `${filler}法轮功${filler}习近平${filler}下台${filler}习近平${filler}独裁${filler}`;
    const r = await run('法轮功\n习近平+下台\n习近平+独裁\n无关+规则', text);
    assert.deepEqual(keys(r.rules), keys([['法轮功'], ['下台', '习近平'], ['习近平', '独裁']]));
    // The anchor method stops after one, and that one is exactly one of the rules.
    const base = await compAwareBinSplit(new SimulatedOracle(new RuleFilter(parseRules('法轮功\n习近平+下台\n习近平+独裁'))), text);
    assert.ok(keys(r.rules).includes(ruleKey(base.rule)), JSON.stringify(base.rule));
    assert.ok(base.queries > 0);
  });

  it('reports a text that is not censored and finds nothing', async () => {
    const r = await run('法轮功', filler);
    assert.equal(r.censored, false);
    assert.deepEqual(r.rules, []);
  });

  it('detects a negation rule cancelling a rule in an uncensored text', async () => {
    const text = `${filler}我的东突${filler}${filler}你的西域${filler}${filler}${filler}名${filler}单`;
    const rules = '我的东突+你的西域\n!名+单 => 我的东突+你的西域';
    assert.equal(new RuleFilter(parseRules(rules)).censors(text), false);
    const r = await run(rules, text);
    assert.deepEqual(keys(r.rules), keys([['我的东突', '你的西域']]));
    assert.equal(r.negations.length, 1);
    assert.deepEqual(r.negations[0]!.components, ['单', '名']);
    assert.deepEqual(r.negations[0]!.cancels, ['你的西域', '我的东突']);
  });

  it('reports a negation in a text that another rule censors, wherever the parts stand (issue 17)', async () => {
    const rules = '六四+天安门\n!纪念 => 六四 + 天安门\n律师+维权+抓捕';
    const parts = ['六四', '天安门', '纪念', '律师', '维权', '抓捕'];
    const chunks = filler.split('，');
    for (const order of [[0, 1, 2, 3, 4, 5], [3, 4, 5, 0, 1, 2], [0, 3, 1, 4, 2, 5], [5, 2, 4, 1, 3, 0]]) {
      const text = chunks.map((c, i) => `${parts[order[i]!] ?? ''}${c}`).join('，') + order.slice(chunks.length).map((k) => parts[k]).join('');
      assert.equal(new RuleFilter(parseRules(rules)).censors(text), true);
      const r = await run(rules, text);
      assert.equal(r.censored, true);
      assert.deepEqual(keys(r.rules), keys([['六四', '天安门'], ['律师', '维权', '抓捕']]), `order ${order}`);
      assert.deepEqual(r.negations.map((n) => [n.components, n.cancels]), [[['纪念'], ['六四', '天安门']]], `order ${order}`);
    }
    // The same text without the negation's word: no negation is invented.
    const plain = await run(rules, `六四${filler}天安门${filler}律师${filler}维权${filler}抓捕`);
    assert.deepEqual(plain.negations, []);
    assert.deepEqual(keys(plain.rules), keys([['六四', '天安门'], ['律师', '维权', '抓捕']]));
  });

  it('tolerates an oracle that fires only 75% of the time, reporting confidence', async () => {
    const rules = '习近平+近平下+下台\n法轮功\n六四+纪念';
    const text = `${filler}习近平下台${filler}六四${filler}法轮功${filler}纪念${filler}六四`;
    const want = keys([['习近平', '近平下', '下台'], ['法轮功'], ['六四', '纪念']]);
    let exact = 0;
    let naiveExact = 0;
    const runs = 20;
    for (let seed = 1; seed <= runs; seed++) {
      const r = await run(rules, text, 0.75, seed);
      if (JSON.stringify(keys(r.rules)) === JSON.stringify(want)) exact++;
      for (const d of r.details) assert.ok(d.confidence > 0.9 && d.confidence < 1, `confidence ${d.confidence}`);
      // Without repetition the same oracle misleads the search.
      const naive = await extractRules(new SimulatedOracle(new RuleFilter(parseRules(rules)), { reliability: 0.75, seed }), text, { reliability: 1 });
      if (JSON.stringify(keys(naive.rules)) === JSON.stringify(want)) naiveExact++;
    }
    assert.ok(exact >= 18, `exact in ${exact}/${runs} noisy runs`);
    assert.ok(naiveExact < exact, `naive ${naiveExact} vs adaptive ${exact}`);
  });

  it('finds a family of rules sharing two components (X + 总书记 + 武汉), in both modes', async () => {
    const rules = '到+总书记+武汉\n在+总书记+武汉\n去+总书记+武汉\n来+总书记+武汉';
    const text = `总书记${filler}武汉${filler}到${filler}在${filler}去${filler}来`.replace(/来。$/, '来');
    const want = keys([['到', '总书记', '武汉'], ['在', '总书记', '武汉'], ['去', '总书记', '武汉'], ['来', '总书记', '武汉']]);
    // The filler holds 去 and 来 already ("去了", "再来"), so all four rules fire.
    assert.deepEqual(keys((await run(rules, text)).rules), want);
    const oracle = new SimulatedOracle(new RuleFilter(parseRules(rules)));
    const fast = await extractRules(oracle, text, { thorough: false });
    assert.deepEqual(keys(fast.rules), want);
  });

  it('hitting sets break every known rule; the quick choice breaks the shortest component', () => {
    const sets = hittingSets([['到', '总书记', '武汉'], ['在', '总书记', '武汉']], true);
    for (const set of sets) for (const r of [['到', '总书记', '武汉'], ['在', '总书记', '武汉']]) assert.ok(r.some((c) => set.includes(c)));
    assert.ok(sets.some((s) => s.length === 1 && s[0] === '总书记'), 'a shared component breaks both at once');
    assert.deepEqual(hittingSets([['到', '总书记', '武汉'], ['在', '总书记', '武汉']], false), [['到', '在']]);
  });

  it('a shared length model learns the lengths and asks fewer questions for the next text', async () => {
    const rules = '习近平独裁统治+共产党专政体制';
    const text = `${filler}习近平独裁统治${filler}共产党专政体制${filler}`;
    const model = new LengthModel();
    const first = await extractRules(new SimulatedOracle(new RuleFilter(parseRules(rules))), text, { lengths: model });
    for (let i = 0; i < 10; i++) await extractRules(new SimulatedOracle(new RuleFilter(parseRules(rules))), text, { lengths: model });
    const later = await extractRules(new SimulatedOracle(new RuleFilter(parseRules(rules))), text, { lengths: model });
    assert.deepEqual(later.rules, first.rules);
    assert.ok(later.queries < first.queries, `${later.queries} < ${first.queries}`);
  });

  it('finds a negation even when rule and negation components are interleaved', async () => {
    const rules = '提出+辞职+习总书记\n!放+假 => 提出+辞职+习总书记';
    const text = `${filler}提出${filler}放${filler}辞职${filler}习总书记${filler}假${filler}`;
    const r = await run(rules, text);
    assert.equal(r.negations.length, 1);
    assert.deepEqual(r.negations[0]!.components, ['假', '放']);
    assert.deepEqual(keys(r.rules), keys([['提出', '辞职', '习总书记']]));
  });

  it('breaks every occurrence of a component without creating new matches', () => {
    assert.equal(breakComponents('ab ab c', ['ab', 'c'], '|'), 'a|b a|b |');
  });
});

describe('CompAwareBinSplit re-implementation', () => {
  it('isolates one rule with overlapping components', async () => {
    const oracle = new SimulatedOracle(new RuleFilter(parseRules('习近平+近平下+下台')));
    const r = await compAwareBinSplit(oracle, `${filler}习近平下台${filler}`);
    assert.deepEqual(r.rule, ['下台', '习近平', '近平下']);
    assert.ok(r.queries > 5 && r.queries < 100);
  });
});
