/**
 * Indexes the dashboard's queries need: watch health reads the recent observations, the
 * overview buckets disappearances by when they were first missing (neither table is written
 * by bulk imports), and the posts list pages non-visible posts by id. That last index is
 * partial, like the foundation's posts_status: visible posts (the bulk of any import) never
 * enter it, so imports barely pay for it.
 */
import { sql } from 'kysely';
import type { StoreMigration } from './index.ts';

export const serve: StoreMigration = {
  name: '0006_serve',
  async up(db) {
    await db.schema.createIndex('observations_observed_at').ifNotExists().on('observations').column('observed_at').execute();
    await db.schema.createIndex('posts_status_id').ifNotExists().on('posts').columns(['status', 'id'])
      .where(sql.ref('status'), '<>', 'visible').execute();
    await db.schema.createIndex('disappearances_first_missing').ifNotExists().on('disappearances').columns(['first_missing_at', 'kind']).execute();
  },
};
