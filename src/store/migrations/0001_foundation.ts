/** The foundation tables: sources, accounts, posts and their versions, observations, findings, the quarantine. */
import type { StoreMigration } from './index.ts';

export const foundation: StoreMigration = {
  name: '0001_foundation',
  async up(db, caps) {
    const id = caps.idType;
    await db.schema.createTable('settings')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();

    await db.schema.createTable('sources')
      .addColumn('id', id, caps.autoId)
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('platform', 'text', (c) => c.notNull())
      .addColumn('config', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('cursor', 'text')
      .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema.createTable('accounts')
      .addColumn('id', id, caps.autoId)
      .addColumn('source_id', id, (c) => c.notNull().references('sources.id'))
      .addColumn('platform_account_id', 'text', (c) => c.notNull())
      .addColumn('handle', 'text')
      .addColumn('display_name', 'text')
      .addColumn('status', 'text', (c) => c.notNull().defaultTo('unknown'))
      .addColumn('first_seen', 'bigint', (c) => c.notNull())
      .addColumn('last_seen', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('accounts_source_platform_id', ['source_id', 'platform_account_id'])
      .execute();

    await db.schema.createTable('posts')
      .addColumn('id', id, caps.autoId)
      .addColumn('source_id', id, (c) => c.notNull().references('sources.id'))
      .addColumn('platform_post_id', 'text', (c) => c.notNull())
      .addColumn('account_id', id, (c) => c.references('accounts.id'))
      .addColumn('created_at', 'bigint')
      .addColumn('text', 'text', (c) => c.notNull())
      .addColumn('language', 'text')
      .addColumn('url', 'text')
      .addColumn('reply_to_id', 'text')
      .addColumn('repost_of_id', 'text')
      .addColumn('hashtags', 'text')
      .addColumn('urls', 'text')
      .addColumn('mentions', 'text')
      .addColumn('first_seen', 'bigint', (c) => c.notNull())
      .addColumn('last_seen', 'bigint', (c) => c.notNull())
      .addColumn('status', 'text', (c) =>
        c.notNull().defaultTo('visible')
          .check(sqlIn('status', ['visible', 'deleted_by_author', 'removed_by_platform', 'account_gone', 'unknown'])))
      .addColumn('status_changed_at', 'bigint')
      .addColumn('status_evidence', 'text')
      .addColumn('extra', 'text')
      .addUniqueConstraint('posts_source_platform_id', ['source_id', 'platform_post_id'])
      .execute();
    await db.schema.createIndex('posts_account').on('posts').columns(['account_id', 'created_at']).execute();
    await db.schema.createIndex('posts_created').on('posts').column('created_at').execute();
    // Partial: most posts stay visible, and the interesting ones are the others; this keeps bulk imports fast.
    await db.schema.createIndex('posts_status').on('posts').columns(['status', 'status_changed_at'])
      .where(sql.ref('status'), '<>', 'visible').execute();

    await db.schema.createTable('post_versions')
      .addColumn('id', id, caps.autoId)
      .addColumn('post_id', id, (c) => c.notNull().references('posts.id').onDelete('cascade'))
      .addColumn('seen_at', 'bigint', (c) => c.notNull())
      .addColumn('text', 'text', (c) => c.notNull())
      .addColumn('sha256', 'text', (c) => c.notNull())
      .addUniqueConstraint('post_versions_post_sha', ['post_id', 'sha256'])
      .execute();

    await db.schema.createTable('observations')
      .addColumn('id', id, caps.autoId)
      .addColumn('post_id', id, (c) => c.notNull().references('posts.id').onDelete('cascade'))
      .addColumn('observed_at', 'bigint', (c) => c.notNull())
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('http_status', 'integer')
      .addColumn('error_code', 'text')
      .addColumn('detail', 'text')
      .execute();
    await db.schema.createIndex('observations_post').on('observations').columns(['post_id', 'observed_at']).execute();

    await db.schema.createTable('findings')
      .addColumn('id', id, caps.autoId)
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('score', 'double precision', (c) => c.notNull())
      .addColumn('summary', 'text', (c) => c.notNull())
      .addColumn('evidence', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('findings_kind_key', ['kind', 'key'])
      .execute();

    await db.schema.createTable('import_errors')
      .addColumn('id', id, caps.autoId)
      .addColumn('file_key', 'text', (c) => c.notNull())
      .addColumn('file', 'text', (c) => c.notNull())
      .addColumn('line', 'integer', (c) => c.notNull())
      .addColumn('field', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('raw', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('import_errors_file_line', ['file_key', 'line', 'field'])
      .execute();

    await db.schema.createTable('imports')
      .addColumn('id', id, caps.autoId)
      .addColumn('file_key', 'text', (c) => c.notNull())
      .addColumn('file', 'text', (c) => c.notNull())
      .addColumn('format', 'text', (c) => c.notNull())
      .addColumn('source_id', id, (c) => c.notNull().references('sources.id'))
      .addColumn('rows', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('imported', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('duplicates', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('quarantined', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .addColumn('finished_at', 'bigint')
      .execute();
  },
};

import { sql } from 'kysely';
function sqlIn(column: string, values: string[]) {
  return sql`${sql.ref(column)} in (${sql.join(values.map((v) => sql.lit(v)))})`;
}
