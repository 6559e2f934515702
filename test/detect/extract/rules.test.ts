import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseRules, parseRule, formatRule } from '../../../src/detect/extract/rules.ts';
import { AhoCorasick } from '../../../src/detect/extract/aho.ts';
import { RuleFilter } from '../../../src/detect/extract/oracle.ts';

describe('rules file', () => {
  it('splits components on +, trims spaces, honours \\+ and sorts', () => {
    assert.deepEqual(parseRule('习近平 + 下台+近平下'), ['下台', '习近平', '近平下']);
    assert.deepEqual(parseRule('C\\+\\+ + 编程'), ['C++', '编程']);
    assert.deepEqual(parseRule('a\\\\b'), ['a\\b']);
  });

  it('reads negation lines, global and scoped, and skips comments', () => {
    const set = parseRules('# comment\n法轮功\n\n!名+单\n!期 + 假 => 习主席+辞职\n\\!not a negation\n');
    assert.deepEqual(set.rules, [['法轮功'], ['!not a negation']]);
    assert.deepEqual(set.negations, [
      { components: ['单', '名'], cancels: null },
      { components: ['假', '期'], cancels: ['习主席', '辞职'] },
    ]);
  });

  it('formats rules back into a line that parses to the same rule', () => {
    for (const r of [['a+b', 'c'], ['!x', 'y\\z']]) assert.deepEqual(parseRule(formatRule(r)), [...r].sort());
  });
});

describe('simulated filter', () => {
  it('Aho–Corasick finds exactly the patterns a naive search finds', () => {
    const patterns = ['he', 'she', 'his', 'hers', '自由', '由于', 'e', '自'];
    const ac = new AhoCorasick(patterns);
    for (const text of ['ushers', '自由由于', 'this is hers', '', 'xyz']) {
      const naive = new Set(patterns.flatMap((p, i) => (text.includes(p) ? [i] : [])));
      assert.deepEqual([...ac.present(text)].sort(), [...naive].sort(), text);
    }
  });

  it('fires when all components are present in any order, unless a negation cancels', () => {
    const f = new RuleFilter(parseRules('A+B\nC\n!N => A+B\n!G'));
    assert.equal(f.censors('xxBxxAxx'), true);
    assert.equal(f.censors('xxBxx'), false);
    assert.equal(f.censors('xxBxxAxxN'), false, 'scoped negation cancels A+B');
    assert.equal(f.censors('C N'), true, 'scoped negation does not cancel C');
    assert.equal(f.censors('C G'), false, 'global negation cancels everything');
  });
});
