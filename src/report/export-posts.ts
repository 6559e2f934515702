/**
 * Streams posts out of the store as CSV or JSONL, through the privacy policy (privacy.ts):
 * author, handle, mentions and the author's id or handle inside the URL and the status evidence
 * are pseudonymised unless the caller opts out, and a followed account's handle in a source's
 * name is replaced as the API replaces it. Which posts is a `PostSelection` (export-filter.ts:
 * every post, a filtered list, a campaign's, a term's); each reads in id order with keyset
 * paging, so memory stays flat on any store size. The CLI and the API both write through here,
 * so a file downloaded from the dashboard is the file `censorscope export` writes.
 */
import Papa from 'papaparse';
import type { Writable } from 'node:stream';
import type { Store } from '../store/open.ts';
import { accountView, addIdentifiers, followedAccounts, knownMentions, viewMentions } from './privacy.ts';
import { defuseRecord } from './csv-safe.ts';

export const EXPORT_COLUMNS = ['source', 'platform_post_id', 'account', 'handle', 'created_at', 'text', 'language', 'url',
  'reply_to_id', 'repost_of_id', 'hashtags', 'urls', 'mentions', 'status', 'status_changed_at', 'status_evidence',
  'first_seen', 'last_seen'] as const;

/** The post columns an export reads (one query shape for every selection). */
export function postRowsQuery(store: Store) {
  return store.db.selectFrom('posts')
    .innerJoin('sources', 'sources.id', 'posts.source_id')
    .leftJoin('accounts', 'accounts.id', 'posts.account_id')
    .select(['posts.id', 'posts.source_id', 'sources.name as source', 'posts.platform_post_id', 'accounts.platform_account_id', 'accounts.handle',
      'posts.created_at', 'posts.text', 'posts.language', 'posts.url', 'posts.reply_to_id', 'posts.repost_of_id',
      'posts.hashtags', 'posts.urls', 'posts.mentions', 'posts.status', 'posts.status_changed_at', 'posts.status_evidence',
      'posts.first_seen', 'posts.last_seen']);
}

export type PostRowsQuery = ReturnType<typeof postRowsQuery>;
export type PostRow = Awaited<ReturnType<PostRowsQuery['execute']>>[number];

/** Which posts an export writes: pages of rows in ascending id order. */
export type PostSelection = (store: Store, pageSize: number) => AsyncIterable<PostRow[]>;

/** Every post of the store. */
export const allPosts: PostSelection = async function* (store, pageSize) {
  let after = 0;
  for (;;) {
    const rows = await postRowsQuery(store).where('posts.id', '>', after).orderBy('posts.id').limit(pageSize).execute();
    if (!rows.length) return;
    after = Number(rows[rows.length - 1]!.id);
    yield rows;
  }
};

export interface ExportOptions {
  format: 'csv' | 'jsonl';
  revealAccounts?: boolean;
  /** Which posts (default: all). */
  select?: PostSelection;
  pageSize?: number;
  onRows?: (n: number) => void;
}

/** The reader of an export went away (a closed download): the export stops, nothing is wrong with the data. */
export class ExportAborted extends Error {
  constructor() {
    super('The export was stopped: its reader closed the stream.');
    this.name = 'ExportAborted';
  }
}

const iso = (ms: number | string | null) => (ms === null ? null : new Date(Number(ms)).toISOString());
const list = (json: string | null) => (json ? (JSON.parse(json) as string[]) : []);

/** Writes the selected posts to `out`; resolves with the number written. */
export async function exportPosts(store: Store, out: Writable, opts: ExportOptions): Promise<number> {
  const view = await accountView(store, !!opts.revealAccounts);
  const followed = await followedAccounts(store, view);
  const sourceName = (name: string) => (followed.size ? view.scrub(name, followed) : name);
  const pageSize = opts.pageSize ?? 5000;
  let total = 0;
  if (opts.format === 'csv') await writeChunk(out, Papa.unparse([EXPORT_COLUMNS as unknown as string[]]) + '\r\n');
  for await (const rows of (opts.select ?? allPosts)(store, pageSize)) {
    if (!rows.length) continue;
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
        source: sourceName(r.source), platform_post_id: r.platform_post_id, account, handle, created_at: iso(r.created_at), text: r.text,
        language: r.language, url: view.scrub(r.url, ids), reply_to_id: r.reply_to_id, repost_of_id: r.repost_of_id,
        hashtags: list(r.hashtags), urls: view.scrub(list(r.urls), ids), mentions: shownMentions, status: r.status,
        status_changed_at: iso(r.status_changed_at), status_evidence: view.scrub(r.status_evidence ? JSON.parse(r.status_evidence) : null, ids),
        first_seen: iso(r.first_seen), last_seen: iso(r.last_seen),
      };
    });
    if (opts.format === 'jsonl') {
      await writeChunk(out, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    } else {
      // Every cell comes from strangers: defuse spreadsheet formulas (see csv-safe.ts).
      const flat = records.map((r) => defuseRecord({
        ...r, hashtags: r.hashtags.join(' '), urls: r.urls.join(' '), mentions: r.mentions.join(' '),
        status_evidence: r.status_evidence === null ? '' : JSON.stringify(r.status_evidence),
      }));
      await writeChunk(out, Papa.unparse(flat, { header: false, columns: EXPORT_COLUMNS as unknown as string[] }) + '\r\n');
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

/**
 * Writes one chunk, waiting while the reader is behind (backpressure keeps memory flat). A
 * reader that closes (a download cancelled in the browser) rejects with ExportAborted rather
 * than leaving the export waiting for a 'drain' that never comes.
 */
export function writeChunk(out: Writable, chunk: string): Promise<void> {
  if (out.destroyed || out.writableEnded) return Promise.reject(new ExportAborted());
  return new Promise((resolve, reject) => {
    if (out.write(chunk)) return resolve();
    const settle = (err?: Error) => {
      out.off('drain', onDrain);
      out.off('close', onClose);
      out.off('error', onError);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = () => settle();
    const onClose = () => settle(new ExportAborted());
    const onError = (err: Error) => settle(err);
    out.on('drain', onDrain);
    out.on('close', onClose);
    out.on('error', onError);
  });
}
