/**
 * A small store for the evidence-bundle tests: one watched post whose text is hostile HTML, with
 * two versions, a check history (visible, a transient 503, a first 404, the confirming 404) and
 * its disappearance; a planted campaign found by the real coordination detector; and a marker
 * ("zqx") in every account id, handle, display name, account URL and followed account, so a
 * test can prove none leaves a pseudonymised bundle.
 */
import assert from 'node:assert/strict';
import type { Store } from '../../src/store/open.ts';
import type { PostRecord } from '../../src/store/bulk.ts';
import { ensureSource } from '../../src/store/queries/sources.ts';
import { addVersion } from '../../src/watch/record.ts';
import { runCoordination } from '../../src/detect/coordination/index.ts';

export const MARKER = 'zqx';
export const T0 = Date.UTC(2024, 4, 1, 8, 0, 0);
export const HOSTILE = '</blockquote><script>alert("x")</script><img src=x onerror=alert(1)> 看看 & "q" \'s\'';
export const SOURCE = 'masto-ev';
export const EDITED = 'the edited text <b>bold</b>';
const NAMES = ['alice', 'bob', 'carol', 'dave'];
const TEXTS = [
  '我们坚决支持这项伟大的政策，人民群众一致拥护，这是历史的选择',
  '外国势力的抹黑不会得逞，真相终将大白于天下，大家一起来转发',
  '经济发展取得了举世瞩目的成就，老百姓的日子越过越红火了呢',
];
const MIN = 60_000;

export interface EvidenceFixture {
  postId: number;
  platformPostId: string;
  observationIds: number[];
  campaignKey: string;
  campaignPostIds: number[];
}

function record(p: Partial<PostRecord> & Pick<PostRecord, 'platformPostId' | 'text'>): PostRecord {
  return {
    accountId: null, accountHandle: null, accountName: null, createdAt: null, language: 'zh', url: null, replyToId: null, repostOfId: null,
    hashtags: null, urls: null, mentions: null, status: 'visible', statusChangedAt: null, statusEvidence: null, extra: null, ...p,
  };
}

const account = (name: string) => ({ accountId: `zqxid-${name}`, accountHandle: `zqxh_${name}`, accountName: `Zqxname ${name}` });

/** Seeds the fixture; every time in it derives from T0. */
export async function seedEvidence(store: Store): Promise<EvidenceFixture> {
  const src = await ensureSource(store, { name: SOURCE, kind: 'mastodon', platform: 'mastodon', config: { url: 'https://social.example.invalid/' } });
  await ensureSource(store, { name: 'masto @zqxh_followed', kind: 'mastodon', platform: 'mastodon', config: { url: 'https://m.example.invalid/', account: 'zqxh_followed' } });
  const posts: PostRecord[] = [];
  TEXTS.forEach((text, m) => NAMES.forEach((name, i) => posts.push(record({
    platformPostId: `m${m}-${i}`, ...account(name), createdAt: T0 + m * 86_400_000 + i * MIN, text: `${text}${i % 2 ? '！' : ''}`,
    url: `https://social.example.invalid/@zqxh_${name}/m${m}-${i}`,
    status: name === 'bob' && m === 1 ? 'removed_by_platform' : 'visible', statusChangedAt: name === 'bob' && m === 1 ? T0 + m * 86_400_000 + 3_600_000 : null,
  }))));
  posts.push(record({
    platformPostId: '1090001', ...account('alice'), createdAt: T0 + 5 * 86_400_000, text: HOSTILE, mentions: ['zqxh_bob', '@ZqxStranger'],
    url: 'https://social.example.invalid/@zqxh_alice/1090001', status: 'deleted', statusChangedAt: T0 + 5 * 86_400_000 + 90 * MIN,
    statusEvidence: { checked: 'https://social.example.invalid/@zqxh_alice/1090001', http: 404 },
  }));
  await store.bulkWriter().writePosts(Number(src.id), posts, T0 + 5 * 86_400_000);
  const target = await store.db.selectFrom('posts').select('id').where('platform_post_id', '=', '1090001').executeTakeFirstOrThrow();
  const postId = Number(target.id);
  const t = T0 + 5 * 86_400_000;
  // The bulk write stored the first version (the hostile text); an edit adds a second.
  await addVersion(store.db, postId, t + 30 * MIN, EDITED);
  const checks = [
    { observed_at: t + 30 * MIN, outcome: 'visible', http_status: 200, error_code: null, detail: { editedAt: new Date(t + 29 * MIN).toISOString() } },
    { observed_at: t + 45 * MIN, outcome: 'transient', http_status: 503, error_code: 'http_503', detail: { message: 'Service Unavailable <script>alert(9)</script>' } },
    { observed_at: t + 90 * MIN, outcome: 'deleted', http_status: 404, error_code: 'Record not found', detail: { body: '{"error":"Record not found"}' } },
    { observed_at: t + 105 * MIN, outcome: 'deleted', http_status: 404, error_code: 'Record not found', detail: { body: '{"error":"Record not found"}', seen: 'https://social.example.invalid/@zqxh_alice/1090001', followed: 'zqxh_followed' } },
  ];
  const observationIds: number[] = [];
  for (const c of checks) {
    const row = await store.db.insertInto('observations').values({ post_id: postId, ...c, detail: JSON.stringify(c.detail) }).returning('id').executeTakeFirstOrThrow();
    observationIds.push(Number(row.id));
  }
  await store.db.insertInto('disappearances').values({
    post_id: postId, kind: 'deleted', last_seen_at: t + 30 * MIN, first_missing_at: t + 90 * MIN, observation_id: observationIds[3]!, detected_at: t + 105 * MIN,
  }).execute();
  const result = await runCoordination(store, { workers: 0 });
  assert.equal(result.campaigns.length, 1, 'the fixture plants one campaign');
  const finding = await store.db.selectFrom('findings').select('evidence').where('kind', '=', 'campaign').executeTakeFirstOrThrow();
  const campaignPostIds = (JSON.parse(finding.evidence) as { postIds: number[] }).postIds;
  // Each campaign post was checked once; bob's removed post twice.
  for (const id of campaignPostIds) {
    await store.db.insertInto('observations').values({ post_id: id, observed_at: T0 + 20 * 86_400_000 + id, outcome: 'visible', http_status: 200, error_code: null, detail: null }).execute();
  }
  return { postId, platformPostId: '1090001', observationIds, campaignKey: result.campaigns[0]!.id, campaignPostIds };
}
