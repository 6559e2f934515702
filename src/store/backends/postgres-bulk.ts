/**
 * Batched, idempotent inserts for PostgreSQL: each table gets one statement per batch, with the
 * rows passed as parallel arrays through unnest() (one round trip, no per-row SQL).
 */
import type pg from 'pg';
import { textHash, jsonList, jsonOrNull } from '../bulk.ts';
import type { BatchResult, BulkWriter, PostRecord, QuarantinedRow } from '../bulk.ts';
import { AccountCache } from '../account-cache.ts';

export class PostgresBulkWriter implements BulkWriter {
  private readonly accounts = new AccountCache();
  constructor(private readonly pool: pg.Pool) {}

  async writePosts(sourceId: number, posts: PostRecord[], seenAt: number): Promise<BatchResult> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const accountIds = await this.resolveAccounts(client, sourceId, posts, seenAt);
      const cols = {
        pid: [] as string[], acc: [] as (number | null)[], created: [] as (number | null)[], text: [] as string[],
        lang: [] as (string | null)[], url: [] as (string | null)[], reply: [] as (string | null)[],
        repost: [] as (string | null)[], tags: [] as (string | null)[], urls: [] as (string | null)[],
        ments: [] as (string | null)[], status: [] as string[], changed: [] as (number | null)[],
        evidence: [] as (string | null)[], extra: [] as (string | null)[],
      };
      for (const p of posts) {
        cols.pid.push(p.platformPostId);
        cols.acc.push(p.accountId === null ? null : accountIds.get(p.accountId)!);
        cols.created.push(p.createdAt);
        cols.text.push(p.text);
        cols.lang.push(p.language);
        cols.url.push(p.url);
        cols.reply.push(p.replyToId);
        cols.repost.push(p.repostOfId);
        cols.tags.push(jsonList(p.hashtags));
        cols.urls.push(jsonList(p.urls));
        cols.ments.push(jsonList(p.mentions));
        cols.status.push(p.status);
        cols.changed.push(p.statusChangedAt);
        cols.evidence.push(jsonOrNull(p.statusEvidence));
        cols.extra.push(jsonOrNull(p.extra));
      }
      const res = await client.query<{ id: number; platform_post_id: string }>(
        `INSERT INTO posts (source_id, platform_post_id, account_id, created_at, text, language, url, reply_to_id,
           repost_of_id, hashtags, urls, mentions, status, status_changed_at, status_evidence, extra, first_seen, last_seen)
         SELECT $1, u.*, $17::bigint, $17::bigint FROM
           unnest($2::text[], $3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                  $10::text[], $11::text[], $12::text[], $13::text[], $14::bigint[], $15::text[], $16::text[]) AS u
         ON CONFLICT (source_id, platform_post_id) DO NOTHING
         RETURNING id, platform_post_id`,
        [sourceId, cols.pid, cols.acc, cols.created, cols.text, cols.lang, cols.url, cols.reply, cols.repost, cols.tags,
          cols.urls, cols.ments, cols.status, cols.changed, cols.evidence, cols.extra, seenAt],
      );
      if (res.rows.length) {
        const byPid = new Map<string, PostRecord>();
        for (const p of posts) if (!byPid.has(p.platformPostId)) byPid.set(p.platformPostId, p);
        const ids: number[] = [], seen: number[] = [], texts: string[] = [], hashes: string[] = [];
        for (const row of res.rows) {
          const p = byPid.get(row.platform_post_id)!;
          ids.push(row.id);
          seen.push(p.createdAt ?? seenAt);
          texts.push(p.text);
          hashes.push(textHash(p.text));
        }
        await client.query(
          `INSERT INTO post_versions (post_id, seen_at, text, sha256)
           SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[])
           ON CONFLICT (post_id, sha256) DO NOTHING`,
          [ids, seen, texts, hashes],
        );
      }
      await client.query('COMMIT');
      return { inserted: res.rows.length, duplicates: posts.length - res.rows.length };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      this.accounts.clear();
      throw err;
    } finally {
      client.release();
    }
  }

  /** Inserts unknown accounts of the batch and returns platform id → store id for all of them. */
  private async resolveAccounts(client: pg.PoolClient, sourceId: number, posts: PostRecord[], seenAt: number) {
    const out = new Map<string, number>();
    const missing = new Map<string, PostRecord>();
    for (const p of posts) {
      if (p.accountId === null || out.has(p.accountId)) continue;
      const cached = this.accounts.get(sourceId, p.accountId);
      if (cached !== undefined) out.set(p.accountId, cached);
      else missing.set(p.accountId, p);
    }
    if (missing.size) {
      const recs = [...missing.values()];
      await client.query(
        `INSERT INTO accounts (source_id, platform_account_id, handle, display_name, status, first_seen, last_seen)
         SELECT $1, a, b, c, 'unknown', $5, $5 FROM unnest($2::text[], $3::text[], $4::text[]) AS u(a, b, c)
         ON CONFLICT (source_id, platform_account_id) DO NOTHING`,
        [sourceId, recs.map((r) => r.accountId), recs.map((r) => r.accountHandle), recs.map((r) => r.accountName), seenAt],
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
