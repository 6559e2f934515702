/**
 * Requests made to each source, in 5-second buckets, so that several watchers on one store
 * (PostgreSQL) share the source's request budget instead of each spending all of it.
 */
import type { StoreMigration } from './index.ts';

export const requestBudget: StoreMigration = {
  name: '0007_request_budget',
  async up(db, caps) {
    await db.schema.createTable('request_budget')
      .addColumn('source_id', caps.idType, (c) => c.notNull().references('sources.id').onDelete('cascade'))
      .addColumn('bucket', 'bigint', (c) => c.notNull())
      .addColumn('used', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('request_budget_pk', ['source_id', 'bucket'])
      .execute();
  },
};
