/**
 * Site watch and the web archive (issue 15): the tracked sites and their schedule, one row per
 * capture with its verdict, the index of WARC records kept in files beside the store, and the
 * outbox of webhook alerts. WARC files are append-only blobs; the store keeps where each record
 * is (file, offset, length) and its payload digest, which is what deduplication looks up.
 */
import type { StoreMigration } from './index.ts';

export const siteWatch: StoreMigration = {
  name: '0013_site_watch',
  async up(db, caps) {
    await db.schema.createTable('tracked_sites')
      .addColumn('id', caps.idType, caps.autoId)
      .addColumn('url', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text')
      .addColumn('every_ms', 'bigint', (c) => c.notNull())
      .addColumn('webhook', 'text')
      .addColumn('category', 'text')
      .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('added_at', 'bigint', (c) => c.notNull())
      .addColumn('next_check_at', 'bigint', (c) => c.notNull())
      .addColumn('lease_owner', 'text')
      .addColumn('lease_until', 'bigint')
      .addColumn('state', 'text')
      .addColumn('state_since', 'bigint')
      .addColumn('last_capture_id', 'bigint')
      .execute();
    await db.schema.createIndex('tracked_sites_due').on('tracked_sites').columns(['enabled', 'next_check_at']).execute();

    await db.schema.createTable('site_captures')
      .addColumn('id', caps.idType, caps.autoId)
      .addColumn('site_id', 'bigint', (c) => c.notNull().references('tracked_sites.id').onDelete('cascade'))
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('status', 'integer')
      .addColumn('final_url', 'text')
      .addColumn('verdict', 'text', (c) => c.notNull())
      .addColumn('reasons', 'text', (c) => c.notNull())
      .addColumn('digest', 'text')
      .addColumn('error_code', 'text')
      .addColumn('snapshot', 'text')
      .addColumn('diff', 'text')
      .addColumn('baseline_id', 'bigint')
      .addColumn('record_id', 'bigint')
      .addColumn('probe_measurement_id', 'bigint')
      .execute();
    await db.schema.createIndex('site_captures_site_at').on('site_captures').columns(['site_id', 'at', 'id']).execute();

    await db.schema.createTable('archive_records')
      .addColumn('id', caps.idType, caps.autoId)
      .addColumn('file', 'text', (c) => c.notNull())
      .addColumn('record_offset', 'bigint', (c) => c.notNull())
      .addColumn('record_length', 'bigint', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('warc_record_id', 'text', (c) => c.notNull().unique())
      .addColumn('target_uri', 'text', (c) => c.notNull())
      .addColumn('date', 'bigint', (c) => c.notNull())
      .addColumn('payload_digest', 'text')
      .addColumn('http_status', 'integer')
      .addColumn('content_type', 'text')
      .addColumn('refers_to', 'bigint')
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('subject_id', 'bigint', (c) => c.notNull())
      .addColumn('observation_id', 'bigint')
      .execute();
    await db.schema.createIndex('archive_records_digest').on('archive_records').columns(['payload_digest', 'type']).execute();
    await db.schema.createIndex('archive_records_subject').on('archive_records').columns(['subject', 'subject_id', 'date']).execute();
    await db.schema.createIndex('archive_records_uri').on('archive_records').columns(['target_uri', 'date']).execute();

    await db.schema.createTable('site_alerts')
      .addColumn('id', caps.idType, caps.autoId)
      .addColumn('site_id', 'bigint', (c) => c.notNull().references('tracked_sites.id').onDelete('cascade'))
      .addColumn('capture_id', 'bigint', (c) => c.notNull())
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
      .addColumn('delivered_at', 'bigint')
      .addColumn('last_error', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('site_alerts_pending').on('site_alerts').columns(['delivered_at', 'next_attempt_at']).execute();
  },
};
