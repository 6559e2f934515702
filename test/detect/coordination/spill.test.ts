/**
 * The segment spill writes a batch grouped by segment as slices of its arrays and any other batch
 * by copying each segment's posts out; both must read back as the same posts with the same
 * features, tails included.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SegmentSpill, readSpillFile as readBack } from '../../../src/detect/coordination/spill.ts';
import { bySegment } from '../../../src/detect/coordination/segment.ts';
import { computeFeatures, type FeatureBatch } from '../../../src/detect/coordination/features.ts';
import { mergeFeatures } from '../../../src/detect/coordination/engine.ts';
import { resolveOptions } from '../../../src/detect/coordination/options.ts';
import type { PostBatch } from '../../../src/detect/coordination/read.ts';
import { createRng } from '../../../src/util/random.ts';

const opts = resolveOptions({});
const H = 3_600_000;

function batch(n: number, seed: number): PostBatch {
  const rng = createRng(seed);
  const b: PostBatch = { length: n, id: [], account: [], time: [], text: [], replyTo: [], repostOf: [], hashtags: [], urls: [] };
  for (let i = 0; i < n; i++) {
    b.id.push(i + 1);
    b.account.push(rng.int(1, 20));
    b.time.push(rng.int(-2, 30) * H + rng.int(0, H - 1)); // some before the start, some past the end
    b.text.push(`第${rng.int(0, 9)}条消息，大家都说这项政策很好，我们坚决支持 #话题${i % 3}# https://e.org/${i % 4}`);
    b.replyTo.push(i % 5 === 0 ? `r${i % 3}` : null);
    b.repostOf.push(null);
    b.hashtags.push(null);
    b.urls.push(null);
  }
  return b;
}

/** Every post's features keyed by id, as plain data. */
function byId(parts: FeatureBatch[]): Map<number, string> {
  const f = mergeFeatures(parts, opts.bands);
  const out = new Map<number, string>();
  for (let i = 0; i < f.n; i++) {
    const ev = Array.from({ length: f.evStart[i + 1]! - f.evStart[i]! }, (_, x) => `${f.evType[f.evStart[i]! + x]}:${f.evKey[f.evStart[i]! + x]}`);
    out.set(f.id[i]!, JSON.stringify([f.account[i], f.time[i], f.usable[i], [...f.keys.subarray(i * opts.bands, (i + 1) * opts.bands)], [...f.pool.subarray(f.offsets[i], f.offsets[i + 1])], ev]));
  }
  return out;
}

describe('segment spill', () => {
  it('reads back the same posts and tails from a batch grouped by segment as from one in any order', () => {
    const spills = [new SegmentSpill(0, 6 * H, 4, opts.bands, H), new SegmentSpill(0, 6 * H, 4, opts.bands, H)];
    try {
      for (const seed of [1, 2, 3]) {
        const b = batch(400, seed);
        spills[0]!.write(computeFeatures(bySegment(b, spills[0]!.geometry), opts));
        spills[1]!.write(computeFeatures(b, opts));
      }
      for (let k = -1; k < 4; k++) {
        const tails = spills.map((s) => byId(s.readTail(k)));
        assert.deepEqual(tails[0], tails[1], `tail of segment ${k}`);
        if (k >= 0 && k < 3) assert.ok(tails[0]!.size > 0, `segment ${k} has a tail`);
        if (k < 0) continue;
        const read = spills.map((s) => {
          const file = s.segmentPath(k);
          return file ? byId(readBack(file)) : new Map();
        });
        assert.ok(read[0]!.size > 100, `segment ${k} has posts`);
        assert.deepEqual(read[0], read[1], `segment ${k}`);
        for (const [, v] of read[0]!) {
          const t = JSON.parse(v)[1] as number;
          assert.ok(k === 3 ? t >= 18 * H : t >= k * 6 * H && t < (k + 1) * 6 * H, `a post at ${t} is not in segment ${k}`);
        }
      }
    } finally {
      for (const s of spills) s.close();
    }
  });
});
