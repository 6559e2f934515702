/**
 * How long a campaign page's texts take to assemble the first time (uncached): a campaign of
 * POSTS posts (default 20,000, the most a campaign page groups) whose texts are real Chinese
 * reviews (../shared/data/organic-chinese, distinct texts: the worst case for grouping) mixed
 * with copies and variants of a few campaign messages. Prints the first and a cached GET of
 * /api/campaigns/{id} and of /api/campaigns. Run: node --import tsx bench/serve/campaign-texts.ts [POSTS]
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { openStore } from '../../src/store/open.ts';
import { ensureSource } from '../../src/store/queries/sources.ts';
import type { PostRecord } from '../../src/store/bulk.ts';
import { startServer } from '../../src/serve/server.ts';

const POSTS = Number(process.argv[2] ?? 20_000);
const REVIEWS = join(import.meta.dirname, '../../../shared/data/organic-chinese/waimai_10k.csv');
const MESSAGES = ['坚决拥护清朗行动，净化网络空间人人有责，大家一起转发支持！', '境外媒体的抹黑报道全是谎言，真相只有一个，请看官方通报', 'Foreign media lies about the region will never succeed. Share the truth with everyone!'];

const organic = existsSync(REVIEWS)
  ? (parse(readFileSync(REVIEWS), { columns: true, bom: true }) as Array<{ review: string }>).map((r) => r.review).filter((t) => t.length > 10)
  : Array.from({ length: 10_000 }, (_, i) => `generated organic text number ${i} about lunch and weather ${i * 7919}`);
if (!existsSync(REVIEWS)) console.warn(`# ${REVIEWS} is absent: distinct texts are generated instead of real reviews.`);

const dir = mkdtempSync(join(tmpdir(), 'bench-campaign-texts-'));
const store = await openStore({ db: join(dir, 'bench.db') });
try {
  const src = await ensureSource(store, { name: 'bench', kind: 'import', platform: 'test' });
  const t0 = Date.UTC(2025, 0, 1);
  const posts: PostRecord[] = Array.from({ length: POSTS }, (_, i) => {
    // Half the posts copy or vary a campaign message, half are distinct real texts.
    const text = i % 2 ? organic[i % organic.length]! : `${MESSAGES[i % 3]}${i % 8 === 0 ? ' 转发' : ''}`;
    return {
      platformPostId: `b${i}`, accountId: `a${i % 500}`, accountHandle: `h${i % 500}`, accountName: null, createdAt: t0 + i * 30_000, text, language: 'zh', url: null,
      replyToId: null, repostOfId: null, hashtags: null, urls: null, mentions: null, status: 'visible', statusChangedAt: null, statusEvidence: null, extra: null,
    };
  });
  await store.bulkWriter().writePosts(Number(src.id), posts, t0 + POSTS * 30_000);
  const ids = (await store.db.selectFrom('posts').select('id').execute()).map((r) => Number(r.id));
  await store.db.insertInto('findings').values({
    kind: 'campaign', key: 'bench', score: 1, summary: 'bench', created_at: Date.now(),
    evidence: JSON.stringify({ accounts: Array.from({ length: 500 }, (_, i) => `a${i}`), posts: ids.length, postIds: ids, edges: [], representative: [] }),
  }).execute();
  const server = await startServer(store, { port: 0 });
  const time = async (path: string) => {
    const s = performance.now();
    const res = await fetch(server.url + path);
    const body = (await res.json()) as { textGroupsCover?: { groups: number } };
    return { ms: Math.round(performance.now() - s), groups: body.textGroupsCover?.groups };
  };
  const first = await time('/api/campaigns/bench');
  const cached = await time('/api/campaigns/bench');
  const list = await time('/api/campaigns');
  console.log(JSON.stringify({ posts: POSTS, groups: first.groups, detailFirstMs: first.ms, detailCachedMs: cached.ms, listAfterDetailMs: list.ms }));
  await server.close();
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
