import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { computeFeatures } from '../../../src/detect/coordination/features.ts';
import { mergeFeatures, pairsFromFeatures } from '../../../src/detect/coordination/engine.ts';
import { resolveOptions } from '../../../src/detect/coordination/options.ts';
import { normaliseText } from '../../../src/detect/coordination/normalise.ts';
import { jaccard, shingles } from '../../../src/detect/coordination/shingle.ts';
import { radixSortPairs } from '../../../src/detect/coordination/window.ts';
import type { PostBatch } from '../../../src/detect/coordination/read.ts';
import { createRng } from '../../../src/util/random.ts';
import { COMMON, smallEdit } from '../../../src/collect/synthetic/variants.ts';

describe('radix sort', () => {
  it('sorts by key and keeps equal keys in input order', () => {
    const rng = createRng(1);
    const n = 5000;
    const items = Int32Array.from({ length: n }, (_, i) => i);
    const keys = Uint32Array.from({ length: n }, () => (rng.next() < 0.5 ? rng.int(0, 20) : (rng.next() * 2 ** 32) >>> 0));
    const expected = [...items].sort((a, b) => keys[a] - keys[b] || a - b);
    const k2 = keys.slice();
    radixSortPairs(items, k2, new Int32Array(n), new Uint32Array(n));
    assert.deepEqual([...items], expected);
    assert.deepEqual([...k2], expected.map((i) => keys[i]));
  });
});

describe('LSH in a sliding window against brute force', () => {
  it('finds every in-window pair with Jaccard ≥ 0.8 and nothing else', () => {
    const rng = createRng(9);
    const batch: PostBatch = { length: 0, id: [], account: [], time: [], text: [], replyTo: [], repostOf: [], hashtags: [], urls: [] };
    const bases = Array.from({ length: 60 }, () => Array.from({ length: 40 }, () => COMMON[rng.int(0, COMMON.length - 1)]).join(''));
    for (let i = 0; i < 1500; i++) {
      let text = rng.pick(bases);
      for (let e = rng.int(0, 4); e > 0; e--) text = smallEdit(text, rng);
      batch.id.push(i + 1);
      batch.account.push(rng.int(1, 300));
      batch.time.push(rng.int(0, 6 * 3600) * 1000);
      batch.text.push(text);
      batch.replyTo.push(null);
      batch.repostOf.push(null);
      batch.hashtags.push(null);
      batch.urls.push(null);
    }
    batch.length = batch.id.length;
    const opts = resolveOptions({ types: ['similar'], windowSeconds: 1800, similarity: 0.8 });
    // Two feature batches, to cover merging.
    const half = (from: number, to: number): PostBatch => ({
      length: to - from, id: batch.id.slice(from, to), account: batch.account.slice(from, to), time: batch.time.slice(from, to),
      text: batch.text.slice(from, to), replyTo: batch.replyTo.slice(from, to), repostOf: batch.repostOf.slice(from, to),
      hashtags: batch.hashtags.slice(from, to), urls: batch.urls.slice(from, to),
    });
    const f = mergeFeatures([computeFeatures(half(0, 700), opts), computeFeatures(half(700, 1500), opts)], opts.bands);
    const got = pairsFromFeatures(f, opts);
    const found = new Set<string>();
    for (let i = 0; i < got.pairs.length; i++) found.add(`${Math.min(got.pairs.postA[i], got.pairs.postB[i])}:${Math.max(got.pairs.postA[i], got.pairs.postB[i])}`);
    const sh = batch.text.map((t) => shingles(normaliseText(t).text));
    const exact = new Set<string>();
    for (let i = 0; i < batch.length; i++) {
      for (let j = i + 1; j < batch.length; j++) {
        if (batch.account[i] === batch.account[j] || Math.abs(batch.time[i] - batch.time[j]) > 1800_000) continue;
        if (jaccard(sh[i], sh[j]) >= 0.8) exact.add(`${i + 1}:${j + 1}`);
      }
    }
    assert.ok(exact.size > 200, `only ${exact.size} true pairs`);
    for (const p of found) assert.ok(exact.has(p), `reported pair ${p} is not a true pair`);
    let hit = 0;
    for (const p of exact) if (found.has(p)) hit++;
    // 16 bands × 4 rows: a pair at J = 0.8 is a candidate with probability 0.9998.
    assert.ok(hit / exact.size >= 0.995, `recall ${hit}/${exact.size}`);
  });
});
