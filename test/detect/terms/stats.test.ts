import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { wilson, binomialUpperTail, benjaminiHochberg, stratifiedUpper } from '../../../src/detect/terms/stats.ts';
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

  it('author-stratified tail: the binomial bound with the strata\'s expected count, never below the exact null', () => {
    // Ten authors: two with 10 posts (1 removed) and 2 holding the term, eight with 9 posts (1
    // removed) and 1 holding it. Exact null of the term's removals: the convolution of each
    // author's hypergeometric count.
    const strata = [...Array(2).fill({ n1: 2, n: 10, r: 1 }), ...Array(8).fill({ n1: 1, n: 9, r: 1 })] as Array<{ n1: number; n: number; r: number }>;
    const choose = (n: number, k: number) => { let c = 1; for (let i = 0; i < k; i++) c = (c * (n - i)) / (i + 1); return c; };
    let dist = [1];
    for (const s of strata) {
      const pmf = Array.from({ length: Math.min(s.n1, s.r) + 1 }, (_, k) => (choose(s.r, k) * choose(s.n - s.r, s.n1 - k)) / choose(s.n, s.n1));
      const next = new Array(dist.length + pmf.length - 1).fill(0);
      dist.forEach((a, i) => pmf.forEach((b, j) => { next[i + j] += a * b; }));
      dist = next;
    }
    const expected = strata.reduce((e, s) => e + (s.n1 * s.r) / s.n, 0);
    close(expected, 0.4 + 8 / 9, 1e-12);
    for (const x of [3, 5, 8, 10]) {
      const exact = dist.slice(x).reduce((a, b) => a + b, 0);
      const bound = stratifiedUpper(x, 12, expected);
      // By hand for x = 10: Σ_{k=10..12} C(12,k) p^k (1−p)^(12−k), p = E/12.
      const p = expected / 12;
      const hand = [10, 11, 12].reduce((sum, k) => sum + choose(12, k) * p ** k * (1 - p) ** (12 - k), 0);
      if (x === 10) close(bound, hand, 1e-18);
      assert.ok(bound >= exact, `x=${x}: bound ${bound} < exact ${exact}`);
      assert.ok(bound < 1000 * exact + 1e-3, `x=${x}: bound ${bound} far above exact ${exact}`);
    }
    // Two removals among five posts with 0.15 expected: not the p ≈ 1e-4 of the normal approximation.
    assert.ok(stratifiedUpper(2, 5, 0.15) > 0.005);
    assert.equal(stratifiedUpper(3, 10, 3), 1, 'no more removals than the authors explain');
    assert.equal(stratifiedUpper(20, 20, 20), 1, 'an always-removed author explains every removal');
  });
});

describe('tokeniser', () => {
  it('gives jieba words, Han bigrams/trigrams and lower-cased words of other scripts', () => {
    const t = terms('我们热爱自由民主 Freedom of SPEECH #Tiananmen');
    for (const w of ['自由', '民主', '爱自由', '由民', 'freedom', 'speech', '#tiananmen']) assert.ok(t.has(w), w);
    assert.ok(t.has('of'), 'words of two characters are terms');
    assert.ok(!terms('I saw a cat').has('a') && !terms('I saw a cat').has('i'), 'one-letter words are not');
    assert.ok(!t.has('我'), 'single Han characters are not terms');
  });
});
