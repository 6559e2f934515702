/**
 * Campaigns through the API, on both backends: named by their representative text, their posts
 * in near-duplicate groups whose counts add up to the campaign (checked against the store), no
 * post shown twice, edge types in words, posts over time that account for every post. Once on
 * the seeded observatory (a hand-planted finding) and once on a finding the real detector wrote.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backends, type TestStore } from '../helpers/stores.ts';
import { startServer, type RunningServer } from '../../src/serve/server.ts';
import { CAMPAIGN_TEXTS, seedObservatory, type Seeded } from '../../src/serve/fixtures.ts';
import { runCoordination } from '../../src/detect/coordination/index.ts';
import { ensureSource } from '../../src/store/queries/sources.ts';
import type { PostRecord } from '../../src/store/bulk.ts';

interface Post { id: number; text: string; account: string | null; created_at: number | null }
interface Group { text: string; name: string; language: string | null; posts: number; accounts: number; variants: number; first: string; last: string; examplePostIds: number[]; examples: Post[] }
interface Detail {
  id: string; name: string | null; name_language: string | null; name_post_id: number | null;
  evidence: { posts: number; edges: Array<{ edge_type: string; weight: number }> };
  edgeTypes: Array<{ type: string; label: string; pairs: number; weight: number }>;
  textGroups: Group[];
  textGroupsCover: { posts: number; grouped: number; missing: number; groups: number; listed: number; similarity: number };
  activity: { bucketSeconds: number; buckets: number[]; series: Array<{ group: number | null; counts: number[] }> } | null;
  pairs: Array<{ left: Post; right: Post }>;
  timeline: Post[];
}
interface ListItem { id: string; name: string | null; name_language: string | null; sample: Array<{ text: string; posts: number | null }> }

const messageOf = (text: string) => CAMPAIGN_TEXTS.findIndex((m) => m.includes(text));

/** Every post id shown in a campaign's groups and pairs, with repeats. */
function shownIds(c: Detail): { examples: number[]; listed: number[]; paired: number[] } {
  return {
    examples: c.textGroups.flatMap((g) => g.examples.map((p) => p.id)),
    listed: c.textGroups.flatMap((g) => g.examplePostIds),
    paired: c.pairs.flatMap((p) => [p.left.id, p.right.id]),
  };
}

for (const b of backends()) {
  describe(`campaigns named by their texts [${b.label}]`, () => {
    let ts: TestStore;
    let server: RunningServer;
    let seeded: Seeded;
    const get = async <T>(path: string) => {
      const res = await fetch(server.url + path);
      assert.equal(res.status, 200, `${path}: ${res.status}`);
      return (await res.json()) as T;
    };

    before(async () => {
      ts = await b.open();
      seeded = await seedObservatory(ts.store, { posts: 800, seed: 11 });
      server = await startServer(ts.store, { port: 0 });
    });
    after(async () => {
      await server?.close();
      await ts?.cleanup();
    });

    it('names the campaign by the representative text of its most shared message, in the list and on its page', async () => {
      const list = await get<{ items: ListItem[] }>('/api/campaigns');
      const item = list.items.find((c) => c.id === seeded.campaignKey)!;
      const c = await get<Detail>(`/api/campaigns/${seeded.campaignKey}`);
      // The store's own count of each message among the campaign's posts.
      const rows = await ts.store.db.selectFrom('posts').select(['id', 'text']).where('id', 'in', c.timeline.map((p) => p.id)).execute();
      const perMessage = CAMPAIGN_TEXTS.map((_, m) => rows.filter((r) => messageOf(r.text) === m).length);
      const top = perMessage.indexOf(Math.max(...perMessage));
      assert.ok(item.name && CAMPAIGN_TEXTS[top]!.includes(item.name), `name ${item.name} is a wording of message ${top}`);
      assert.equal(c.name, item.name);
      assert.equal(item.name_language, 'zh');
      assert.equal(c.name, c.textGroups[0]!.name, 'the name is the largest group\'s representative');
      assert.equal(rows.find((r) => Number(r.id) === c.name_post_id)?.text, c.name, 'name_post_id is the post the name quotes');
      assert.deepEqual(item.sample.map((s) => s.posts), c.textGroups.slice(0, 3).map((g) => g.posts));
      // A campaign whose posts are not in the store has no name rather than a made-up one.
      const empty = list.items.find((x) => x.id === 'c-seed-2')!;
      assert.equal(empty.name, null);
      assert.deepEqual(empty.sample, []);
      const emptyDetail = await get<Detail>('/api/campaigns/c-seed-2');
      assert.deepEqual([emptyDetail.textGroups, emptyDetail.activity], [[], null]);
    });

    it('groups its posts by message: counts add up to the campaign, and each group is one message of the store', async () => {
      const c = await get<Detail>(`/api/campaigns/${seeded.campaignKey}`);
      const sum = c.textGroups.reduce((s, g) => s + g.posts, 0);
      assert.equal(sum, c.evidence.posts);
      assert.deepEqual(c.textGroupsCover, { posts: c.evidence.posts, grouped: c.evidence.posts, missing: 0, groups: c.textGroups.length, listed: c.textGroups.length, similarity: 0.8 });
      const rows = await ts.store.db.selectFrom('posts').select(['id', 'text']).where('id', 'in', c.timeline.map((p) => p.id)).execute();
      const text = new Map(rows.map((r) => [Number(r.id), r.text]));
      const planted = rows.filter((r) => messageOf(r.text) >= 0);
      for (const g of c.textGroups) {
        const m = messageOf(g.text);
        if (m < 0) {
          assert.equal(g.posts, 1, 'a text outside the planted messages (a hostile post) stands alone');
          continue;
        }
        assert.equal(g.posts, planted.filter((r) => messageOf(r.text) === m).length, `group "${g.name}" counts every post of its message`);
        for (const id of [...g.examplePostIds, ...g.examples.map((p) => p.id)]) assert.equal(messageOf(text.get(id)!), m, `post ${id} belongs to its group's message`);
        assert.ok(g.examples.every((p) => p.text === text.get(p.id)), 'examples quote the store\'s text');
        assert.equal(g.variants, new Set(g.examples.map((p) => p.text.replace(/[\p{P}\p{S}\s]+/gu, ' ').trim().toLowerCase())).size);
        assert.ok(Date.parse(g.first) <= Date.parse(g.last));
      }
    });

    it('never shows a post twice: not among a group\'s examples, not across groups, not in the side-by-side pairs', async () => {
      const c = await get<Detail>(`/api/campaigns/${seeded.campaignKey}`);
      const { examples, listed, paired } = shownIds(c);
      assert.ok(examples.length > c.textGroups.length, 'some group shows more than one wording');
      assert.equal(new Set(examples).size, examples.length);
      assert.equal(new Set(listed).size, listed.length);
      assert.ok(paired.length >= 4);
      assert.equal(new Set(paired).size, paired.length);
    });

    it('names edge types in words and counts them as the evidence does', async () => {
      const c = await get<Detail>(`/api/campaigns/${seeded.campaignKey}`);
      const byType = new Map<string, { pairs: number; weight: number }>();
      for (const e of c.evidence.edges) {
        const t = byType.get(e.edge_type) ?? { pairs: 0, weight: 0 };
        byType.set(e.edge_type, { pairs: t.pairs + 1, weight: t.weight + e.weight });
      }
      assert.deepEqual(new Map(c.edgeTypes.map((t) => [t.type, { pairs: t.pairs, weight: t.weight }])), byType);
      // The planted finding records no detector window: the label does not invent one.
      assert.deepEqual(Object.fromEntries(c.edgeTypes.map((t) => [t.type, t.label])), { co_similar_tweet: 'near-identical text', co_tweet: 'same text' });
    });

    it('counts every post once in posts over time, in UTC-aligned buckets', async () => {
      const c = await get<Detail>(`/api/campaigns/${seeded.campaignKey}`);
      const a = c.activity!;
      const size = a.bucketSeconds * 1000;
      assert.equal(a.series.flatMap((s) => s.counts).reduce((x, y) => x + y, 0), c.evidence.posts);
      assert.ok(a.buckets.every((t, i) => t % size === 0 && (i === 0 || t - a.buckets[i - 1]! === size)));
      assert.ok(a.buckets.length <= 96);
      // Each group's series holds exactly its posts.
      for (const s of a.series) if (s.group !== null) assert.equal(s.counts.reduce((x, y) => x + y, 0), c.textGroups[s.group]!.posts);
      const times = c.timeline.map((p) => p.created_at!);
      assert.ok(a.buckets[0]! <= Math.min(...times) && Math.max(...times) < a.buckets.at(-1)! + size);
    });
  });

  describe(`a campaign the detector found, named and grouped [${b.label}]`, () => {
    let ts: TestStore;
    let server: RunningServer;
    let key: string;
    const T0 = Date.UTC(2025, 2, 3, 9, 0, 0);
    const MESSAGES = [
      ['境外势力的抹黑不会得逞，真相终将大白于天下，大家一起来转发', '境外势力的抹黑不会得逞，真相终将大白于天下，请大家一起来转发！', '境外勢力的抹黑不會得逞，真相終將大白於天下，大家一起來轉發'],
      ['Nord Stream was bombed by the United States, top investigative reporters found out the details'],
    ];

    before(async () => {
      ts = await b.open();
      const src = await ensureSource(ts.store, { name: 'detector-fixture', kind: 'import', platform: 'test' });
      const posts: PostRecord[] = [];
      // Five accounts post the first message three times (in three wordings), the second twice.
      for (let round = 0; round < 5; round++) {
        for (let a = 0; a < 5; a++) {
          const m = round < 3 ? 0 : 1;
          const wording = MESSAGES[m]![(a + round) % MESSAGES[m]!.length]!;
          posts.push({
            platformPostId: `r${round}-a${a}`, accountId: `acct${a}`, accountHandle: `handle${a}`, accountName: null, createdAt: T0 + round * 86_400_000 + a * 120_000,
            text: wording, language: m === 0 ? 'zh' : 'en', url: null, replyToId: null, repostOfId: null, hashtags: null, urls: null, mentions: null,
            status: 'visible', statusChangedAt: null, statusEvidence: null, extra: null,
          });
        }
      }
      await ts.store.bulkWriter().writePosts(Number(src.id), posts, T0 + 10 * 86_400_000);
      const result = await runCoordination(ts.store, { workers: 0 });
      assert.equal(result.campaigns.length, 1);
      key = result.campaigns[0]!.id;
      server = await startServer(ts.store, { port: 0 });
    });
    after(async () => {
      await server?.close();
      await ts?.cleanup();
    });

    it('takes the name from the most shared message, the labels from the detector\'s recorded window, and groups every post', async () => {
      const c = (await (await fetch(`${server.url}/api/campaigns/${encodeURIComponent(key)}`)).json()) as Detail;
      assert.ok(MESSAGES[0]!.includes(c.name!), String(c.name));
      assert.equal(c.name_language, 'zh');
      // Traditional characters and punctuation are the same wording to the detector; 请 makes a second.
      assert.deepEqual(c.textGroups.map((g) => [g.posts, g.accounts, g.variants]), [[15, 5, 2], [10, 5, 1]]);
      assert.equal(c.textGroups[1]!.language, 'en');
      assert.equal(c.textGroups.reduce((s, g) => s + g.posts, 0), c.evidence.posts);
      const labels = c.edgeTypes.map((t) => t.label);
      assert.ok(labels.includes('same text within 1 h'), labels.join('; '));
      assert.ok(labels.every((l) => / within 1 h$/.test(l)), labels.join('; '));
      const { examples, listed, paired } = shownIds(c);
      for (const ids of [examples, listed, paired]) assert.equal(new Set(ids).size, ids.length);
      // Each group lists its first ten posts, earliest first.
      const timeOf = new Map(c.timeline.map((p) => [p.id, p.created_at!]));
      for (const g of c.textGroups) {
        assert.equal(g.examplePostIds.length, Math.min(10, g.posts));
        const times = g.examplePostIds.map((id) => timeOf.get(id)!);
        assert.deepEqual(times, [...times].sort((x, y) => x - y));
        assert.equal(times[0], Date.parse(g.first));
      }
    });
  });
}
