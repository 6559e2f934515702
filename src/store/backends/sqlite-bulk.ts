/** Batched, idempotent inserts for SQLite with prepared statements (synchronous and fast). */
import type { Database as SqliteDb, Statement } from 'better-sqlite3';
import { asColumns, textHash } from '../bulk.ts';
import type { BatchResult, BulkWriter, Conflict, PostColumns, PostRecord, PostTransaction, QuarantinedRow, WriteOptions } from '../bulk.ts';
import { AccountCache } from '../account-cache.ts';

export class SqliteBulkWriter implements BulkWriter {
  private readonly insertAccount: Statement;
  private readonly findAccount: Statement;
  private readonly insertPost: Statement;
  private readonly insertVersion: Statement;
  private readonly insertError: Statement;
  private readonly storedPost: Statement;
  private readonly accounts = new AccountCache();

  constructor(readonly raw: SqliteDb) {
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
    // Only rows the insert skipped are looked up, so a fresh import pays nothing for the check.
    this.storedPost = raw.prepare(
      `SELECT p.text, p.created_at, p.account_id, a.platform_account_id FROM posts p LEFT JOIN accounts a ON a.id = p.account_id
       WHERE p.source_id = ? AND p.platform_post_id = ?`,
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
    const tx = this.begin(sourceId, seenAt, opts);
    await tx.add(asColumns(posts));
    return tx.commit();
  }

  begin(sourceId: number, seenAt: number, opts: WriteOptions = {}): PostTransaction {
    return new SqliteTransaction(this, sourceId, seenAt, opts.versions ?? true);
  }

  /**
   * Inserts the posts inside the caller's open transaction; rows whose id is taken and whose
   * content differs go to `conflicts`, numbered from `base`.
   */
  insert(sourceId: number, c: PostColumns, seenAt: number, versions: boolean, base: number, conflicts: Conflict[]): number {
    let inserted = 0;
    const accounts = new Float64Array(c.length);
    for (let i = 0; i < c.length; i++) accounts[i] = this.accountId(sourceId, c, i, seenAt) ?? -1;
    for (let i = 0; i < c.length; i++) {
      const info = this.insertPost.run(
        sourceId, c.platformPostId[i], accounts[i] < 0 ? null : accounts[i], c.createdAt[i], c.text[i], c.language[i],
        c.url[i], c.replyToId[i], c.repostOfId[i], c.hashtags[i], c.urls[i], c.mentions[i], seenAt, seenAt, c.status[i],
        c.statusChangedAt[i], c.statusEvidence[i], c.extra[i],
      );
      if (info.changes === 0) {
        const s = this.storedPost.get(sourceId, c.platformPostId[i]) as StoredRow;
        if (s.text !== c.text[i] || s.created_at !== c.createdAt[i] || (s.account_id ?? -1) !== accounts[i]) {
          conflicts.push({
            index: base + i, platformPostId: c.platformPostId[i],
            row: { account: c.accountId[i], createdAt: c.createdAt[i], text: c.text[i] },
            stored: { account: s.platform_account_id, createdAt: s.created_at, text: s.text },
          });
        }
        continue;
      }
      inserted++;
      if (versions) this.insertVersion.run(Number(info.lastInsertRowid), c.createdAt[i] ?? seenAt, c.text[i], textHash(c.text[i]));
    }
    return inserted;
  }

  /** Forgets cached account ids, which a rollback may have made stale. */
  forgetAccounts(): void {
    this.accounts.clear();
  }

  async quarantine(rows: QuarantinedRow[]): Promise<void> {
    // Inside an open import transaction better-sqlite3 uses a savepoint, so this nests.
    const now = Date.now();
    this.raw.transaction(() => {
      for (const r of rows) this.insertError.run(r.fileKey, r.file, r.line, r.field, r.reason, r.raw, now);
    })();
  }
}

interface StoredRow {
  text: string;
  created_at: number | null;
  account_id: number | null;
  platform_account_id: string | null;
}

/**
 * Rows are inserted as each batch arrives (a batch is garbage as soon as it is bound, which
 * keeps the writer's heap small), inside one BEGIN … COMMIT, so each index page touched is
 * written once per transaction rather than once per batch (bench/import). Inside a caller's
 * transaction it becomes a savepoint.
 */
class SqliteTransaction implements PostTransaction {
  rows = 0;
  private inserted = 0;
  private conflicts: Conflict[] = [];
  private open: 'no' | 'transaction' | 'savepoint' = 'no';
  constructor(
    private readonly writer: SqliteBulkWriter, private readonly sourceId: number, private readonly seenAt: number,
    private readonly versions: boolean,
  ) {}

  async add(posts: PostColumns): Promise<void> {
    if (!posts.length) return;
    const raw = this.writer.raw;
    if (this.open === 'no') {
      this.open = raw.inTransaction ? 'savepoint' : 'transaction';
      raw.exec(this.open === 'savepoint' ? 'SAVEPOINT censorscope_posts' : 'BEGIN');
    }
    try {
      this.inserted += this.writer.insert(this.sourceId, posts, this.seenAt, this.versions, this.rows, this.conflicts);
      this.rows += posts.length;
    } catch (err) {
      await this.rollback();
      throw err;
    }
  }

  async commit(): Promise<BatchResult> {
    const open = this.open;
    this.open = 'no';
    try {
      if (open !== 'no') this.writer.raw.exec(open === 'savepoint' ? 'RELEASE censorscope_posts' : 'COMMIT');
    } catch (err) {
      this.open = open;
      await this.rollback();
      throw err;
    }
    return { inserted: this.inserted, duplicates: this.rows - this.inserted - this.conflicts.length, conflicts: this.conflicts };
  }

  async rollback(): Promise<void> {
    const raw = this.writer.raw;
    if (this.open === 'savepoint') raw.exec('ROLLBACK TO censorscope_posts; RELEASE censorscope_posts');
    else if (this.open === 'transaction' && raw.inTransaction) raw.exec('ROLLBACK');
    this.open = 'no';
    this.writer.forgetAccounts();
  }
}
