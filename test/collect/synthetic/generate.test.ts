import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { generateSynthetic } from '../../../src/collect/synthetic/generate.ts';
import { loadCorpus, sharedDataDir } from '../../../src/collect/synthetic/corpus.ts';
import { normaliseText } from '../../../src/detect/coordination/normalise.ts';
import { jaccard, shingles } from '../../../src/detect/coordination/shingle.ts';
import type { PostRecord } from '../../../src/store/bulk.ts';

const W = 3600_000;

function all(posts: number, seed: number, corpus = loadCorpus(null)) {
  const data = generateSynthetic({ posts, seed, corpus });
  const list: PostRecord[] = [...data.planted];
  for (const b of data.organic(1000)) list.push(...b);
  return { data, list, byId: new Map(list.map((p) => [p.platformPostId, p])) };
}

describe('synthetic ground truth', () => {
  it('is reproducible from its seed and has the requested size and unique ids', () => {
    const a = all(5000, 3);
    const b = all(5000, 3);
    assert.equal(a.list.length, 5000);
    assert.equal(new Set(a.list.map((p) => p.platformPostId)).size, 5000);
    assert.deepEqual(a.list.slice(0, 50), b.list.slice(0, 50));
    assert.deepEqual(a.data.truth, b.data.truth);
    assert.notDeepEqual(all(5000, 4).data.truth.campaigns[0].accounts, a.data.truth.campaigns[0].accounts);
  });

  it('puts near-miss pairs just outside the window and straddle pairs inside, across a boundary', () => {
    const { data, byId } = all(3000, 5);
    assert.ok(data.truth.nearMiss.length >= 9 && data.truth.straddle.length >= 9);
    for (const [x, y] of data.truth.nearMiss) {
      const gap = Math.abs(byId.get(x)!.createdAt! - byId.get(y)!.createdAt!);
      assert.ok(gap > W && gap <= 2 * W + 120_000, `near-miss gap ${gap}`);
      assert.equal(byId.get(x)!.text, byId.get(y)!.text);
    }
    let hour = 0;
    let minute = 0;
    for (const [x, y] of data.truth.straddle) {
      const [t1, t2] = [byId.get(x)!.createdAt!, byId.get(y)!.createdAt!].sort((m, n) => m - n);
      assert.ok(t2 - t1 <= W, 'straddle pair outside the window');
      if (Math.floor(t1 / W) !== Math.floor(t2 / W)) hour++;
      if (Math.floor(t1 / 60_000) !== Math.floor(t2 / 60_000)) minute++;
    }
    assert.ok(hour >= 3 && minute >= 6, `hour ${hour} minute ${minute}`);
  });

  it('plants near-identical variants (edits, reordering, Traditional script, full width) of each message', () => {
    const { data, byId } = all(3000, 6);
    let similar = 0;
    let traditional = 0;
    for (const [x, y] of data.truth.pairs) {
      const a = shingles(normaliseText(byId.get(x)!.text).text);
      const b = shingles(normaliseText(byId.get(y)!.text).text);
      if (jaccard(a, b) >= 0.8) similar++;
    }
    for (const c of data.truth.campaigns) for (const id of c.posts) if (/[這們發對說國]/.test(byId.get(id)!.text)) traditional++;
    assert.ok(similar / data.truth.pairs.length >= 0.95, `${similar}/${data.truth.pairs.length}`);
    assert.ok(traditional > 0, 'no Traditional-script variants');
    const raw = new Set(data.truth.pairs.flatMap((p) => p).map((id) => byId.get(id)!.text));
    assert.ok(raw.size > data.truth.campaigns.length * 3, 'variants are not just copies');
  });

  it('uses real Chinese background text and Spamouflage seeds from shared data when present', (t) => {
    if (!existsSync(path.join(sharedDataDir(), 'organic-chinese'))) {
      t.skip(`shared data not found at ${sharedDataDir()}`);
      return;
    }
    const corpus = loadCorpus();
    assert.equal(corpus.source, 'shared');
    assert.ok(corpus.organic.length > 10000);
    assert.ok(corpus.seeds.length > 0 && corpus.seeds.every((s) => !/\[\.\]/.test(s)));
    const { list } = all(2000, 7, corpus);
    const organicTexts = new Set(corpus.organic);
    assert.ok(list.filter((p) => organicTexts.has(p.text)).length > 500);
  });
});
