/**
 * A store migrated only up to (not including) one migration, on either backend: how a store made
 * by an older release looks, for testing that migration on real old data.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Migrator, type Migration } from 'kysely';
import pg from 'pg';
import { MIGRATIONS } from '../../src/store/migrations/index.ts';
import { openSqlite } from '../../src/store/backends/sqlite.ts';
import { openPostgres } from '../../src/store/backends/postgres.ts';
import type { Backend } from '../../src/store/backend.ts';

/** Opens a fresh store (SQLite file in `dir`, or a new PostgreSQL schema) migrated up to `before`. */
export async function openStoreBefore(label: string, dir: string, before: string): Promise<{ backend: Backend; drop(): Promise<void> }> {
  let backend: Backend;
  let drop = async (): Promise<void> => undefined;
  if (label === 'sqlite') backend = openSqlite(`${dir}/old.db`);
  else {
    const url = process.env.TEST_DATABASE_URL!;
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();
    backend = openPostgres({ url, schema });
    drop = async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    };
  }
  const upTo = MIGRATIONS.findIndex((m) => m.name === before);
  assert.ok(upTo > 0, `no migration named ${before}`);
  const provider = { getMigrations: async () => Object.fromEntries(MIGRATIONS.slice(0, upTo).map((m): [string, Migration] => [m.name, { up: (d) => m.up(d, backend.caps) }])) };
  const { error } = await new Migrator({ db: backend.db, provider, ...(backend.schema && label !== 'sqlite' ? { migrationTableSchema: backend.schema } : {}) }).migrateToLatest();
  assert.equal(error, undefined);
  return { backend, drop };
}
