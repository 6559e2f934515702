/**
 * What Kysely's migrator asks of PostgreSQL (which schemas and tables exist), answered from the
 * catalog alone. Kysely's own introspector lists every column of every table in every schema and
 * calls has_schema_privilege() and pg_get_serial_sequence() by name on each row, so a schema that
 * another store drops meanwhile (tests' throwaway schemas, a bench's) fails the whole query with
 * `schema "…" does not exist`, and with it the opening of an unrelated store. Plain catalog reads
 * are MVCC snapshots and cannot fail that way; listing only the search path's tables also keeps
 * another schema's migration table from being taken for ours.
 */
import { sql, type DatabaseIntrospector, type DatabaseMetadata, type Kysely, type SchemaMetadata, type TableMetadata } from 'kysely';

/** Schemas and the tables on the search path, without per-row name lookups. */
export class CatalogIntrospector implements DatabaseIntrospector {
  constructor(private readonly db: Kysely<any>) {}

  async getSchemas(): Promise<SchemaMetadata[]> {
    const r = await sql<{ name: string }>`select nspname as name from pg_catalog.pg_namespace`.execute(this.db);
    return r.rows.map((row) => ({ name: row.name }));
  }

  async getTables(): Promise<TableMetadata[]> {
    const r = await sql<{ schema: string; name: string; kind: string }>`
      select n.nspname as schema, c.relname as name, c.relkind as kind
      from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p', 'v', 'm', 'f') and n.nspname = any (current_schemas(false))
      order by n.nspname, c.relname`.execute(this.db);
    return r.rows.map((row) => ({ schema: row.schema, name: row.name, isView: row.kind === 'v' || row.kind === 'm', columns: [] }));
  }

  async getMetadata(): Promise<DatabaseMetadata> {
    return { tables: await this.getTables() };
  }
}
