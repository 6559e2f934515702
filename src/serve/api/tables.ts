/**
 * Tables the server reads that other capabilities own. `disappearances` is created by the
 * watch capability's migration; typing it here lets the server read it without depending on
 * that migration's presence, and `tryDisappearances` falls back when the table is absent.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.ts';

export interface DisappearanceRow {
  id: number;
  post_id: number;
  kind: string;
  last_seen_at: number | null;
  first_missing_at: number;
  observation_id: number | null;
  detected_at: number;
}

export type ServeDb = Kysely<Database & { disappearances: DisappearanceRow }>;

/** The store handle, typed with the tables owned by other capabilities. */
export function serveDb(db: Kysely<Database>): ServeDb {
  return db.withTables<{ disappearances: DisappearanceRow }>();
}

/** True when the error says a table does not exist (on either backend). */
export function isMissingTable(err: unknown): boolean {
  const msg = String((err as Error)?.message ?? err);
  return /no such table|does not exist/i.test(msg);
}

/** Runs `query`; when the disappearances table is absent runs `fallback` instead. */
export async function tryDisappearances<T>(query: () => Promise<T>, fallback: () => Promise<T>): Promise<T> {
  try {
    return await query();
  } catch (err) {
    if (isMissingTable(err)) return fallback();
    throw err;
  }
}
