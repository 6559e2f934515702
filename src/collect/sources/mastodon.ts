/**
 * The `mastodon` source: public Mastodon REST endpoints. Lists the public, a hashtag or one
 * account's timeline (oldest-first paging with min_id, so bursts leave no gap), checks a status
 * by direct lookup and an account by id.
 *
 * What Mastodon 4.x lets us attribute, and from which signal:
 * - `GET /api/v1/statuses/:id` answers 404 `{"error":"Record not found"}` when the author deleted
 *   the status and when a moderator removed it alike (both destroy the record), so a 404 with a
 *   healthy account is `deleted`: gone, actor unknown. Nothing in the answer says who.
 * - A suspended author's statuses also answer 404 (StatusPolicy#show? refuses them), while
 *   `GET /api/v1/accounts/:id` still answers 200 with `"suspended": true` (an account deleted by
 *   its owner looks the same); an account record that is gone answers 404. Either way the status
 *   is `account_gone`: the account went, whoever closed it.
 * - 451 (Unavailable For Legal Reasons, RFC 7725) is a legal removal by the server: stock
 *   Mastodon never sends it, but where a server does it is the platform's own word, so
 *   `removed_by_platform`. 410 says only "gone": `deleted`.
 * - `deleted_by_author` is never raised: Mastodon gives no signal for it.
 * - A 404 or 410 without Mastodon's JSON error body (a proxy's page) is `unknown`, never a loss.
 * - 5xx, 429 and timeouts are transient (the HTTP client retries and reports them; they never
 *   count as a disappearance); any other answer, or an account check that fails, is `unknown`.
 */
import { z } from 'zod';
import type { HttpClient } from './http.ts';
import { BODY_CAPS } from '../../net/fetch.ts';
import { livePost, type AccountCheck, type CheckResult, type ListResult, type SourceDriver, type WatchedPost } from './source.ts';

export const mastodonConfigSchema = z.object({
  url: z.string().url(),
  public: z.boolean().optional(),
  hashtag: z.string().min(1).optional(),
  account: z.string().min(1).optional(),
  /** Most pages fetched per listing (each page is one request). */
  maxPages: z.number().int().positive().optional(),
});
export type MastodonConfig = z.infer<typeof mastodonConfigSchema>;

const accountSchema = z.object({
  id: z.string(),
  acct: z.string().optional(),
  username: z.string().optional(),
  display_name: z.string().nullish(),
  suspended: z.boolean().nullish(),
});

const statusSchema = z.object({
  id: z.string(),
  created_at: z.string(),
  edited_at: z.string().nullish(),
  content: z.string(),
  url: z.string().nullish(),
  uri: z.string().nullish(),
  language: z.string().nullish(),
  in_reply_to_id: z.string().nullish(),
  account: accountSchema,
  tags: z.array(z.object({ name: z.string() })).nullish(),
  mentions: z.array(z.object({ acct: z.string() })).nullish(),
  reblog: z.object({ id: z.string() }).passthrough().nullish(),
}).passthrough();
type Status = z.infer<typeof statusSchema>;

/** Mastodon serves HTML; the watcher compares and stores plain text. */
export function htmlToText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/p>\s*<p>/gi, '\n\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&')
    .trim();
}

function linksOf(html: string): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(/<a\s[^>]*href="([^"]+)"[^>]*>/gi)) {
    if (/class="[^"]*(mention|hashtag)/i.test(m[0])) continue;
    out.push(m[1].replace(/&amp;/g, '&'));
  }
  return out;
}

function toRecord(s: Status) {
  const urls = linksOf(s.content);
  return livePost({
    platformPostId: s.id,
    text: htmlToText(s.content),
    accountId: s.account.id,
    accountHandle: s.account.acct ?? s.account.username ?? null,
    accountName: s.account.display_name ?? null,
    createdAt: Date.parse(s.created_at) || null,
    language: s.language ?? null,
    url: s.url ?? s.uri ?? null,
    replyToId: s.in_reply_to_id ?? null,
    repostOfId: s.reblog?.id ?? null,
    hashtags: s.tags?.length ? s.tags.map((t) => t.name) : null,
    mentions: s.mentions?.length ? s.mentions.map((m) => m.acct) : null,
    urls: urls.length ? urls : null,
  });
}

function idGreater(a: string, b: string): boolean {
  return /^\d+$/.test(a) && /^\d+$/.test(b) ? BigInt(a) > BigInt(b) : a > b;
}

export class MastodonSource implements SourceDriver {
  readonly kind = 'mastodon';
  private readonly base: string;
  private accountId: string | null = null;
  constructor(private readonly config: MastodonConfig, private readonly http: HttpClient) {
    this.base = config.url.replace(/\/+$/, '');
  }

  private async timelinePath(): Promise<string> {
    if (this.config.hashtag) return `/api/v1/timelines/tag/${encodeURIComponent(this.config.hashtag)}`;
    if (this.config.account) {
      if (!this.accountId) {
        const res = await this.http.get(`${this.base}/api/v1/accounts/lookup?acct=${encodeURIComponent(this.config.account)}`, 'application/json', BODY_CAPS.mastodon);
        if (res.status !== 200) throw new Error(`Account ${this.config.account} could not be looked up (HTTP ${res.status}).`);
        this.accountId = accountSchema.parse(JSON.parse(res.body)).id;
      }
      return `/api/v1/accounts/${encodeURIComponent(this.accountId)}/statuses`;
    }
    return '/api/v1/timelines/public';
  }

  /** Pages forward from the cursor (min_id), oldest first, until caught up or maxPages. */
  async listNew(cursor: string | null): Promise<ListResult> {
    const path = await this.timelinePath();
    const posts = [];
    let since = cursor;
    for (let page = 0; page < (this.config.maxPages ?? 5); page++) {
      const q = new URLSearchParams({ limit: '40' });
      if (since) q.set('min_id', since);
      const res = await this.http.get(`${this.base}${path}?${q}`, 'application/json', BODY_CAPS.mastodon);
      if (res.status !== 200) throw new Error(`Timeline ${path} answered HTTP ${res.status}.`);
      const statuses = z.array(statusSchema).parse(JSON.parse(res.body));
      for (const s of statuses) {
        posts.push(toRecord(s));
        if (!since || idGreater(s.id, since)) since = s.id;
      }
      // Without a cursor the first page is the newest posts: start from there.
      if (statuses.length < 40 || !cursor) break;
    }
    return { posts, cursor: since };
  }

  async checkAccount(id: string): Promise<AccountCheck> {
    const res = await this.http.get(`${this.base}/api/v1/accounts/${encodeURIComponent(id)}`, 'application/json', BODY_CAPS.mastodon);
    if (res.status === 404 || res.status === 410) return { state: 'gone', httpStatus: res.status, detail: { body: res.body.slice(0, 500) } };
    if (res.status !== 200) return { state: 'unknown', httpStatus: res.status, detail: { body: res.body.slice(0, 500) } };
    const acc = accountSchema.safeParse(JSON.parse(res.body));
    if (!acc.success) return { state: 'unknown', httpStatus: 200, detail: { error: 'unexpected account JSON' } };
    return { state: acc.data.suspended ? 'suspended' : 'active', httpStatus: 200, detail: {} };
  }

  async checkPost(post: WatchedPost): Promise<CheckResult> {
    const res = await this.http.get(`${this.base}/api/v1/statuses/${encodeURIComponent(post.platformPostId)}`, 'application/json', BODY_CAPS.mastodon);
    const body = res.body.slice(0, 1000);
    if (res.status === 200) {
      const s = statusSchema.safeParse(JSON.parse(res.body));
      if (!s.success) return { outcome: 'unknown', httpStatus: 200, errorCode: 'bad_json', detail: { body } };
      if (s.data.account.suspended) return { outcome: 'account_gone', httpStatus: 200, errorCode: 'account_suspended', detail: {} };
      return { outcome: 'visible', httpStatus: 200, errorCode: null, detail: s.data.edited_at ? { editedAt: s.data.edited_at } : {}, text: htmlToText(s.data.content) };
    }
    if (res.status === 451) {
      return { outcome: 'removed_by_platform', httpStatus: 451, errorCode: errorOf(res.body), detail: { body } };
    }
    if (res.status === 404 || res.status === 410) {
      // Mastodon's own answer is JSON with an `error`; a bare 404 page (a misrouted proxy, a
      // server that is not Mastodon) proves nothing about the status.
      if (errorOf(res.body) === null) return { outcome: 'unknown', httpStatus: res.status, errorCode: 'not_a_mastodon_answer', detail: { body } };
      // The status is gone; whether its account went too decides the kind. Who removed a status
      // of a healthy account the answer does not say.
      if (post.accountPlatformId) {
        const acc = await this.checkAccount(post.accountPlatformId);
        if (acc.state === 'suspended' || acc.state === 'gone') {
          return { outcome: 'account_gone', httpStatus: res.status, errorCode: `account_${acc.state}`, detail: { body, account: acc } };
        }
        if (acc.state === 'unknown') return { outcome: 'unknown', httpStatus: res.status, errorCode: 'account_unknown', detail: { body, account: acc } };
      }
      return { outcome: 'deleted', httpStatus: res.status, errorCode: errorOf(res.body), detail: { body } };
    }
    return { outcome: 'unknown', httpStatus: res.status, errorCode: errorOf(res.body), detail: { body } };
  }
}

function errorOf(body: string): string | null {
  try {
    const e = (JSON.parse(body) as { error?: unknown }).error;
    return typeof e === 'string' ? e.slice(0, 200) : null;
  } catch {
    return null;
  }
}
