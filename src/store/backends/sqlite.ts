/** The embedded default: one SQLite file through better-sqlite3. */
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Backend, Capabilities } from '../backend.ts';
import type { Database } from '../schema.ts';
import { SqliteBulkWriter } from './sqlite-bulk.ts';
import { restoreOrphanedIndexes, suspendPostIndexes } from './sqlite-indexes.ts';

const caps: Capabilities = {
  label: 'sqlite',
  concurrentWriters: false,
  skipLocked: false,
  partitions: false,
  postCounts: false,
  idType: 'integer',
  autoId: (col) => col.primaryKey(),
};

/** Opens (creating if needed) a SQLite store at `path`. */
export function openSqlite(path: string): Backend {
  const raw = new SQLite(path);
  // Larger pages and rarer checkpoints make bulk imports 2x faster (bench/import); page_size
  // only takes effect when the file is created.
  raw.pragma('page_size = 16384');
  raw.pragma('journal_mode = WAL');
  raw.pragma('wal_autocheckpoint = 10000');
  raw.pragma('synchronous = NORMAL');
  // Off: the bulk path guarantees its references, and per-row foreign-key lookups halve its speed.
  raw.pragma('foreign_keys = OFF');
  // Writers wait for each other rather than fail: rebuilding the posts indexes after a large
  // import holds the write lock for about 1.5 s per million posts.
  raw.pragma('busy_timeout = 60000');
  raw.pragma('cache_size = -65536');
  raw.pragma('temp_store = MEMORY');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: raw }) });
  return {
    caps,
    db,
    bulkWriter: () => new SqliteBulkWriter(raw),
    suspendPostIndexes: async () => {
      const restore = suspendPostIndexes(raw);
      return async () => restore();
    },
    recover: async () => {
      if (restoreOrphanedIndexes(raw)) process.stderr.write(`Rebuilt the indexes of ${path} that an interrupted import had suspended.\n`);
    },
    close: async () => {
      await db.destroy();
    },
  };
}
