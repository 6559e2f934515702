/**
 * Adds the post status `deleted` (gone, actor unknown) to the posts table's CHECK constraint.
 * PostgreSQL swaps the constraint; SQLite cannot alter a CHECK, so the table is rebuilt from its
 * own stored definition (same columns, rows, ids and indexes; only the allowed values widen).
 */
import { sql, type Kysely } from 'kysely';
import type { StoreMigration } from './index.ts';

// The values as of this migration (schema.ts may grow later; a later change gets its own migration).
const OLD = ['visible', 'deleted_by_author', 'removed_by_platform', 'account_gone', 'unknown'];
const NEW = ['visible', 'deleted', 'deleted_by_author', 'removed_by_platform', 'account_gone', 'unknown'];

const list = (values: string[]) => sql.join(values.map((v) => sql.lit(v)));

export const deletedStatus: StoreMigration = {
  name: '0010_deleted_status',
  async up(db) {
    if (await isPostgres(db)) await widenPostgres(db);
    else await rebuildSqlite(db);
  },
};

/** True where the PostgreSQL catalog answers (a failed probe on SQLite leaves its transaction intact). */
async function isPostgres(db: Kysely<any>): Promise<boolean> {
  try {
    await sql`select 1 from pg_catalog.pg_class limit 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}

async function widenPostgres(db: Kysely<any>): Promise<void> {
  // Only this schema's posts table (by its oid), and the definition filtered here: asking
  // pg_get_constraintdef of every schema's constraints fails while another schema is being dropped.
  const found = await sql<{ conname: string; def: string }>`
    select c.conname, pg_catalog.pg_get_constraintdef(c.oid) as def from pg_catalog.pg_constraint c
    where c.conrelid = to_regclass('posts') and c.contype = 'c'`.execute(db);
  for (const { conname } of found.rows.filter((r) => r.def.includes('status'))) await sql`alter table posts drop constraint ${sql.id(conname)}`.execute(db);
  await sql`alter table posts add constraint posts_status_check check (status in (${list(NEW)}))`.execute(db);
}

async function rebuildSqlite(db: Kysely<any>): Promise<void> {
  const table = await sql<{ sql: string }>`select sql from sqlite_master where type = 'table' and name = 'posts'`.execute(db);
  const create = table.rows[0]?.sql;
  const oldCheck = `in (${OLD.map((v) => `'${v}'`).join(', ')})`;
  if (!create || !create.includes(oldCheck)) {
    throw new Error(`The posts table's status constraint is not the one this migration expects (${oldCheck}); the store was changed by hand.`);
  }
  const others = await sql<{ sql: string }>`select sql from sqlite_master where tbl_name = 'posts' and type in ('index', 'trigger') and sql is not null`.execute(db);
  const widened = create.replace(oldCheck, `in (${NEW.map((v) => `'${v}'`).join(', ')})`);
  // Copy out and back rather than ALTER TABLE … RENAME: a rename opens SQLite's temp schema on
  // this connection, after which temp_store (set by bulk imports) can no longer change in a transaction.
  await sql`create table posts_widen as select * from posts`.execute(db);
  await sql`drop table posts`.execute(db);
  await sql.raw(widened).execute(db);
  await sql`insert into posts select * from posts_widen`.execute(db);
  await sql`drop table posts_widen`.execute(db);
  for (const o of others.rows) await sql.raw(o.sql).execute(db);
}
