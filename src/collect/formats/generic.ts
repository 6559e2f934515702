/**
 * Generic CSV and JSONL: the user says which column (or JSON path, `user.id`) holds each field,
 * with `--map id=tweet_id,text=body,…` or a small mapping file.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { emptyPost, type Format, type Row } from './format.ts';
import { hashtagsIn, mentionsIn, optional, parseList, parseTime, required, urlsIn } from './fields.ts';
import { fail } from './row-error.ts';
import { POST_STATUSES, type PostStatus } from '../../store/schema.ts';
import { UserError } from '../../util/errors.ts';

export const MAPPING_FIELDS = ['id', 'text', 'account', 'handle', 'name', 'created_at', 'language', 'url', 'reply_to',
  'repost_of', 'hashtags', 'urls', 'mentions', 'status', 'status_changed_at'] as const;

const mappingSchema = z.object({
  id: z.string().min(1),
  text: z.string().min(1),
  account: z.string().optional(),
  handle: z.string().optional(),
  name: z.string().optional(),
  created_at: z.string().optional(),
  language: z.string().optional(),
  url: z.string().optional(),
  reply_to: z.string().optional(),
  repost_of: z.string().optional(),
  hashtags: z.string().optional(),
  urls: z.string().optional(),
  mentions: z.string().optional(),
  status: z.string().optional(),
  status_changed_at: z.string().optional(),
  platform: z.string().optional(),
}).strict();

export type Mapping = z.infer<typeof mappingSchema>;

/** Reads a mapping from `--map a=b,c=d` and/or a JSON mapping file (flags win). */
export function loadMapping(mapFlag: string | undefined, mappingFile: string | undefined): Mapping {
  let base: Record<string, unknown> = {};
  if (mappingFile) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(mappingFile, 'utf8'));
    } catch (err) {
      throw new UserError(`The mapping file ${mappingFile} could not be read as JSON: ${(err as Error).message}`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new UserError(`The mapping file ${mappingFile} must hold one JSON object such as {"id": "tweet_id", "text": "body"}, not ${Array.isArray(parsed) ? 'an array' : parsed === null ? 'null' : `a ${typeof parsed}`}.`);
    }
    base = { ...parsed };
  }
  const mapKeys = new Set<string>();
  for (const pair of (mapFlag ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new UserError(`--map expects field=column pairs separated by commas; "${pair}" has no "=".`);
    mapKeys.add(pair.slice(0, eq).trim());
    base[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  const parsed = mappingSchema.safeParse(base);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.join('.') || '(mapping)';
    // Name the file when the field at fault came from it (or is missing from it) rather than from --map.
    const keys = issue.path.length ? [String(issue.path[0])] : issue.code === 'unrecognized_keys' ? issue.keys : [];
    const fromFile = mappingFile && keys.some((k) => !mapKeys.has(k)) ? ` in ${mappingFile}` : '';
    throw new UserError(
      `The column mapping${fromFile} is not usable: ${where}: ${issue.message}. Give at least id and text, e.g. --map id=tweet_id,text=body,account=user_id,created_at=time (fields: ${MAPPING_FIELDS.join(', ')}).`,
    );
  }
  return parsed.data;
}

/** Builds a format object for generic CSV or JSONL with the given mapping. */
export function genericFormat(input: 'csv' | 'jsonl', m: Mapping): Format {
  const col = (row: Row, key: keyof Mapping) => (m[key] ? row.get(m[key]!) : undefined);
  return {
    name: input,
    description: `generic ${input.toUpperCase()} with a column mapping`,
    platform: m.platform ?? 'generic',
    input,
    requiredColumns: input === 'csv' ? [m.id, m.text] : [],
    toPost(row) {
      const text = col(row, 'text');
      if (text === undefined) fail(m.text, 'is missing');
      const p = emptyPost(required(col(row, 'id'), m.id), text);
      p.accountId = m.account ? optional(col(row, 'account')) : null;
      p.accountHandle = optional(col(row, 'handle'));
      p.accountName = optional(col(row, 'name'));
      p.createdAt = m.created_at ? parseTime(col(row, 'created_at'), m.created_at) : null;
      p.language = optional(col(row, 'language'));
      p.url = optional(col(row, 'url'));
      p.replyToId = optional(col(row, 'reply_to'));
      p.repostOfId = optional(col(row, 'repost_of'));
      p.hashtags = m.hashtags ? parseList(col(row, 'hashtags')) : hashtagsIn(text);
      p.urls = m.urls ? parseList(col(row, 'urls')) : urlsIn(text);
      p.mentions = m.mentions ? parseList(col(row, 'mentions')) : mentionsIn(text);
      const status = optional(col(row, 'status'));
      if (status !== null) {
        if (!(POST_STATUSES as readonly string[]).includes(status)) {
          fail(m.status!, `is "${status.slice(0, 30)}", not one of ${POST_STATUSES.join(', ')}`);
        }
        p.status = status as PostStatus;
        p.statusChangedAt = m.status_changed_at ? parseTime(col(row, 'status_changed_at'), m.status_changed_at) : null;
        p.statusEvidence = { source: 'import', column: m.status };
      }
      return p;
    },
  };
}
