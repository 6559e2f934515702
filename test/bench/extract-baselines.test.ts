import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseRules, ruleKey } from '../../src/detect/extract/rules.ts';
import { RuleFilter, SimulatedOracle } from '../../src/detect/extract/oracle.ts';
import { compAwareBinSplit } from '../../src/detect/extract/baseline.ts';
import { compAwareBinSplit2 } from '../../bench/extract/cabs2.ts';
import { MajorityOracle } from '../../bench/extract/majority.ts';

const filler = '今天我们去了一家新开的餐馆，味道还不错，服务员也很热情，价格比较实惠，下次还会再来。';

describe('bench/extract baselines', () => {
  it('comp_aware_bin_split_2 recovers a multi-component rule exactly, with fewer queries than the linear scan on long components', async () => {
    const rules = parseRules('中华人民共和国成立纪念日+天安门广场集会');
    const text = `${filler}中华人民共和国成立纪念日${filler}${filler}天安门广场集会${filler}`;
    const two = await compAwareBinSplit2(new SimulatedOracle(new RuleFilter(rules)), text);
    const one = await compAwareBinSplit(new SimulatedOracle(new RuleFilter(rules)), text);
    assert.equal(ruleKey(two.rule), ruleKey(['中华人民共和国成立纪念日', '天安门广场集会']));
    assert.equal(ruleKey(one.rule), ruleKey(two.rule));
    assert.ok(two.queries < one.queries, `galloping end search used ${two.queries} queries, the linear scan ${one.queries}`);
  });

  it('comp_aware_bin_split_2 recovers single-character and adjacent components', async () => {
    for (const [rule, text] of [['法', `${filler}法${filler}`], ['六四+纪念', `${filler}六四纪念${filler}`], ['习近平+下台', `下台${filler}习近平`]] as const) {
      const r = await compAwareBinSplit2(new SimulatedOracle(new RuleFilter(parseRules(rule))), text);
      assert.equal(ruleKey(r.rule), ruleKey(parseRules(rule).rules[0]!), `${rule} in ${text}`);
    }
  });

  it('majority vote takes the majority of up to k answers and counts every query', async () => {
    const filter = new RuleFilter(parseRules('法轮功'));
    // Reliability 0: a censored text is never reported; the vote must say uncensored after (k+1)/2 answers.
    const never = new MajorityOracle(new SimulatedOracle(filter, { reliability: 0 }), 5);
    assert.equal(await never.isCensored(`${filler}法轮功`), false);
    assert.equal(never.queries, 3);
    const always = new MajorityOracle(new SimulatedOracle(filter, { reliability: 1 }), 5);
    assert.equal(await always.isCensored(`${filler}法轮功`), true);
    assert.equal(always.queries, 3);
    // At 75% a vote of 9 is right far more often than one query.
    let right = 0;
    const voted = new MajorityOracle(new SimulatedOracle(filter, { reliability: 0.75, seed: 3 }), 9);
    for (let i = 0; i < 200; i++) if (await voted.isCensored(`${filler}法轮功`)) right++;
    assert.ok(right > 180, `vote right ${right}/200`);
    assert.throws(() => new MajorityOracle(voted, 4), /odd number/);
  });
});
