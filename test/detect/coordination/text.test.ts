import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { collapsePunctuation, normaliseText, normaliseUrl } from '../../../src/detect/coordination/normalise.ts';
import { jaccard, shingles } from '../../../src/detect/coordination/shingle.ts';
import { estimate, estimateStdError, signature, bandKeys, candidateProbability } from '../../../src/detect/coordination/minhash.ts';
import { createRng } from '../../../src/util/random.ts';
import { combine, fmix32 } from '../../../src/detect/coordination/hash.ts';

describe('normalisation', () => {
  it('folds width, case, script and punctuation', () => {
    const a = normaliseText('ＨＥＬＬＯ　Ｗｏｒｌｄ１２３！！這個飯館很好吃，發展經濟。');
    const b = normaliseText('hello world123 这个饭馆很好吃 发展经济');
    assert.equal(a.text, b.text);
  });
  it('pulls out URLs, mentions and hashtags as features', () => {
    const n = normaliseText('看这个 https://www.Example.com/a/?utm_source=x&id=3#top @alice 和 #话题# #tag2 结束');
    assert.deepEqual(n.urls, ['example.com/a?id=3']);
    assert.deepEqual(n.mentions, ['alice']);
    assert.deepEqual(n.hashtags, ['话题', 'tag2']);
    assert.ok(!n.text.includes('http') && !n.text.includes('alice') && !n.text.includes('tag2'));
  });
  it('collapses punctuation, symbols and spaces exactly as the regular expression does, emoji and lone surrogates included', () => {
    const byRegex = (s: string) => s.replace(/[\p{P}\p{S}\s]+/gu, ' ').trim();
    for (const s of ['', ' ', '！！', 'a', ' a ', '，你好，世界。', '😀', 'a😀b', '😀a😀', 'x\ud83dy', '\ude00,', '\ud83d', 'a \u3000\u00a0 b', '¥100$', '𝐀𝐁', 'a\u2028b']) {
      assert.equal(collapsePunctuation(s), byRegex(s), JSON.stringify(s));
    }
    const pieces = fc.constantFrom('a', '你', ' ', '，', '。', '!', '#', '😀', '🇨🇳', '\ud83d', '\ude00', '\u3000', '\t', '\n', '€', '𝐀', '𠀀', '-', '_', '0');
    fc.assert(fc.property(fc.array(pieces, { maxLength: 40 }).map((a) => a.join('')), (s) => collapsePunctuation(s) === byRegex(s)), { numRuns: 3000 });
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (s) => collapsePunctuation(s) === byRegex(s)), { numRuns: 3000 });
  });
  it('normalises URLs to one canonical form', () => {
    assert.equal(normaliseUrl('HTTPS://www.News.com/x/?b=2&a=1&fbclid=zz'), normaliseUrl('http://news.com/x?a=1&b=2'));
    assert.notEqual(normaliseUrl('http://news.com/x?a=1'), normaliseUrl('http://news.com/x?a=2'));
    assert.equal(normaliseUrl('not a url at all'), null);
  });
});

describe('shingles', () => {
  it('uses CJK character bigrams, unchanged by clause order', () => {
    const a = shingles(normaliseText('今天天气很好，我们去公园散步。').text);
    const b = shingles(normaliseText('我们去公园散步，今天天气很好').text);
    assert.equal(a.length, 5 + 6);
    assert.equal(jaccard(a, b), 1);
  });
  it('uses word bigrams for other scripts', () => {
    const a = shingles('the quick brown fox');
    assert.equal(a.length, 3);
    assert.equal(jaccard(a, shingles('the quick brown dog')), 2 / 4);
  });
  it('matches Traditional and Simplified variants exactly', () => {
    const t = shingles(normaliseText('這個國家的經濟發展很快，人民生活越來越好').text);
    const s = shingles(normaliseText('这个国家的经济发展很快，人民生活越来越好').text);
    assert.equal(jaccard(t, s), 1);
  });
});

/** Two sets with a chosen exact Jaccard: `shared` common elements plus `only` each. */
function pairWith(rng: ReturnType<typeof createRng>, shared: number, only: number): [Uint32Array, Uint32Array] {
  const pool = new Set<number>();
  while (pool.size < shared + 2 * only) pool.add((rng.next() * 2 ** 32) >>> 0);
  const v = [...pool];
  const a = Uint32Array.from(v.slice(0, shared + only)).sort();
  const b = Uint32Array.from([...v.slice(0, shared), ...v.slice(shared + only)]).sort();
  return [a, b];
}

describe('one-permutation MinHash', () => {
  it('gives the signature of its definition: densified bins probe the sequence fmix32(combine(combine(seed, bin), attempt))', () => {
    // The definition written plainly (no tabulated probes), as the detector computed it before.
    const SEED = 0x5bd1e995;
    const plain = (set: Uint32Array, k: number): number[] => {
      const shift = 32 - Math.log2(k);
      const sig = new Array<number>(k).fill(0xffffffff);
      for (const x of set) {
        const g = fmix32(x ^ SEED);
        const bin = g >>> shift;
        const v = (g & ((1 << shift) - 1)) >>> 0;
        if (v < sig[bin]!) sig[bin] = v;
      }
      if (!set.length) return sig;
      const filled = sig.map((v) => v !== 0xffffffff);
      return sig.map((v, i) => {
        if (filled[i]) return v;
        for (let attempt = 0; ; attempt++) {
          const j = fmix32(combine(combine(SEED, i), attempt)) & (k - 1);
          if (filled[j]) return sig[j]!;
        }
      });
    };
    const rng = createRng(11);
    for (const k of [16, 64, 256]) {
      // From one shingle (nearly every bin probes, many beyond the tabulated 16) to more than k.
      for (const size of [1, 2, 3, 5, 20, 60, 300]) {
        const set = Uint32Array.from({ length: size }, () => (rng.next() * 2 ** 32) >>> 0).sort();
        assert.deepEqual([...signature(set, k)], plain(set, k), `k ${k}, ${size} shingles`);
      }
    }
  });
  it('agrees with exact Jaccard within the tolerance k implies', () => {
    const rng = createRng(3);
    const k = 64;
    let sumErr = 0;
    let outside3 = 0;
    const trials = 400;
    for (let t = 0; t < trials; t++) {
      const shared = rng.int(5, 80);
      const only = rng.int(0, 40);
      const [a, b] = pairWith(rng, shared, only);
      const j = jaccard(a, b);
      const e = estimate(signature(a, k), signature(b, k));
      const sd = estimateStdError(j, k);
      sumErr += e - j;
      if (Math.abs(e - j) > 3 * sd + 1 / k) outside3++;
    }
    // Unbiased: the mean error is near zero; at 3σ only a handful of 400 trials may fall outside.
    assert.ok(Math.abs(sumErr / trials) < 0.02, `mean error ${sumErr / trials}`);
    assert.ok(outside3 <= 8, `${outside3} of ${trials} estimates beyond 3σ`);
  });
  it('gives identical signatures to identical sets and distinct ones to disjoint sets', () => {
    const rng = createRng(4);
    const [a, b] = pairWith(rng, 0, 50);
    assert.deepEqual(signature(a, 64), signature(Uint32Array.from(a), 64));
    assert.ok(estimate(signature(a, 64), signature(b, 64)) < 0.1);
  });
  it('bands make similar pairs candidates with the predicted probability', () => {
    const rng = createRng(5);
    let hits = 0;
    const trials = 300;
    for (let t = 0; t < trials; t++) {
      const [a, b] = pairWith(rng, 60, 5); // J = 60/70 ≈ 0.857
      const ka = new Uint32Array(16);
      const kb = new Uint32Array(16);
      bandKeys(signature(a, 64), 16, 4, ka, 0);
      bandKeys(signature(b, 64), 16, 4, kb, 0);
      if (ka.some((x, i) => x === kb[i])) hits++;
    }
    assert.ok(hits / trials >= candidateProbability(0.857, 16, 4) - 0.02, `${hits}/${trials}`);
  });
});
