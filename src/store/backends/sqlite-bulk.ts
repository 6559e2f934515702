/** Batched, idempotent inserts for SQLite with prepared statements (synchronous and fast). */
import type { Database as SqliteDb, Statement } from 'better-sqlite3';
import { textHash, jsonList, jsonOrNull } from '../bulk.ts';
import type { BatchResult, BulkWriter, PostRecord, QuarantinedRow } from '../bulk.ts';
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

  private accountId(sourceId: number, p: PostRecord, seenAt: number): number | null {
    if (p.accountId === null) return null;
    const cached = this.accounts.get(sourceId, p.accountId);
    if (cached !== undefined) return cached;
    const info = this.insertAccount.run(sourceId, p.accountId, p.accountHandle, p.accountName, seenAt, seenAt);
    const id = info.changes ? Number(info.lastInsertRowid) : (this.findAccount.get(sourceId, p.accountId) as number);
    this.accounts.set(sourceId, p.accountId, id);
    return id;
  }

  async writePosts(sourceId: number, posts: PostRecord[], seenAt: number): Promise<BatchResult> {
    const run = this.raw.transaction((): BatchResult => {
      let inserted = 0;
      for (const p of posts) {
        const info = this.insertPost.run(
          sourceId, p.platformPostId, this.accountId(sourceId, p, seenAt), p.createdAt, p.text, p.language, p.url,
          p.replyToId, p.repostOfId, jsonList(p.hashtags), jsonList(p.urls), jsonList(p.mentions), seenAt, seenAt,
          p.status, p.statusChangedAt, jsonOrNull(p.statusEvidence), jsonOrNull(p.extra),
        );
        if (info.changes === 0) continue;
        inserted++;
        this.insertVersion.run(Number(info.lastInsertRowid), p.createdAt ?? seenAt, p.text, textHash(p.text));
      }
      return { inserted, duplicates: posts.length - inserted };
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
