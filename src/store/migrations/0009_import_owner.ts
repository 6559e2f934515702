/**
 * The process that runs each import (pid, host, process start time), so an import whose process
 * was killed is marked `interrupted` by the next process that opens the store instead of staying
 * `running` forever (src/store/orphans.ts).
 */
import type { StoreMigration } from './index.ts';

export const importOwner: StoreMigration = {
  name: '0009_import_owner',
  async up(db) {
    await db.schema.alterTable('imports').addColumn('owner_pid', 'integer').execute();
    await db.schema.alterTable('imports').addColumn('owner_host', 'text').execute();
    await db.schema.alterTable('imports').addColumn('owner_started_at', 'bigint').execute();
  },
};
