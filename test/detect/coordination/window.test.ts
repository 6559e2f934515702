import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backends, type TestStore } from '../../helpers/stores.ts';
import { runCoordination } from '../../../src/detect/coordination/index.ts';
import { p, postIds, seed } from './fixtures.ts';

const W = 3600;
const HOUR = 3600_000;
const T0 = Date.UTC(2024, 2, 1, 10, 0, 0);
const TEXT = '我们坚决支持这项伟大的政策，人民群众一致拥护，这是历史的选择';
const TEXT2 = '外国势力的抹黑不会得逞，真相终将大白于天下，大家一起来转发';

/** Every edge (all types) with its evidence pairs as "a:b" store ids. */
function evidenceSet(res: Awaited<ReturnType<typeof runCoordination>>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const e of res.network.edges) {
    for (const [a, b] of e.evidence) {
      const k = `${Math.min(a, b)}:${Math.max(a, b)}`;
      if (!out.has(k)) out.set(k, new Set());
      out.get(k)!.add(e.edge_type);
    }
  }
  return out;
}

for (const b of backends()) {
  describe(`coordination window is exact [${b.label}]`, () => {
    let t: TestStore;
    before(async () => {
      t = await b.open();
      const posts = [
        // Near misses: identical text (and link, repost, reply, hashtags), 1 s beyond the window.
        p('n1', 'A', T0, TEXT, { repostOfId: 'r1', replyToId: 'q1', urls: ['https://x.org/a'], hashtags: ['h1', 'h2'] }),
        p('n2', 'B', T0 + W * 1000 + 1000, TEXT, { repostOfId: 'r1', replyToId: 'q1', urls: ['https://x.org/a'], hashtags: ['h1', 'h2'] }),
        // One millisecond beyond.
        p('n3', 'A', T0 + 5 * HOUR, TEXT2),
        p('n4', 'B', T0 + 5 * HOUR + W * 1000 + 1, TEXT2),
        // Straddling an hour boundary by one second each side.
        p('s1', 'C', T0 + 10 * HOUR - 1000, TEXT, { repostOfId: 'r2', replyToId: 'q2', urls: ['https://www.y.org/b?utm_source=1'], hashtags: ['h3', 'h4'] }),
        p('s2', 'D', T0 + 10 * HOUR + 1000, `${TEXT}！`, { repostOfId: 'r2', replyToId: 'q2', urls: ['http://y.org/b/'], hashtags: ['H3', 'h4'] }),
        // Straddling a minute boundary, and exactly one window apart (inclusive) across an hour.
        p('s3', 'C', T0 + 20 * HOUR + 59_999, TEXT2),
        p('s4', 'D', T0 + 20 * HOUR + 60_001, TEXT2),
        p('s5', 'E', T0 + 30 * HOUR - 1_800_000, TEXT2),
        p('s6', 'F', T0 + 30 * HOUR + 1_800_000, TEXT2),
      ];
      await seed(t.store, posts);
    });
    after(async () => t.cleanup());

    it('never pairs posts outside the window and always pairs those inside, across boundaries', async () => {
      const res = await runCoordination(t.store, { windowSeconds: W, minWeight: 1, minParticipation: 1, minCampaignSize: 2, chunkSize: 100 });
      const ids = await postIds(t.store);
      const ev = evidenceSet(res);
      const pair = (x: string, y: string) => {
        const a = ids.get(x)!;
        const b2 = ids.get(y)!;
        return ev.get(`${Math.min(a, b2)}:${Math.max(a, b2)}`);
      };
      assert.equal(pair('n1', 'n2'), undefined, 'near miss by 1 s became an edge');
      assert.equal(pair('n3', 'n4'), undefined, 'near miss by 1 ms became an edge');
      assert.deepEqual([...pair('s1', 's2')!].sort(), ['co_hashtag_sequence', 'co_link', 'co_reply', 'co_retweet', 'co_similar_tweet', 'co_tweet']);
      assert.deepEqual([...pair('s3', 's4')!].sort(), ['co_similar_tweet', 'co_tweet']);
      assert.deepEqual([...pair('s5', 's6')!].sort(), ['co_similar_tweet', 'co_tweet']);
      const accounts = new Set(res.network.nodes.map((n) => n.id));
      assert.ok(!accounts.has('A') && !accounts.has('B'));
    });

  });
}
