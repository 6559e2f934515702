/**
 * Coordination split by time range (issue 16): each range of the corpus is a job row that
 * detector processes claim (FOR UPDATE SKIP LOCKED on PostgreSQL, with a lease so a crashed
 * worker's job is taken again), and the coordinated post pairs each job found, which the merge
 * step reads back to build one set of campaigns.
 */
import type { StoreMigration } from './index.ts';

export const coordinationJobs: StoreMigration = {
  name: '0014_coordination_jobs',
  async up(db, caps) {
    await db.schema.createTable('coordination_jobs')
      .addColumn('id', caps.idType, caps.autoId)
      .addColumn('run_id', 'text', (c) => c.notNull())
      /** Posts created in [range_start, range_end] are the later post of the job's pairs. */
      .addColumn('range_start', 'bigint', (c) => c.notNull())
      .addColumn('range_end', 'bigint', (c) => c.notNull())
      .addColumn('options', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('worker', 'text')
      .addColumn('lease_until', 'bigint')
      .addColumn('finished_at', 'bigint')
      .addColumn('posts', 'bigint')
      .addColumn('candidates', 'bigint')
      .addColumn('verified', 'bigint')
      .execute();
    await db.schema.createIndex('coordination_jobs_status').on('coordination_jobs').columns(['status', 'id']).execute();
    await db.schema.createTable('coordination_pairs')
      .addColumn('job_id', 'bigint', (c) => c.notNull().references('coordination_jobs.id').onDelete('cascade'))
      .addColumn('type', 'integer', (c) => c.notNull())
      .addColumn('acc_a', 'bigint', (c) => c.notNull())
      .addColumn('acc_b', 'bigint', (c) => c.notNull())
      .addColumn('post_a', 'bigint', (c) => c.notNull())
      .addColumn('post_b', 'bigint', (c) => c.notNull())
      .addColumn('time_a', 'bigint', (c) => c.notNull())
      .addColumn('time_b', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('coordination_pairs_job').on('coordination_pairs').column('job_id').execute();
  },
};
