/**
 * The importers' fast path. A batch of posts (with their accounts) is written in one
 * transaction; rows whose (source, platform post id) already exist are left untouched, so
 * re-running an import changes nothing. Such a row is a duplicate when its content (text,
 * account, created_at) is the stored post's, and a conflict otherwise: both versions come back
 * to the caller, which quarantines the row rather than count a different post as a copy.
 */
import { createHash } from 'node:crypto';
import type { PostStatus } from './schema.ts';

/** One post as an importer or a collector produces it, before it has store ids. */
export interface PostRecord {
  platformPostId: string;
  accountId: string | null;
  accountHandle: string | null;
  accountName: string | null;
  createdAt: number | null;
  text: string;
  language: string | null;
  url: string | null;
  replyToId: string | null;
  repostOfId: string | null;
  hashtags: string[] | null;
  urls: string[] | null;
  mentions: string[] | null;
  status: PostStatus;
  statusChangedAt: number | null;
  statusEvidence: unknown;
  extra: Record<string, unknown> | null;
}

/** A row an importer could not accept: kept with the reason, never silently lost. */
export interface QuarantinedRow {
  fileKey: string;
  file: string;
  line: number;
  field: string;
  reason: string;
  raw: string;
}

/** What makes two rows with one id the same post: the rest (status, counts, extra) may change between releases. */
export interface PostContent {
  account: string | null;
  createdAt: number | null;
  text: string;
}

/** A row whose id is already stored (or earlier in the same transaction) with other content. */
export interface Conflict {
  /** Position of the row among those added to the transaction (or given to writePosts). */
  index: number;
  platformPostId: string;
  row: PostContent;
  stored: PostContent;
}

export interface BatchResult {
  inserted: number;
  /** Rows whose post was already stored with the same content. */
  duplicates: number;
  /** Rows whose post id was already stored with other content; not written. */
  conflicts: Conflict[];
}

/** Names the content fields in which a conflict's two versions differ. */
export function conflictFields(c: Conflict): string[] {
  const out: string[] = [];
  if (c.row.text !== c.stored.text) out.push('text');
  if (c.row.account !== c.stored.account) out.push('account');
  if (c.row.createdAt !== c.stored.createdAt) out.push('created_at');
  return out;
}

/**
 * The same posts as parallel columns, JSON fields already serialised: cheap to pass between
 * threads and to bind, so the import worker sends batches in this shape.
 */
export interface PostColumns {
  length: number;
  platformPostId: string[];
  accountId: (string | null)[];
  accountHandle: (string | null)[];
  accountName: (string | null)[];
  createdAt: (number | null)[];
  text: string[];
  language: (string | null)[];
  url: (string | null)[];
  replyToId: (string | null)[];
  repostOfId: (string | null)[];
  hashtags: (string | null)[];
  urls: (string | null)[];
  mentions: (string | null)[];
  status: string[];
  statusChangedAt: (number | null)[];
  statusEvidence: (string | null)[];
  extra: (string | null)[];
}

/** Turns post records into columns. */
export function toColumns(posts: PostRecord[]): PostColumns {
  const c: PostColumns = {
    length: posts.length, platformPostId: [], accountId: [], accountHandle: [], accountName: [], createdAt: [], text: [],
    language: [], url: [], replyToId: [], repostOfId: [], hashtags: [], urls: [], mentions: [], status: [],
    statusChangedAt: [], statusEvidence: [], extra: [],
  };
  for (const p of posts) {
    c.platformPostId.push(p.platformPostId);
    c.accountId.push(p.accountId);
    c.accountHandle.push(p.accountHandle);
    c.accountName.push(p.accountName);
    c.createdAt.push(p.createdAt);
    c.text.push(p.text);
    c.language.push(p.language);
    c.url.push(p.url);
    c.replyToId.push(p.replyToId);
    c.repostOfId.push(p.repostOfId);
    c.hashtags.push(jsonList(p.hashtags));
    c.urls.push(jsonList(p.urls));
    c.mentions.push(jsonList(p.mentions));
    c.status.push(p.status);
    c.statusChangedAt.push(p.statusChangedAt);
    c.statusEvidence.push(jsonOrNull(p.statusEvidence));
    c.extra.push(jsonOrNull(p.extra));
  }
  return c;
}

export interface WriteOptions {
  /**
   * Also store each new post's text as its first version (default true). Imports of archives
   * turn this off: their posts are never re-checked, so posts.text is the only version.
   */
  versions?: boolean;
}

/**
 * One write transaction fed batch by batch (imports): batches are written as they arrive, so
 * each is short-lived in memory, and `commit` makes all of them durable together.
 */
export interface PostTransaction {
  /** Posts added so far. */
  readonly rows: number;
  add(posts: PostColumns): Promise<void>;
  /** Commits, returning how many of the added posts were new, duplicates, or conflicting. */
  commit(): Promise<BatchResult>;
  /** Undoes everything added; safe to call after a failed add or commit. */
  rollback(): Promise<void>;
}

export interface BulkWriter {
  /** Writes posts (and any new accounts) of one source in a single transaction. */
  writePosts(sourceId: number, posts: PostRecord[] | PostColumns, seenAt: number, opts?: WriteOptions): Promise<BatchResult>;
  /** Opens a transaction that takes posts of one source in several batches. */
  begin(sourceId: number, seenAt: number, opts?: WriteOptions): PostTransaction;
  /** Stores quarantined rows; a row already quarantined (same file and line) is kept once. */
  quarantine(rows: QuarantinedRow[]): Promise<void>;
}

/**
 * A transaction for backends that write best in one large statement: batches are kept until
 * commit, then written with `writePosts` at once.
 */
export class BufferedTransaction implements PostTransaction {
  private parts: PostColumns[] = [];
  rows = 0;
  constructor(
    private readonly writer: BulkWriter, private readonly sourceId: number, private readonly seenAt: number,
    private readonly opts: WriteOptions,
  ) {}

  async add(posts: PostColumns): Promise<void> {
    this.parts.push(posts);
    this.rows += posts.length;
  }

  async commit(): Promise<BatchResult> {
    const batch = concatColumns(this.parts);
    this.parts = [];
    if (!batch.length) return { inserted: 0, duplicates: 0, conflicts: [] };
    return this.writer.writePosts(this.sourceId, batch, this.seenAt, this.opts);
  }

  async rollback(): Promise<void> {
    this.parts = [];
  }
}

/** Joins column batches into one (each column copied once, in bulk). */
export function concatColumns(parts: PostColumns[]): PostColumns {
  if (parts.length === 1) return parts[0];
  const out = toColumns([]);
  for (const key of Object.keys(out) as Array<keyof PostColumns>) {
    if (key === 'length') continue;
    (out[key] as unknown[]) = ([] as unknown[]).concat(...parts.map((p) => p[key] as unknown[]));
  }
  out.length = parts.reduce((n, p) => n + p.length, 0);
  return out;
}

/** Accepts either shape. */
export function asColumns(posts: PostRecord[] | PostColumns): PostColumns {
  return Array.isArray(posts) ? toColumns(posts) : posts;
}

/** Hex sha256 of a text snapshot, the identity of a post version. */
export function textHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Serialises an optional string list for a JSON text column. */
export function jsonList(list: string[] | null): string | null {
  return list && list.length ? JSON.stringify(list) : null;
}

/** Serialises optional JSON for a text column. */
export function jsonOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}
