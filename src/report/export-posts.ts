/**
 * Streams every post out of the store as CSV or JSONL, with accounts pseudonymised unless the
 * caller opts out. Reads in id order with keyset paging, so memory stays flat on any store size.
 */
import Papa from 'papaparse';
import type { Writable } from 'node:stream';
import type { Store } from '../store/open.ts';
import { pseudonymKey, pseudonymiser } from './pseudonym.ts';
import { defuseRecord } from './csv-safe.ts';

export const EXPORT_COLUMNS = ['source', 'platform_post_id', 'account', 'handle', 'created_at', 'text', 'language', 'url',
  'reply_to_id', 'repost_of_id', 'hashtags', 'urls', 'mentions', 'status', 'status_changed_at', 'status_evidence',
  'first_seen', 'last_seen'] as const;

export interface ExportOptions {
  format: 'csv' | 'jsonl';
  revealAccounts?: boolean;
  pageSize?: number;
  onRows?: (n: number) => void;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const list = (json: string | null) => (json ? (JSON.parse(json) as string[]) : []);

/** Writes all posts to `out`; resolves with the number written. */
export async function exportPosts(store: Store, out: Writable, opts: ExportOptions): Promise<number> {
  const hide = opts.revealAccounts ? null : pseudonymiser(await pseudonymKey(store));
  const pageSize = opts.pageSize ?? 5000;
  let after = 0;
  let total = 0;
  if (opts.format === 'csv') await write(out, Papa.unparse([EXPORT_COLUMNS as unknown as string[]]) + '\r\n');
  for (;;) {
    const rows = await store.db.selectFrom('posts')
      .innerJoin('sources', 'sources.id', 'posts.source_id')
      .leftJoin('accounts', 'accounts.id', 'posts.account_id')
      .select(['posts.id', 'sources.name as source', 'posts.platform_post_id', 'accounts.platform_account_id', 'accounts.handle',
        'posts.created_at', 'posts.text', 'posts.language', 'posts.url', 'posts.reply_to_id', 'posts.repost_of_id',
        'posts.hashtags', 'posts.urls', 'posts.mentions', 'posts.status', 'posts.status_changed_at', 'posts.status_evidence',
        'posts.first_seen', 'posts.last_seen'])
      .where('posts.id', '>', after).orderBy('posts.id').limit(pageSize).execute();
    if (!rows.length) break;
    after = rows[rows.length - 1].id;
    const records = rows.map((r) => {
      const account = r.platform_account_id === null ? null : hide ? hide(r.source, r.platform_account_id) : r.platform_account_id;
      const handle = r.handle === null ? null : hide ? account : r.handle;
      return {
        source: r.source, platform_post_id: r.platform_post_id, account, handle, created_at: iso(r.created_at), text: r.text,
        language: r.language, url: r.url, reply_to_id: r.reply_to_id, repost_of_id: r.repost_of_id,
        hashtags: list(r.hashtags), urls: list(r.urls), mentions: list(r.mentions), status: r.status,
        status_changed_at: iso(r.status_changed_at), status_evidence: r.status_evidence ? JSON.parse(r.status_evidence) : null,
        first_seen: iso(r.first_seen), last_seen: iso(r.last_seen),
      };
    });
    if (opts.format === 'jsonl') {
      await write(out, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    } else {
      // Every cell comes from strangers: defuse spreadsheet formulas (see csv-safe.ts).
      const flat = records.map((r) => defuseRecord({
        ...r, hashtags: r.hashtags.join(' '), urls: r.urls.join(' '), mentions: r.mentions.join(' '),
        status_evidence: r.status_evidence === null ? '' : JSON.stringify(r.status_evidence),
      }));
      await write(out, Papa.unparse(flat, { header: false, columns: EXPORT_COLUMNS as unknown as string[] }) + '\r\n');
    }
    total += rows.length;
    opts.onRows?.(rows.length);
  }
  return total;
}

function write(out: Writable, chunk: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (out.write(chunk)) resolve();
    else {
      out.once('drain', resolve);
      out.once('error', reject);
    }
  });
}
