/**
 * Versioned migrations, applied in order by Kysely's Migrator. Each capability adds its own
 * file here; never edit a migration that has shipped, add a new one.
 */
import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { Capabilities } from '../backend.ts';
import { foundation } from './0001_foundation.ts';
import { watch } from './0002_watch.ts';
import { probe } from './0005_probe.ts';
import { serve } from './0006_serve.ts';
import { requestBudget } from './0007_request_budget.ts';
import { ooniIdentity } from './0008_ooni_identity.ts';
import { importOwner } from './0009_import_owner.ts';
import { deletedStatus } from './0010_deleted_status.ts';
import { watchlist } from './0011_watchlist.ts';
import { postsOrder } from './0012_posts_order.ts';
import { siteWatch } from './0013_site_watch.ts';
import { coordinationJobs } from './0014_coordination_jobs.ts';
import { partitioning } from './0015_partitioning.ts';

export interface StoreMigration {
  name: string;
  // Migrations see the schema as it was then, so they get an untyped handle.
  up(db: Kysely<any>, caps: Capabilities): Promise<void>;
}

/** Every migration, oldest first. */
export const MIGRATIONS: StoreMigration[] = [foundation, watch, probe, serve, requestBudget, ooniIdentity, importOwner, deletedStatus,
  watchlist, postsOrder, siteWatch,
  coordinationJobs, partitioning];

/** Brings the store's schema up to date; safe to call on every start. */
export async function migrateToLatest(db: Kysely<any>, caps: Capabilities, schema?: string): Promise<void> {
  const provider: MigrationProvider = {
    async getMigrations() {
      const out: Record<string, Migration> = {};
      for (const m of MIGRATIONS) out[m.name] = { up: (d) => m.up(d, caps) };
      return out;
    },
  };
  const { error, results } = await new Migrator({ db, provider, ...(schema ? { migrationTableSchema: schema } : {}) }).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`The store could not be migrated (migration ${failed} failed): ${String((error as Error).message ?? error)}`);
  }
}
