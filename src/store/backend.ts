/**
 * What a database backend provides. The rest of the code branches on these capabilities,
 * never on a backend's name.
 */
import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import type { Database } from './schema.ts';
import type { BulkWriter } from './bulk.ts';

export interface Capabilities {
  /** For messages and benchmarks only; do not branch on it. */
  readonly label: string;
  /** Several processes may write at once (and so share watch work through row locks). */
  readonly concurrentWriters: boolean;
  /** `SELECT … FOR UPDATE SKIP LOCKED` is available. */
  readonly skipLocked: boolean;
  /** Tables can be partitioned by time (posts by month of created_at, migration 0015). */
  readonly partitions: boolean;
  /** Posts per (source, status) are kept in post_counts as they change (migration 0015), so they are read, not counted. */
  readonly postCounts: boolean;
  /** Column type of an auto-generated 64-bit id. */
  readonly idType: 'integer' | 'bigint';
  /** Marks an id column as the auto-generated primary key. */
  autoId(col: ColumnDefinitionBuilder): ColumnDefinitionBuilder;
}

/** A store's place: a SQLite file, or a PostgreSQL URL and schema. */
export type StoreLocation = { db: string } | { url: string; schema?: string };

export interface Backend {
  readonly caps: Capabilities;
  readonly db: Kysely<Database>;
  /** Where the store is, so another thread can open its own connection (openStoreConnection). */
  readonly location?: StoreLocation;
  /** Schema that holds the tables (and the migration bookkeeping), where the backend has schemas. */
  readonly schema?: string;
  /** Fast path for importers: batched, idempotent inserts. */
  bulkWriter(): BulkWriter;
  /**
   * For bulk loads: stops upkeep of the posts table's secondary indexes and returns the function
   * that rebuilds them. Absent where other writers would pay for it (PostgreSQL serves many).
   */
  suspendPostIndexes?(): Promise<() => Promise<void>>;
  /** Finishes what an interrupted process left undone; run once the schema is current. */
  recover?(): Promise<void>;
  close(): Promise<void>;
}
