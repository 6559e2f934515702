/**
 * Opens the store the user asked for: PostgreSQL when DATABASE_URL is a postgres:// URL,
 * otherwise the embedded SQLite file (--db PATH, CENSORSCOPE_DB, or ./censorscope.db).
 */
import type { Backend, StoreLocation } from './backend.ts';
import { migrateToLatest } from './migrations/index.ts';
import { interruptOrphanedImports } from './orphans.ts';

export type Store = Backend;

export interface StoreOptions {
  /** SQLite file path (overrides CENSORSCOPE_DB). */
  db?: string;
  /** postgres:// URL (overrides DATABASE_URL). */
  url?: string;
  /** PostgreSQL schema to work in (default: $CENSORSCOPE_PG_SCHEMA, else public). */
  schema?: string;
  env?: NodeJS.ProcessEnv;
}

/** Where the store lives, for messages. */
export function describeStore(opts: StoreOptions = {}): string {
  const env = opts.env ?? process.env;
  const url = opts.url ?? env.DATABASE_URL;
  if (url && /^postgres(ql)?:\/\//.test(url)) return `PostgreSQL ${new URL(url).host}${new URL(url).pathname}`;
  return `SQLite ${opts.db ?? env.CENSORSCOPE_DB ?? './censorscope.db'}`;
}

/** Opens and migrates the store. */
export async function openStore(opts: StoreOptions = {}): Promise<Store> {
  const env = opts.env ?? process.env;
  const url = opts.url ?? (opts.db ? undefined : env.DATABASE_URL);
  if (url && !/^postgres(ql)?:\/\//.test(url)) {
    throw new Error(`DATABASE_URL must start with postgres:// (got "${url.slice(0, 20)}…"); unset it to use the embedded SQLite store.`);
  }
  const backend = await openStoreConnection(url ? { url, schema: opts.schema ?? env.CENSORSCOPE_PG_SCHEMA } : { db: opts.db ?? env.CENSORSCOPE_DB ?? './censorscope.db' });
  try {
    await migrateToLatest(backend.db, backend.caps, backend.schema);
    await backend.recover?.();
    const orphaned = await interruptOrphanedImports(backend.db);
    if (orphaned.length) process.stderr.write(`censorscope: ${orphaned.length} import(s) whose process was killed are marked interrupted (${orphaned.slice(0, 3).join(', ')}${orphaned.length > 3 ? ', …' : ''}); run the same import again to finish.\n`);
  } catch (err) {
    await backend.close();
    throw err;
  }
  return backend;
}

/**
 * Another connection to a store that openStore already opened and migrated (`store.location`),
 * for a worker thread that reads it: nothing is migrated or recovered.
 */
export async function openStoreConnection(location: StoreLocation): Promise<Backend> {
  if ('url' in location) {
    // Each backend's driver is loaded only when used: a SQLite command never loads pg (issue 16, startup).
    const { openPostgres } = await import('./backends/postgres.ts');
    return { ...openPostgres(location), location };
  }
  const { openSqlite } = await import('./backends/sqlite.ts');
  return { ...openSqlite(location.db), location };
}
