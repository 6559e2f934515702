/**
 * Every store test runs against each backend: SQLite always, PostgreSQL when TEST_DATABASE_URL
 * is set (scripts/test.mjs starts a local cluster when PostgreSQL is installed). In CI a missing
 * PostgreSQL is an error, never a silent skip.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore, type Store } from '../../src/store/open.ts';

export interface BackendCase {
  label: 'sqlite' | 'postgres';
  /** Opens a fresh, empty, migrated store. Call `cleanup` when done. */
  open(): Promise<TestStore>;
}

export interface TestStore {
  store: Store;
  /** Options that reopen the same store (for child processes: --db or DATABASE_URL + schema). */
  env: Record<string, string>;
  /** Reopens the same store (e.g. after a simulated restart). */
  reopen(): Promise<Store>;
  cleanup(): Promise<void>;
}

const pgUrl = process.env.TEST_DATABASE_URL;
if (!pgUrl && process.env.CI) {
  throw new Error('CI is set but TEST_DATABASE_URL is not: PostgreSQL store tests must run in CI (see .ci/run).');
}

/** The backends to run store tests against. */
export function backends(): BackendCase[] {
  const list: BackendCase[] = [{ label: 'sqlite', open: openSqliteCase }];
  if (pgUrl) list.push({ label: 'postgres', open: openPostgresCase });
  else if (!warned) {
    warned = true;
    console.warn('# PostgreSQL store tests skipped: TEST_DATABASE_URL is not set and PostgreSQL is not installed.');
  }
  return list;
}
let warned = false;

async function openSqliteCase(): Promise<TestStore> {
  const dir = mkdtempSync(join(tmpdir(), 'censorscope-test-'));
  const db = join(dir, 'test.db');
  const store = await openStore({ db });
  return {
    store,
    env: { CENSORSCOPE_DB: db },
    reopen: () => openStore({ db }),
    cleanup: async () => {
      await store.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function openPostgresCase(): Promise<TestStore> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const store = await openStore({ url: pgUrl, schema });
  // PostgreSQL has no file to put the web archive beside: without this, commands run by tests
  // would write it into the working directory (the project).
  const archive = mkdtempSync(join(tmpdir(), 'censorscope-test-archive-'));
  return {
    store,
    env: { DATABASE_URL: pgUrl!, CENSORSCOPE_PG_SCHEMA: schema, CENSORSCOPE_ARCHIVE: archive },
    reopen: () => openStore({ url: pgUrl, schema }),
    cleanup: async () => {
      await store.close().catch(() => undefined);
      rmSync(archive, { recursive: true, force: true });
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    },
  };
}
