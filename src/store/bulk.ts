/**
 * The importers' fast path. A batch of posts (with their accounts) is written in one
 * transaction; rows whose (source, platform post id) already exist are counted as duplicates
 * and left untouched, so re-running an import changes nothing.
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

export interface BatchResult {
  inserted: number;
  duplicates: number;
}

export interface BulkWriter {
  /** Writes posts (and any new accounts) of one source in a single transaction. */
  writePosts(sourceId: number, posts: PostRecord[], seenAt: number): Promise<BatchResult>;
  /** Stores quarantined rows; a row already quarantined (same file and line) is kept once. */
  quarantine(rows: QuarantinedRow[]): Promise<void>;
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
