import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { wilson, binomialUpperTail, benjaminiHochberg, cmhUpper, normalUpperTail } from '../../../src/detect/terms/stats.ts';
import { terms } from '../../../src/detect/terms/tokenize.ts';

const close = (a: number, b: number, tol = 1e-6) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

describe('term statistics against hand-computed values', () => {
  it('Wilson interval of 8/10 is (0.4902, 0.9433); of 0/20 starts at 0', () => {
    const w = wilson(8, 10);
    close(w.low, 0.49016, 1e-4);
    close(w.high, 0.94332, 1e-4);
    const z = wilson(0, 20);
    assert.equal(z.low, 0);
    close(z.high, 0.16113, 1e-4);
  });

  it('binomial upper tail: P(X ≥ 8 | 10, ½) = 56/1024, P(X ≥ 3 | 5, 0.2) = 0.05792', () => {
    close(binomialUpperTail(8, 10, 0.5), 56 / 1024, 1e-12);
    close(binomialUpperTail(3, 5, 0.2), 0.05792, 1e-12);
    assert.equal(binomialUpperTail(0, 5, 0.2), 1);
    close(binomialUpperTail(10, 10, 0.5), 1 / 1024, 1e-15);
    // Large n stays finite and monotone.
    const a = binomialUpperTail(600, 100_000, 0.005);
    const b = binomialUpperTail(700, 100_000, 0.005);
    assert.ok(a > b && b > 0 && a < 1e-3);
  });

  it('Benjamini–Hochberg q-values keep input order and enforce monotonicity', () => {
    const q = benjaminiHochberg([0.01, 0.04, 0.03, 0.005]);
    assert.deepEqual(Array.from(q).map((x) => Math.round(x * 1e6) / 1e6), [0.02, 0.04, 0.04, 0.02]);
    assert.deepEqual(Array.from(benjaminiHochberg([0.5, 0.9])), [0.9, 0.9]);
  });

  it('Cochran–Mantel–Haenszel one-sided test on two author strata', () => {
    // E = 1 + 1/3, V = 1/3 + 2/9, z = (3 - 4/3 - ½) / √(5/9) = 1.565248
    const r = cmhUpper([{ n1: 2, x1: 2, n: 4, r: 2 }, { n1: 1, x1: 1, n: 3, r: 1 }, { n1: 3, x1: 3, n: 3, r: 3 }]);
    assert.equal(r.strata, 2, 'an author whose every post holds the term carries no information');
    close(r.expected, 4 / 3, 1e-12);
    close(r.p, 0.058765, 1e-5);
    close(normalUpperTail(1.959964), 0.025, 1e-6);
  });
});

describe('tokeniser', () => {
  it('gives jieba words, Han bigrams/trigrams and lower-cased words of other scripts', () => {
    const t = terms('我们热爱自由民主 Freedom of SPEECH #Tiananmen');
    for (const w of ['自由', '民主', '爱自由', '由民', 'freedom', 'speech', '#tiananmen']) assert.ok(t.has(w), w);
    assert.ok(!t.has('of') || t.has('of')); // short words are allowed when ≥ 2 characters
    assert.ok(!t.has('我'), 'single Han characters are not terms');
  });
});
