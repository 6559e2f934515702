/**
 * The deletion watch: each watched post's place in the revisit schedule (with a lease so several
 * watchers never check one post at once), and one row per proven disappearance.
 */
import type { StoreMigration } from './index.ts';

export const watch: StoreMigration = {
  name: '0002_watch',
  async up(db, caps) {
    const id = caps.idType;
    await db.schema.createTable('watch_schedule')
      .addColumn('post_id', id, (c) => c.primaryKey().references('posts.id').onDelete('cascade'))
      .addColumn('source_id', id, (c) => c.notNull().references('sources.id'))
      .addColumn('posted_at', 'bigint', (c) => c.notNull())
      .addColumn('next_check_at', 'bigint', (c) => c.notNull())
      .addColumn('last_checked_at', 'bigint')
      .addColumn('checks', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('transient_streak', 'integer', (c) => c.notNull().defaultTo(0))
      // A first "gone" answer waits here for its confirming re-check.
      .addColumn('pending_kind', 'text')
      .addColumn('pending_since', 'bigint')
      .addColumn('lease_owner', 'text')
      .addColumn('lease_until', 'bigint')
      .addColumn('done', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.createIndex('watch_schedule_due').on('watch_schedule').columns(['done', 'next_check_at']).execute();

    await db.schema.createTable('disappearances')
      .addColumn('id', id, caps.autoId)
      .addColumn('post_id', id, (c) => c.notNull().unique().references('posts.id').onDelete('cascade'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
      .addColumn('first_missing_at', 'bigint', (c) => c.notNull())
      .addColumn('observation_id', id, (c) => c.references('observations.id').onDelete('set null'))
      .addColumn('detected_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('disappearances_kind').on('disappearances').columns(['kind', 'detected_at']).execute();
  },
};
