/**
 * The `feed` source: RSS 2.0 and Atom. New items are those at or after the cursor (the newest
 * item time seen; the store ignores repeats). A post is checked against the current feed first:
 * still listed means visible at no extra cost. An item missing from the feed is confirmed on its
 * own URL: 404/410 mean deleted (a feed cannot tell who deleted it), 451 means removed for legal
 * reasons, 200 means a ghost that only left the feed.
 */
import { z } from 'zod';
import { XMLParser } from 'fast-xml-parser';
import type { HttpClient } from './http.ts';
import type { Clock } from '../../watch/clock.ts';
import { livePost, type AccountCheck, type CheckResult, type ListResult, type SourceDriver, type WatchedPost } from './source.ts';

export const feedConfigSchema = z.object({
  url: z.string().url(),
  /** How long (clock ms) one fetched copy of the feed answers checks (default 60 s). */
  reuseMs: z.number().int().nonnegative().optional(),
});
export type FeedConfig = z.infer<typeof feedConfigSchema>;

interface FeedItem {
  id: string;
  text: string;
  url: string | null;
  time: number | null;
  author: string | null;
}

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', textNodeName: '#text' });

function str(v: unknown): string | null {
  if (v == null) return null;
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  if (typeof v === 'object' && '#text' in (v as object)) return String((v as Record<string, unknown>)['#text']);
  return null;
}
const list = (v: unknown): unknown[] => (v == null ? [] : Array.isArray(v) ? v : [v]);

/** Parses RSS 2.0 or Atom into items; throws on anything else. */
export function parseFeed(xml: string): FeedItem[] {
  const doc = parser.parse(xml) as Record<string, any>;
  if (doc.rss?.channel) {
    return list(doc.rss.channel.item).map((it: any) => {
      const link = str(it.link);
      const id = str(it.guid) ?? link ?? str(it.title) ?? '';
      const time = Date.parse(str(it.pubDate) ?? '');
      return { id, url: link, text: [str(it.title), str(it.description)].filter(Boolean).join('\n'), time: Number.isNaN(time) ? null : time, author: str(it.author) ?? str(it['dc:creator']) };
    }).filter((i) => i.id);
  }
  if (doc.feed) {
    return list(doc.feed.entry).map((e: any) => {
      const links = list(e.link) as any[];
      const link = links.find((l) => !l['@rel'] || l['@rel'] === 'alternate')?.['@href'] ?? null;
      const time = Date.parse(str(e.published) ?? str(e.updated) ?? '');
      return { id: str(e.id) ?? link ?? '', url: link, text: [str(e.title), str(e.content) ?? str(e.summary)].filter(Boolean).join('\n'), time: Number.isNaN(time) ? null : time, author: str(e.author?.name) };
    }).filter((i) => i.id);
  }
  throw new Error('The document is neither RSS 2.0 nor Atom.');
}

export class FeedSource implements SourceDriver {
  readonly kind = 'feed';
  private cached: { at: number; items: Map<string, FeedItem>; oldest: number | null } | null = null;
  constructor(private readonly config: FeedConfig, private readonly http: HttpClient, private readonly clock: Clock) {}

  private async fetchFeed() {
    const res = await this.http.get(this.config.url, 'application/rss+xml, application/atom+xml, application/xml, text/xml');
    if (res.status !== 200) throw new Error(`Feed ${this.config.url} answered HTTP ${res.status}.`);
    const items = parseFeed(res.body);
    const times = items.map((i) => i.time).filter((t): t is number => t != null);
    this.cached = { at: this.clock.now(), items: new Map(items.map((i) => [i.id, i])), oldest: times.length ? Math.min(...times) : null };
    return items;
  }

  async listNew(cursor: string | null): Promise<ListResult> {
    const items = await this.fetchFeed();
    const since = cursor ? Number(cursor) : -Infinity;
    let newest = cursor ? Number(cursor) : null;
    const posts = [];
    for (const i of items) {
      if (i.time != null && i.time < since) continue;
      if (i.time != null) newest = Math.max(newest ?? i.time, i.time);
      posts.push(livePost({ platformPostId: i.id, text: i.text, url: i.url, createdAt: i.time, accountId: i.author, accountHandle: i.author }));
    }
    return { posts, cursor: newest == null ? cursor : String(newest) };
  }

  async checkPost(post: WatchedPost): Promise<CheckResult> {
    if (!this.cached || this.clock.now() - this.cached.at >= (this.config.reuseMs ?? 60_000)) await this.fetchFeed();
    const listed = this.cached!.items.get(post.platformPostId);
    if (listed) return { outcome: 'visible', httpStatus: 200, errorCode: null, detail: { via: 'feed' }, text: listed.text };
    const detail = { via: 'url', feedOldest: this.cached!.oldest };
    if (!post.url) return { outcome: 'unknown', httpStatus: null, errorCode: 'no_url', detail };
    const res = await this.http.get(post.url, 'text/html, */*');
    if (res.status === 404 || res.status === 410) return { outcome: 'deleted_by_author', httpStatus: res.status, errorCode: null, detail };
    if (res.status === 451) return { outcome: 'removed_by_platform', httpStatus: 451, errorCode: null, detail };
    // Gone from the feed but still served: a ghost, not a deletion.
    if (res.status >= 200 && res.status < 300) return { outcome: 'visible', httpStatus: res.status, errorCode: null, detail: { ...detail, ghost: true } };
    return { outcome: 'unknown', httpStatus: res.status, errorCode: null, detail };
  }

  async checkAccount(): Promise<AccountCheck> {
    return { state: 'unknown', httpStatus: null, detail: { reason: 'feeds have no account endpoint' } };
  }
}
