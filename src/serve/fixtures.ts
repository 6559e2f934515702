/**
 * Generated observatory data for the server's tests and benchmark: posts through the
 * foundation's bulk path, then observations, disappearances and findings as the watch and
 * detectors would write them. Deterministic for a seed.
 */
import { mulberry32 as rng } from '../util/random.ts';
import type { Store } from '../store/open.ts';
import type { PostRecord } from '../store/bulk.ts';
import type { PostStatus } from '../store/schema.ts';
import { ensureSource } from '../store/queries/sources.ts';
import { serveDb, isMissingTable } from './api/tables.ts';
import { normaliseText } from '../detect/coordination/normalise.ts';

export const XSS_TEXTS = ['<img src=x onerror=alert(1)>', '<script>alert("xss")</script> 看看这个'];

/** The planted campaign's messages, each in the variants its accounts post. */
export const CAMPAIGN_TEXTS = [
  ['坚决拥护清朗行动，净化网络空间人人有责，大家一起转发支持！', '坚决拥护清朗行动!净化网络空间 人人有责 大家一起转发支持!!', '堅決擁護清朗行動，淨化網絡空間人人有責，大家一起轉發支持！', '坚决拥护清朗行动，净化网络空间人人有责，请大家一起转发支持！'],
  ['境外媒体的抹黑报道全是谎言，真相只有一个，请看官方通报', '境外媒体的抹黑报道全是谎言。真相只有一个，请看官方通报。'],
  ['Foreign media lies about the region will never succeed. Share the truth with everyone!', 'Foreign media LIES about the region will never succeed — share the truth with everyone'],
];

const WORDS = ['天气', '学生', '政府', '广场', '游行', '新闻', '手机', '午饭', '电影', '音乐', '维权', '上访', 'weather', 'lunch', 'protest', 'music'];


export interface SeedOptions {
  posts: number;
  accounts?: number;
  seed?: number;
  /** Epoch ms of the newest post (default: now). */
  now?: number;
  /** Add the XSS payload posts (default true). */
  xss?: boolean;
  /** Observations per non-visible post, and for this share of visible posts. */
  observeShare?: number;
  batch?: number;
  onProgress?: (done: number) => void;
  /** Mark the source simulated, as generated data is (default true; false to test a store of observed data). */
  simulated?: boolean;
}

export interface Seeded {
  sourceId: number;
  /** Store ids of the XSS posts. */
  xssPostIds: number[];
  campaignKey: string;
  removedPostId: number;
}

const HOUR = 3_600_000;

/** Fills `store` with a small observatory's worth of data. */
export async function seedObservatory(store: Store, opts: SeedOptions): Promise<Seeded> {
  const rand = rng(opts.seed ?? 1);
  const now = opts.now ?? Date.now();
  const nAccounts = opts.accounts ?? Math.max(10, Math.floor(opts.posts / 50));
  const source = await ensureSource(store, { name: 'sim-mastodon', kind: 'mastodon', platform: 'mastodon', config: { url: 'http://127.0.0.1:1/', ...(opts.simulated ?? true ? { simulated: true } : {}) } });
  const writer = store.bulkWriter();
  const batch = opts.batch ?? 10_000;
  const span = 48 * HOUR;
  let written = 0;
  for (let start = 0; start < opts.posts; start += batch) {
    const records: PostRecord[] = [];
    for (let i = start; i < Math.min(opts.posts, start + batch); i++) {
      const created = now - span + Math.floor((i / opts.posts) * span);
      const r = rand();
      const status: PostStatus = r < 0.04 ? 'removed_by_platform' : r < 0.05 ? 'deleted' : r < 0.06 ? 'deleted_by_author' : r < 0.065 ? 'account_gone' : 'visible';
      const acct = Math.floor(rand() * rand() * nAccounts);
      const text = `${WORDS[Math.floor(rand() * WORDS.length)]} ${WORDS[Math.floor(rand() * WORDS.length)]} post ${i}`;
      records.push({
        platformPostId: `p${i}`, accountId: `a${acct}`, accountHandle: `user${acct}`, accountName: `User ${acct}`, createdAt: created,
        text, language: 'zh', url: `https://example.invalid/@user${acct}/${i}`, replyToId: null, repostOfId: null,
        hashtags: null, urls: null, mentions: null, status,
        statusChangedAt: status === 'visible' ? null : Math.min(now - 60_000, created + 20 * 60_000 + Math.floor(rand() * HOUR)),
        statusEvidence: status === 'visible' ? null : { by: 'seed', http: status === 'removed_by_platform' ? 410 : 404 }, extra: null,
      });
    }
    await writer.writePosts(Number(source.id), records, now, { versions: false });
    written = Math.min(opts.posts, start + batch);
    opts.onProgress?.(written);
  }
  const xssPostIds: number[] = [];
  if (opts.xss ?? true) {
    await writer.writePosts(Number(source.id), XSS_TEXTS.map((text, i) => ({
      platformPostId: `xss${i}`, accountId: 'a-evil', accountHandle: '<b onmouseover=alert(2)>evil</b>', accountName: null, createdAt: now - HOUR,
      text, language: null, url: 'javascript:alert(3)', replyToId: null, repostOfId: null, hashtags: null, urls: null, mentions: null,
      status: 'removed_by_platform', statusChangedAt: now - 30 * 60_000, statusEvidence: { note: '<script>alert(4)</script>' }, extra: null,
    })), now);
    const rows = await store.db.selectFrom('posts').select('id').where('platform_post_id', 'like', 'xss%').orderBy('id').execute();
    xssPostIds.push(...rows.map((r) => Number(r.id)));
  }
  const db = serveDb(store.db);
  // Observations and disappearances for every non-visible post, as the watcher writes them.
  const gone = await db.selectFrom('posts').select(['id', 'status', 'status_changed_at']).where('status', '<>', 'visible').orderBy('id').execute();
  let hasDisappearances = true;
  for (let i = 0; i < gone.length; i += 500) {
    const chunk = gone.slice(i, i + 500);
    const obs = chunk.flatMap((p) => {
      const t = Number(p.status_changed_at ?? now);
      return [
        { post_id: Number(p.id), observed_at: t - 15 * 60_000, outcome: 'visible', http_status: 200, error_code: null, detail: null },
        { post_id: Number(p.id), observed_at: t, outcome: p.status, http_status: p.status === 'removed_by_platform' ? 410 : 404, error_code: null, detail: JSON.stringify({ body: '<i>gone</i>' }) },
      ];
    });
    await db.insertInto('observations').values(obs).execute();
    if (!hasDisappearances) continue;
    const proof = await db.selectFrom('observations').select(['id', 'post_id', 'observed_at']).where('post_id', 'in', chunk.map((p) => Number(p.id)))
      .where('outcome', '<>', 'visible').execute();
    try {
      if (proof.length) {
        await db.insertInto('disappearances').values(proof.map((o) => {
          const p = chunk.find((c) => Number(c.id) === Number(o.post_id))!;
          return { post_id: Number(o.post_id), kind: p.status, last_seen_at: Number(o.observed_at) - 15 * 60_000, first_missing_at: Number(o.observed_at), observation_id: Number(o.id), detected_at: Number(o.observed_at) } as never;
        })).execute();
      }
    } catch (err) {
      if (!isMissingTable(err)) throw err;
      hasDisappearances = false;
    }
  }
  // Recent health checks: a few per minute over the last 20 minutes, some transient errors.
  const sample = await db.selectFrom('posts').select('id').orderBy('id', 'desc').limit(200).execute();
  await db.insertInto('observations').values(sample.map((p, i) => ({
    post_id: Number(p.id), observed_at: now - (i % 20) * 60_000 - 1000, outcome: i % 17 === 0 ? 'transient' : 'visible',
    http_status: i % 17 === 0 ? 503 : 200, error_code: i % 17 === 0 ? 'http_503' : null, detail: null,
  }))).execute();

  // A planted campaign over the first accounts' posts, and a terms run.
  const campaignPosts = await db.selectFrom('posts as p').innerJoin('accounts as a', 'a.id', 'p.account_id')
    .select(['p.id', 'p.platform_post_id', 'p.created_at', 'p.text', 'a.platform_account_id', 'a.id as account_id'])
    .where('a.platform_account_id', 'in', ['a1', 'a2', 'a3', 'a4', 'a5', 'a-evil']).orderBy('p.id').limit(60).execute();
  // Its posts say one of three messages, in variants a campaign uses (punctuation, spacing,
  // Traditional characters, a word added), so the page has near-duplicate groups to show.
  for (let k = 0; k < campaignPosts.length; k++) {
    const p = campaignPosts[k]!;
    if (p.platform_post_id.startsWith('xss')) continue;
    const msg = CAMPAIGN_TEXTS[k % 5 < 3 ? 0 : k % 5 === 3 ? 1 : 2]!;
    p.text = msg[k % msg.length]!;
    await db.updateTable('posts').set({ text: p.text }).where('id', '=', Number(p.id)).execute();
  }
  const accounts = [...new Set(campaignPosts.map((p) => p.platform_account_id))];
  // Edges as the detector writes them: between two accounts, their post pairs with the same
  // normalised text (co_tweet) or another variant of the same message (co_similar_tweet).
  const message = (text: string) => CAMPAIGN_TEXTS.findIndex((m) => m.includes(text));
  const edges = [] as Array<{ source: string; target: string; weight: number; edge_type: string; evidence: Array<[number, number]> }>;
  for (let i = 0; i < accounts.length; i++) {
    for (let j = i + 1; j < accounts.length; j++) {
      const byType: Record<string, Array<[number, number]>> = { co_tweet: [], co_similar_tweet: [] };
      for (const a of campaignPosts.filter((p) => p.platform_account_id === accounts[i])) {
        for (const b of campaignPosts.filter((p) => p.platform_account_id === accounts[j])) {
          if (message(a.text) < 0 || message(a.text) !== message(b.text)) continue;
          byType[normaliseText(a.text).text === normaliseText(b.text).text ? 'co_tweet' : 'co_similar_tweet']!.push([Number(a.id), Number(b.id)]);
        }
      }
      for (const [edge_type, evidence] of Object.entries(byType)) {
        if (evidence.length) edges.push({ source: accounts[i]!, target: accounts[j]!, weight: evidence.length, edge_type, evidence: evidence.slice(0, 20) });
      }
    }
  }
  const types: Record<string, number> = {};
  for (const e of edges) types[e.edge_type] = (types[e.edge_type] ?? 0) + e.weight;
  const campaignKey = 'c-seed-1';
  const iso = (t: number | null) => new Date(Number(t ?? now)).toISOString();
  await db.insertInto('findings').values([
    {
      kind: 'campaign', key: campaignKey, score: 0.93, summary: `${accounts.length} accounts posted near-identical texts in a burst.`, created_at: now,
      evidence: JSON.stringify({
        accounts, accountIds: [...new Set(campaignPosts.map((p) => Number(p.account_id)))], posts: campaignPosts.length, postIds: campaignPosts.map((p) => Number(p.id)),
        start: iso(campaignPosts[0]?.created_at ?? now), end: iso(campaignPosts.at(-1)?.created_at ?? now), size: accounts.length, burstiness: 0.8,
        types, edges,
        representative: campaignPosts.slice(0, 4).map((p) => ({ postId: Number(p.id), platformPostId: p.platform_post_id, account: p.platform_account_id, createdAt: iso(p.created_at), text: p.text })),
      }),
    },
    {
      kind: 'campaign', key: 'c-seed-2', score: 0.5, summary: 'A smaller group.', created_at: now,
      evidence: JSON.stringify({ accounts: ['a7', 'a8'], posts: 2, postIds: [], edges: [{ source: 'a7', target: 'a8', weight: 1, edge_type: 'co_link', evidence: [] }] }),
    },
    {
      kind: 'terms', key: 'latest', score: 1, summary: 'Terms removed more often than the baseline.', created_at: now,
      evidence: JSON.stringify({
        baseline: 0.04,
        test: 'author-stratified',
        terms: [
          { term: '维权', posts: 120, removed: 30, rate: 0.25, low: 0.18, high: 0.33, q: 0.0001, qPooled: 1e-9, expected: 12.5 },
          { term: '上访', posts: 90, removed: 18, rate: 0.2, low: 0.13, high: 0.29, q: 0.002, qPooled: 3e-6, expected: 9 },
          { term: '<script>alert(5)</script>', posts: 10, removed: 2, rate: 0.2, low: 0.05, high: 0.5, q: 0.2, qPooled: 0.1, expected: 1 },
        ],
        timeline: { 维权: [{ bucket: '2026-01-01', posts: 40, removed: 8 }, { bucket: '2026-01-02', posts: 80, removed: 22 }] },
      }),
    },
  ]).execute();
  const removed = await db.selectFrom('posts').select('id').where('status', '=', 'removed_by_platform').orderBy('id').limit(1).executeTakeFirst();
  return { sourceId: Number(source.id), xssPostIds, campaignKey, removedPostId: Number(removed?.id ?? 0) };
}
