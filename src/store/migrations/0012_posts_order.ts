/**
 * Indexes for the posts list in the posts' own time order and for its account filter. The
 * list filtered by a non-visible status reads (status, created_at, id) in order; the index is
 * partial like posts_status, so visible posts (the bulk of any import) never enter it. The
 * account filter finds accounts by handle or platform id without the source, which the unique
 * key (source_id, platform_account_id) cannot serve.
 */
import { sql } from 'kysely';
import type { StoreMigration } from './index.ts';

export const postsOrder: StoreMigration = {
  name: '0012_posts_order',
  async up(db) {
    await db.schema.createIndex('posts_status_created').ifNotExists().on('posts').columns(['status', 'created_at', 'id'])
      .where(sql.ref('status'), '<>', 'visible').execute();
    await db.schema.createIndex('accounts_handle').ifNotExists().on('accounts').column('handle').execute();
    await db.schema.createIndex('accounts_platform_id').ifNotExists().on('accounts').column('platform_account_id').execute();
  },
};
