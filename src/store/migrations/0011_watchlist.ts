/**
 * The impostor detector's watchlist: the accounts and sites to protect (issue 11). Any of name,
 * handle, platform and domain may be empty; `entry_key` (the four as JSON) keeps an import run
 * twice from doubling entries.
 */
import type { StoreMigration } from './index.ts';

export const watchlist: StoreMigration = {
  name: '0011_watchlist',
  async up(db, caps) {
    await db.schema.createTable('watchlist')
      .addColumn('id', caps.idType, caps.autoId)
      .addColumn('name', 'text')
      .addColumn('handle', 'text')
      .addColumn('platform', 'text')
      .addColumn('domain', 'text')
      .addColumn('entry_key', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
  },
};
