/**
 * The `feed` source: RSS 0.9x/1.0 (RDF)/2.0, Atom and JSON Feed. New items are those at or after
 * the cursor (the newest item time seen; the store ignores repeats). A post is checked against the current feed first:
 * still listed means visible at no extra cost. An item missing from the feed is confirmed on its
 * own URL: 404/410 mean `deleted` (a feed cannot tell who deleted it), 451 (Unavailable For Legal
 * Reasons, the server's own word) means `removed_by_platform`, 200 means a ghost that only left
 * the feed. `deleted_by_author` is never raised: no feed signal says who.
 */
import { z } from 'zod';
import type { HttpClient } from './http.ts';
import { BODY_CAPS } from '../../net/fetch.ts';
import type { Clock } from '../../watch/clock.ts';
import { decodeFeedBytes, type DecodedFeed } from './feed/charset.ts';
import { NotAFeedError, parseFeedText, type FeedItem, type ParsedFeed } from './feed/parse.ts';
import { htmlPageMessage, looksLikeHtml } from './feed/page.ts';
import { livePost, type AccountCheck, type CheckResult, type ListResult, type SourceDriver, type WatchedPost } from './source.ts';

export { NotAFeedError, type FeedItem } from './feed/parse.ts';

export const feedConfigSchema = z.object({
  url: z.string().url(),
  /** How long (clock ms) one fetched copy of the feed answers checks (default 60 s). */
  reuseMs: z.number().int().nonnegative().optional(),
});
export type FeedConfig = z.infer<typeof feedConfigSchema>;

/** Feeds larger than this are refused: a hostile or broken server, not a feed. */
export const MAX_FEED_BYTES = BODY_CAPS.feed.maxBytes;

/** The Accept header for feeds: every format the source reads. */
export const FEED_ACCEPT = 'application/rss+xml, application/atom+xml, application/rdf+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5';

export interface ReadFeed extends ParsedFeed {
  charset: DecodedFeed;
}

/**
 * Reads a feed exactly as a live fetch delivers it: bytes plus the HTTP Content-Type. Decodes by
 * the charset precedence of feed/charset.ts, refuses an HTML page with a sentence naming the feed
 * links it advertises, and parses every format feed/parse.ts reads.
 */
export function readFeed(bytes: Uint8Array, contentType: string | null, url: string): ReadFeed {
  const charset = decodeFeedBytes(bytes, contentType);
  if (looksLikeHtml(charset.text, contentType)) throw new NotAFeedError(htmlPageMessage(url, charset.text));
  try {
    return { ...parseFeedText(charset.text), charset };
  } catch (err) {
    if (err instanceof NotAFeedError) throw new NotAFeedError(`${url}: ${err.message}`);
    throw err;
  }
}

/** Parses a feed document given as text (already decoded). */
export function parseFeed(text: string): FeedItem[] {
  return parseFeedText(text).items;
}

export class FeedSource implements SourceDriver {
  readonly kind = 'feed';
  private cached: { at: number; items: Map<string, FeedItem>; oldest: number | null } | null = null;
  constructor(private readonly config: FeedConfig, private readonly http: HttpClient, private readonly clock: Clock) {}

  private async fetchFeed() {
    const res = await this.http.get(this.config.url, FEED_ACCEPT, MAX_FEED_BYTES);
    if (res.status !== 200) throw new Error(`Feed ${this.config.url} answered HTTP ${res.status}.`);
    const { items } = readFeed(res.bytes, res.headers.get('content-type'), this.config.url);
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
    const res = await this.http.get(post.url, 'text/html, */*', BODY_CAPS.recheck);
    if (res.status === 404 || res.status === 410) return { outcome: 'deleted', httpStatus: res.status, errorCode: null, detail };
    if (res.status === 451) return { outcome: 'removed_by_platform', httpStatus: 451, errorCode: null, detail };
    // Gone from the feed but still served: a ghost, not a deletion.
    if (res.status >= 200 && res.status < 300) return { outcome: 'visible', httpStatus: res.status, errorCode: null, detail: { ...detail, ghost: true } };
    return { outcome: 'unknown', httpStatus: res.status, errorCode: null, detail };
  }

  async checkAccount(): Promise<AccountCheck> {
    return { state: 'unknown', httpStatus: null, detail: { reason: 'feeds have no account endpoint' } };
  }
}
