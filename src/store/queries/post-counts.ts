/**
 * Posts per source and per (source, status): counted on SQLite, read from post_counts where the
 * store keeps them as they change (PostgreSQL, migration 0015: counting 100M posts takes minutes).
 */
import { sql, type Kysely } from 'kysely';
import type { Capabilities } from '../backend.ts';
import type { Database } from '../schema.ts';

type Db = Kysely<Database>;

/** Posts per source: [{ source_id, n }]. */
export async function postsPerSource(db: Db, caps: Capabilities): Promise<Array<{ source_id: number; n: number }>> {
  if (caps.postCounts) {
    const r = await sql<{ source_id: number; n: string }>`select source_id, sum(n) as n from post_counts group by source_id having sum(n) <> 0`.execute(db);
    return r.rows.map((x) => ({ source_id: Number(x.source_id), n: Number(x.n) }));
  }
  const rows = await db.selectFrom('posts').select(['source_id', (eb) => eb.fn.countAll().as('n')]).groupBy('source_id').execute();
  return rows.map((x) => ({ source_id: Number(x.source_id), n: Number(x.n) }));
}

/** Posts per (source, status) for the statuses other than visible: [{ source_id, status, n }]. */
export async function gonePerSource(db: Db, caps: Capabilities): Promise<Array<{ source_id: number; status: string; n: number }>> {
  if (caps.postCounts) {
    const r = await sql<{ source_id: number; status: string; n: string }>`select source_id, status, sum(n) as n from post_counts
      where status <> 'visible' group by source_id, status having sum(n) <> 0`.execute(db);
    return r.rows.map((x) => ({ source_id: Number(x.source_id), status: x.status, n: Number(x.n) }));
  }
  // The partial index of non-visible posts serves this on SQLite.
  const rows = await db.selectFrom('posts').select(['source_id', 'status', (eb) => eb.fn.countAll().as('n')])
    .where(sql<boolean>`status <> 'visible'`).groupBy(['source_id', 'status']).execute();
  return rows.map((x) => ({ source_id: Number(x.source_id), status: x.status, n: Number(x.n) }));
}

/** Posts per status, all sources together: [{ status, n }]. */
export async function postsPerStatus(db: Db, caps: Capabilities): Promise<Array<{ status: string; n: number }>> {
  if (caps.postCounts) {
    const r = await sql<{ status: string; n: string }>`select status, sum(n) as n from post_counts group by status having sum(n) <> 0`.execute(db);
    return r.rows.map((x) => ({ status: x.status, n: Number(x.n) }));
  }
  const rows = await db.selectFrom('posts').select(['status', (eb) => eb.fn.countAll().as('n')]).groupBy('status').execute();
  return rows.map((x) => ({ status: x.status, n: Number(x.n) }));
}
