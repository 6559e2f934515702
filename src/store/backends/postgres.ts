/** PostgreSQL, for shared deployments and many collectors (DATABASE_URL=postgres://…). */
import pg from 'pg';
import { Kysely, PostgresDialect, type DatabaseIntrospector } from 'kysely';
import type { Backend, Capabilities } from '../backend.ts';
import type { Database } from '../schema.ts';
import { PostgresBulkWriter } from './postgres-bulk.ts';
import { PartitionMonths } from './postgres-partitions.ts';
import { CatalogIntrospector } from './postgres-introspector.ts';

/** PostgreSQL with an introspector that other schemas' drops cannot fail (see postgres-introspector.ts). */
class StoreDialect extends PostgresDialect {
  override createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new CatalogIntrospector(db);
  }
}

// Epoch-millisecond columns are int8; they fit a JS number, so read them as numbers.
pg.types.setTypeParser(20, (v) => Number(v));

const caps: Capabilities = {
  label: 'postgres',
  concurrentWriters: true,
  skipLocked: true,
  partitions: true,
  postCounts: true,
  idType: 'bigint',
  autoId: (col) => col.primaryKey().generatedByDefaultAsIdentity(),
};

export interface PostgresOptions {
  url: string;
  /** Schema to work in (tests use one per test); defaults to the server's search_path. */
  schema?: string;
  poolSize?: number;
}

/** Connects to PostgreSQL. */
export function openPostgres(opts: PostgresOptions): Backend {
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.poolSize ?? 8,
    ...(opts.schema ? { options: `-c search_path=${opts.schema}` } : {}),
  });
  const db = new Kysely<Database>({ dialect: new StoreDialect({ pool }) });
  return {
    caps,
    db,
    schema: opts.schema ?? 'public',
    bulkWriter: () => new PostgresBulkWriter(pool),
    recover: async () => {
      // This month's and next month's partitions exist before any post of theirs arrives.
      await new PartitionMonths(pool).ensure([Date.now(), Date.now() + 31 * 86_400_000]);
      // Fold the per-statement deltas of post_counts, so the overview sums a few rows.
      await pool.query('SELECT censorscope_post_counts_compact()');
    },
    close: async () => {
      await db.destroy();
    },
  };
}
