/**
 * An import format turns one row of a file into one post. Each format is a small module with a
 * `Format` object; src/collect/formats/registry.ts lists them.
 */
import type { PostRecord } from '../../store/bulk.ts';

/** One row as the reader hands it over: look fields up by column name. */
export interface Row {
  /** The field's text, or undefined when the column does not exist. */
  get(column: string): string | undefined;
  /** The row as it stood in the file, for the quarantine. */
  raw(): string;
  /** For JSONL: the parsed object. */
  readonly value?: unknown;
}

export interface Format {
  readonly name: string;
  readonly description: string;
  /** Platform of the posts (weibo, twitter, …): stored on the source. */
  readonly platform: string;
  readonly input: 'csv' | 'jsonl';
  /** CSV header columns that must be present; a file without them is not this format. */
  readonly requiredColumns: readonly string[];
  /** Maps one row to a post; throws RowError for a bad field. */
  toPost(row: Row): PostRecord;
}

/** A post record with every optional field empty; formats fill in what they have. */
export function emptyPost(platformPostId: string, text: string): PostRecord {
  return {
    platformPostId, text, accountId: null, accountHandle: null, accountName: null, createdAt: null, language: null,
    url: null, replyToId: null, repostOfId: null, hashtags: null, urls: null, mentions: null, status: 'visible',
    statusChangedAt: null, statusEvidence: null, extra: null,
  };
}
