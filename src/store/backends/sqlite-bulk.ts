/** Batched, idempotent inserts for SQLite with prepared statements (synchronous and fast). */
import type { Database as SqliteDb, Statement } from 'better-sqlite3';
import { asColumns, textHash } from '../bulk.ts';
import type { BatchResult, BulkWriter, PostColumns, PostRecord, QuarantinedRow, WriteOptions } from '../bulk.ts';
import { AccountCache } from '../account-cache.ts';

export class SqliteBulkWriter implements BulkWriter {
  private readonly insertAccount: Statement;
  private readonly findAccount: Statement;
  private readonly insertPost: Statement;
  private readonly insertVersion: Statement;
  private readonly insertError: Statement;
  private readonly accounts = new AccountCache();

  constructor(private readonly raw: SqliteDb) {
    this.insertAccount = raw.prepare(
      `INSERT INTO accounts (source_id, platform_account_id, handle, display_name, status, first_seen, last_seen)
       VALUES (?, ?, ?, ?, 'unknown', ?, ?) ON CONFLICT (source_id, platform_account_id) DO NOTHING`,
    );
    this.findAccount = raw.prepare('SELECT id FROM accounts WHERE source_id = ? AND platform_account_id = ?').pluck();
    this.insertPost = raw.prepare(
      `INSERT INTO posts (source_id, platform_post_id, account_id, created_at, text, language, url, reply_to_id,
         repost_of_id, hashtags, urls, mentions, first_seen, last_seen, status, status_changed_at, status_evidence, extra)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (source_id, platform_post_id) DO NOTHING`,
    );
    this.insertVersion = raw.prepare(
      `INSERT INTO post_versions (post_id, seen_at, text, sha256) VALUES (?, ?, ?, ?)
       ON CONFLICT (post_id, sha256) DO NOTHING`,
    );
    this.insertError = raw.prepare(
      `INSERT INTO import_errors (file_key, file, line, field, reason, raw, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (file_key, line, field) DO NOTHING`,
    );
  }

  private accountId(sourceId: number, c: PostColumns, i: number, seenAt: number): number | null {
    const platformId = c.accountId[i];
    if (platformId === null) return null;
    const cached = this.accounts.get(sourceId, platformId);
    if (cached !== undefined) return cached;
    const info = this.insertAccount.run(sourceId, platformId, c.accountHandle[i], c.accountName[i], seenAt, seenAt);
    const id = info.changes ? Number(info.lastInsertRowid) : (this.findAccount.get(sourceId, platformId) as number);
    this.accounts.set(sourceId, platformId, id);
    return id;
  }

  async writePosts(sourceId: number, posts: PostRecord[] | PostColumns, seenAt: number, opts: WriteOptions = {}): Promise<BatchResult> {
    const c = asColumns(posts);
    const versions = opts.versions ?? true;
    const run = this.raw.transaction((): BatchResult => {
      let inserted = 0;
      const accounts = new Float64Array(c.length);
      for (let i = 0; i < c.length; i++) accounts[i] = this.accountId(sourceId, c, i, seenAt) ?? -1;
      for (let i = 0; i < c.length; i++) {
        const info = this.insertPost.run(
          sourceId, c.platformPostId[i], accounts[i] < 0 ? null : accounts[i], c.createdAt[i], c.text[i], c.language[i],
          c.url[i], c.replyToId[i], c.repostOfId[i], c.hashtags[i], c.urls[i], c.mentions[i], seenAt, seenAt, c.status[i],
          c.statusChangedAt[i], c.statusEvidence[i], c.extra[i],
        );
        if (info.changes === 0) continue;
        inserted++;
        if (versions) this.insertVersion.run(Number(info.lastInsertRowid), c.createdAt[i] ?? seenAt, c.text[i], textHash(c.text[i]));
      }
      return { inserted, duplicates: c.length - inserted };
    });
    try {
      return run();
    } catch (err) {
      // A rolled-back batch may have cached account ids that no longer exist.
      this.accounts.clear();
      throw err;
    }
  }

  async quarantine(rows: QuarantinedRow[]): Promise<void> {
    const now = Date.now();
    this.raw.transaction(() => {
      for (const r of rows) this.insertError.run(r.fileKey, r.file, r.line, r.field, r.reason, r.raw, now);
    })();
  }
}
