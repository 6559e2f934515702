/**
 * Streams every post out of the store as CSV or JSONL, through the privacy policy
 * (privacy.ts): author, handle, mentions and the author's id or handle inside the URL and the
 * status evidence are pseudonymised unless the caller opts out. Reads in id order with keyset
 * paging, so memory stays flat on any store size.
 */
import Papa from 'papaparse';
import type { Writable } from 'node:stream';
import type { Store } from '../store/open.ts';
import { accountView, addIdentifiers, knownMentions, viewMentions } from './privacy.ts';
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
  const view = await accountView(store, !!opts.revealAccounts);
  const pageSize = opts.pageSize ?? 5000;
  let after = 0;
  let total = 0;
  if (opts.format === 'csv') await write(out, Papa.unparse([EXPORT_COLUMNS as unknown as string[]]) + '\r\n');
  for (;;) {
    const rows = await store.db.selectFrom('posts')
      .innerJoin('sources', 'sources.id', 'posts.source_id')
      .leftJoin('accounts', 'accounts.id', 'posts.account_id')
      .select(['posts.id', 'posts.source_id', 'sources.name as source', 'posts.platform_post_id', 'accounts.platform_account_id', 'accounts.handle',
        'posts.created_at', 'posts.text', 'posts.language', 'posts.url', 'posts.reply_to_id', 'posts.repost_of_id',
        'posts.hashtags', 'posts.urls', 'posts.mentions', 'posts.status', 'posts.status_changed_at', 'posts.status_evidence',
        'posts.first_seen', 'posts.last_seen'])
      .where('posts.id', '>', after).orderBy('posts.id').limit(pageSize).execute();
    if (!rows.length) break;
    after = rows[rows.length - 1].id;
    const known = view.revealed ? new Map<number, Map<string, string>>() : await mentionedAccounts(store, rows);
    const records = rows.map((r) => {
      const account = r.platform_account_id === null ? null : view.id(r.source, r.platform_account_id);
      const handle = r.handle === null ? null : view.handle(r.source, r.platform_account_id, r.handle);
      const mentions = list(r.mentions);
      const shownMentions = viewMentions(view, r.source, mentions, known.get(Number(r.source_id)) ?? new Map()) ?? [];
      // The author's id or handle inside other fields (a post URL like …/@handle/123) and the mentioned handles.
      const ids = new Map<string, string>();
      addIdentifiers(ids, account, r.platform_account_id, r.handle);
      mentions.forEach((m, i) => addIdentifiers(ids, shownMentions[i]!, null, m));
      return {
        source: r.source, platform_post_id: r.platform_post_id, account, handle, created_at: iso(r.created_at), text: r.text,
        language: r.language, url: view.scrub(r.url, ids), reply_to_id: r.reply_to_id, repost_of_id: r.repost_of_id,
        hashtags: list(r.hashtags), urls: view.scrub(list(r.urls), ids), mentions: shownMentions, status: r.status,
        status_changed_at: iso(r.status_changed_at), status_evidence: view.scrub(r.status_evidence ? JSON.parse(r.status_evidence) : null, ids),
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

/** Per source id, which mentioned handles or ids of a page of posts are accounts the store knows. */
async function mentionedAccounts(store: Store, rows: Array<{ source_id: number | string; mentions: string | null }>): Promise<Map<number, Map<string, string>>> {
  const bySource = new Map<number, Set<string>>();
  for (const r of rows) {
    const ms = list(r.mentions);
    if (!ms.length) continue;
    let set = bySource.get(Number(r.source_id));
    if (!set) bySource.set(Number(r.source_id), (set = new Set()));
    for (const m of ms) set.add(m);
  }
  const out = new Map<number, Map<string, string>>();
  for (const [sourceId, ms] of bySource) out.set(sourceId, await knownMentions(store, sourceId, ms));
  return out;
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
