/**
 * Batched, idempotent inserts for PostgreSQL: each table gets one statement per batch, with the
 * rows passed as parallel arrays through unnest() (one round trip, no per-row SQL).
 */
import type pg from 'pg';
import { asColumns, BufferedTransaction, textHash } from '../bulk.ts';
import type { BatchResult, BulkWriter, PostColumns, PostRecord, PostTransaction, QuarantinedRow, WriteOptions } from '../bulk.ts';
import { AccountCache } from '../account-cache.ts';

export class PostgresBulkWriter implements BulkWriter {
  private readonly accounts = new AccountCache();
  constructor(private readonly pool: pg.Pool) {}

  /** One unnest() statement per table is fastest here, so a transaction's batches are written together at commit. */
  begin(sourceId: number, seenAt: number, opts: WriteOptions = {}): PostTransaction {
    return new BufferedTransaction(this, sourceId, seenAt, opts);
  }

  async writePosts(sourceId: number, posts: PostRecord[] | PostColumns, seenAt: number, opts: WriteOptions = {}): Promise<BatchResult> {
    const c = asColumns(posts);
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const accountIds = await this.resolveAccounts(client, sourceId, c, seenAt);
      const res = await client.query<{ id: number; platform_post_id: string }>(
        `INSERT INTO posts (source_id, platform_post_id, account_id, created_at, text, language, url, reply_to_id,
           repost_of_id, hashtags, urls, mentions, status, status_changed_at, status_evidence, extra, first_seen, last_seen)
         SELECT $1, u.*, $17::bigint, $17::bigint FROM
           unnest($2::text[], $3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                  $10::text[], $11::text[], $12::text[], $13::text[], $14::bigint[], $15::text[], $16::text[]) AS u
         ON CONFLICT (source_id, platform_post_id) DO NOTHING
         RETURNING id, platform_post_id`,
        [sourceId, c.platformPostId, c.accountId.map((a) => (a === null ? null : accountIds.get(a)!)), c.createdAt, c.text,
          c.language, c.url, c.replyToId, c.repostOfId, c.hashtags, c.urls, c.mentions, c.status, c.statusChangedAt,
          c.statusEvidence, c.extra, seenAt],
      );
      if (res.rows.length && (opts.versions ?? true)) {
        const index = new Map<string, number>();
        for (let i = 0; i < c.length; i++) if (!index.has(c.platformPostId[i])) index.set(c.platformPostId[i], i);
        const ids: number[] = [], seen: number[] = [], texts: string[] = [], hashes: string[] = [];
        for (const row of res.rows) {
          const i = index.get(row.platform_post_id)!;
          ids.push(row.id);
          seen.push(c.createdAt[i] ?? seenAt);
          texts.push(c.text[i]);
          hashes.push(textHash(c.text[i]));
        }
        await client.query(
          `INSERT INTO post_versions (post_id, seen_at, text, sha256)
           SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[])
           ON CONFLICT (post_id, sha256) DO NOTHING`,
          [ids, seen, texts, hashes],
        );
      }
      await client.query('COMMIT');
      return { inserted: res.rows.length, duplicates: c.length - res.rows.length };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      this.accounts.clear();
      throw err;
    } finally {
      client.release();
    }
  }

  /** Inserts unknown accounts of the batch and returns platform id → store id for all of them. */
  private async resolveAccounts(client: pg.PoolClient, sourceId: number, c: PostColumns, seenAt: number) {
    const out = new Map<string, number>();
    const missing = new Map<string, number>();
    for (let i = 0; i < c.length; i++) {
      const a = c.accountId[i];
      if (a === null || out.has(a) || missing.has(a)) continue;
      const cached = this.accounts.get(sourceId, a);
      if (cached !== undefined) out.set(a, cached);
      else missing.set(a, i);
    }
    if (missing.size) {
      const idx = [...missing.values()];
      await client.query(
        `INSERT INTO accounts (source_id, platform_account_id, handle, display_name, status, first_seen, last_seen)
         SELECT $1, a, b, c, 'unknown', $5, $5 FROM unnest($2::text[], $3::text[], $4::text[]) AS u(a, b, c)
         ON CONFLICT (source_id, platform_account_id) DO NOTHING`,
        [sourceId, idx.map((i) => c.accountId[i]), idx.map((i) => c.accountHandle[i]), idx.map((i) => c.accountName[i]), seenAt],
      );
      const found = await client.query<{ id: number; platform_account_id: string }>(
        'SELECT id, platform_account_id FROM accounts WHERE source_id = $1 AND platform_account_id = ANY($2::text[])',
        [sourceId, [...missing.keys()]],
      );
      for (const row of found.rows) {
        out.set(row.platform_account_id, row.id);
        this.accounts.set(sourceId, row.platform_account_id, row.id);
      }
    }
    return out;
  }

  async quarantine(rows: QuarantinedRow[]): Promise<void> {
    if (!rows.length) return;
    await this.pool.query(
      `INSERT INTO import_errors (file_key, file, line, field, reason, raw, created_at)
       SELECT *, $7::bigint FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[])
       ON CONFLICT (file_key, line, field) DO NOTHING`,
      [rows.map((r) => r.fileKey), rows.map((r) => r.file), rows.map((r) => r.line), rows.map((r) => r.field),
        rows.map((r) => r.reason), rows.map((r) => r.raw), Date.now()],
    );
  }
}
