/** The embedded default: one SQLite file through better-sqlite3. */
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Backend, Capabilities } from '../backend.ts';
import type { Database } from '../schema.ts';
import { SqliteBulkWriter } from './sqlite-bulk.ts';

const caps: Capabilities = {
  label: 'sqlite',
  concurrentWriters: false,
  skipLocked: false,
  idType: 'integer',
  autoId: (col) => col.primaryKey(),
};

/** Opens (creating if needed) a SQLite store at `path`. */
export function openSqlite(path: string): Backend {
  const raw = new SQLite(path);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 10000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: raw }) });
  return {
    caps,
    db,
    bulkWriter: () => new SqliteBulkWriter(raw),
    close: async () => {
      await db.destroy();
    },
  };
}
