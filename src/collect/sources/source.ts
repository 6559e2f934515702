/**
 * The one small interface every live source implements, so a new platform is one new module:
 * list posts newer than a cursor, check one post, check one account.
 */
import type { PostRecord } from '../../store/bulk.ts';

/**
 * What a check found. `transient` never counts as a disappearance. `deleted` is gone with the
 * actor unknown; a driver answers `deleted_by_author` or `removed_by_platform` only where the
 * platform's own answer says who (each driver's doc comment names the signal).
 */
export type CheckOutcome = 'visible' | 'deleted' | 'deleted_by_author' | 'removed_by_platform' | 'account_gone' | 'transient' | 'unknown';
export type GoneKind = 'deleted' | 'deleted_by_author' | 'removed_by_platform' | 'account_gone';
export const GONE_KINDS: readonly GoneKind[] = ['deleted', 'deleted_by_author', 'removed_by_platform', 'account_gone'];

export interface CheckResult {
  outcome: CheckOutcome;
  httpStatus: number | null;
  errorCode: string | null;
  /** Raw detail worth keeping as evidence (error bodies, edit times, …). */
  detail: Record<string, unknown>;
  /** The text now served, when visible (edits become versions). */
  text?: string;
}

export type AccountState = 'active' | 'suspended' | 'gone' | 'unknown';

export interface AccountCheck {
  state: AccountState;
  httpStatus: number | null;
  detail: Record<string, unknown>;
}

/** A post as the watcher knows it, enough to check it again. */
export interface WatchedPost {
  platformPostId: string;
  url: string | null;
  accountPlatformId: string | null;
}

export interface ListResult {
  posts: PostRecord[];
  cursor: string | null;
}

/** A live source. Implementations get their HTTP client (budget, retries) from the caller. */
export interface SourceDriver {
  readonly kind: string;
  listNew(cursor: string | null): Promise<ListResult>;
  checkPost(post: WatchedPost): Promise<CheckResult>;
  checkAccount(accountPlatformId: string): Promise<AccountCheck>;
}

/** Builds a PostRecord with the fields a live source rarely has left empty. */
export function livePost(p: Partial<PostRecord> & Pick<PostRecord, 'platformPostId' | 'text'>): PostRecord {
  const post: PostRecord = {
    accountId: null, accountHandle: null, accountName: null, createdAt: null, language: null, url: null,
    replyToId: null, repostOfId: null, hashtags: null, urls: null, mentions: null, status: 'visible',
    statusChangedAt: null, statusEvidence: null, extra: null, ...p,
  };
  for (const key of ['platformPostId', 'text', 'accountId', 'accountHandle', 'accountName', 'url'] as const) {
    const v = post[key];
    if (v !== null) post[key] = storableText(v);
  }
  return post;
}

/**
 * Scraped text as every store can keep it: PostgreSQL text refuses NUL, so a NUL becomes U+FFFD
 * (imports quarantine such rows instead; a live post has no file to point back to).
 */
export function storableText(text: string): string {
  return text.includes('\0') ? text.replace(/\0/g, '\uFFFD') : text;
}
