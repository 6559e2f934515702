/**
 * A small store for impostor tests: watched accounts and outlets, impostor accounts of each kind,
 * legitimate near neighbours, and posts linking impostor and legitimate domains in every place a
 * link can be (the urls column, the text, the importer's extra columns).
 */
import type { Store } from '../../../src/store/open.ts';
import { ensureSource } from '../../../src/store/queries/sources.ts';
import type { PostRecord } from '../../../src/store/bulk.ts';
import { addWatchEntries, type NewWatchEntry } from '../../../src/detect/impostors/watchlist.ts';

export const WATCHLIST_CSV = [
  'name,handle,platform,domain',
  '人民日报,rmrb,weibo,',
  '新华社,xinhuashefabu1,weibo,',
  '新华网,xinhuanet,weibo,',
  '北京日报,bjrb,weibo,',
  '北京晚报,bjwb,weibo,',
  ',,,spiegel.de',
  ',,,t-online.de',
  ',,,bild.de',
  ',,,tagesspiegel.de',
].join('\n');

export const WATCH: NewWatchEntry[] = [
  { name: '人民日报', handle: 'rmrb', platform: 'weibo', domain: null },
  { name: '新华社', handle: 'xinhuashefabu1', platform: 'weibo', domain: null },
  { name: '新华网', handle: 'xinhuanet', platform: 'weibo', domain: null },
  { name: '北京日报', handle: 'bjrb', platform: 'weibo', domain: null },
  { name: '北京晚报', handle: 'bjwb', platform: 'weibo', domain: null },
  ...['spiegel.de', 't-online.de', 'bild.de', 'tagesspiegel.de'].map((domain) => ({ name: null, handle: null, platform: null, domain })),
];

/** Accounts: id → [handle, display name, what it is]. */
export const ACCOUNTS: Record<string, [string, string, string]> = {
  u1: ['rmrb', '人民日报', 'watched itself'],
  u2: ['xinhuanet', '新华网', 'watched itself (near 新华社)'],
  u3: ['bjwb', '北京晚报', 'watched itself (near 北京日报)'],
  u4: ['zhangwei88', '张伟', 'ordinary user'],
  u5: ['rmrb_news', '人民曰报', 'impostor: look-alike character'],
  u6: ['xhs_gf', '新华社官方', 'impostor: fake authority'],
  u7: ['bj_daily', '北京日報', 'impostor: Traditional form'],
  u8: ['someone', '人民\u200b日报', 'impostor: zero-width space'],
};

const T0 = Date.UTC(2024, 0, 1);

function post(id: string, account: string, text: string, more: Partial<PostRecord> = {}): PostRecord {
  const [handle, name] = ACCOUNTS[account]!;
  return {
    platformPostId: id, accountId: account, accountHandle: handle, accountName: name, createdAt: T0 + Number(id.slice(1)) * 60_000, text, language: 'zh',
    url: `https://weibo.com/${handle}/${id}`, replyToId: null, repostOfId: null, hashtags: null, urls: null, mentions: null,
    status: 'visible', statusChangedAt: null, statusEvidence: null, extra: null, ...more,
  };
}

export const POSTS: PostRecord[] = [
  post('p1', 'u1', '今日要闻'),
  post('p2', 'u4', '转发一篇文章', { urls: ['https://spiegel.ltd/politik/1'] }),
  post('p3', 'u4', '看这个 https://t-onlinr.life/a 和 www.spiegel.de/x'),
  post('p4', 'u5', '重要通知', { extra: { expanded_url: 'https://bild.pics/artikel' } }),
  post('p5', 'u2', '新闻 https://www.tagesspiegel.de/politik 和 https://taz.de/x'),
  post('p6', 'u3', '晚报消息', { urls: ['https://m.bild.de/x', 'https://spiegel.ltd/other'] }),
  post('p7', 'u6', '官方发布'),
  post('p8', 'u7', '今日新闻'),
  post('p9', 'u8', '紧急通知'),
];

/** Seeds the watchlist, the accounts and the posts; returns the source id. */
export async function seedImpostors(store: Store): Promise<number> {
  await addWatchEntries(store, WATCH);
  const src = await ensureSource(store, { name: 'impostor-fixture', kind: 'import', platform: 'weibo' });
  await store.bulkWriter().writePosts(Number(src.id), POSTS, T0 + 86_400_000);
  return Number(src.id);
}
