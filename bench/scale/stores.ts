/**
 * Fresh stores for bench/scale, on SQLite (a file) or PostgreSQL (a schema of DATABASE_URL),
 * given to the CLI the way a user gives them: --db, or DATABASE_URL with CENSORSCOPE_PG_SCHEMA.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore, type Store } from '../../src/store/open.ts';

export interface BenchStore {
  label: string;
  /** Global CLI arguments that select the store (before the command). */
  args: string[];
  env: Record<string, string>;
  open(): Promise<Store>;
  drop(): Promise<void>;
}

/** A new empty store; PostgreSQL when `pgUrl` is given. */
export async function freshStore(pgUrl: string | undefined): Promise<BenchStore> {
  if (!pgUrl) {
    const dir = mkdtempSync(path.join(tmpdir(), 'censorscope-scale-'));
    const db = path.join(dir, 'scale.db');
    return {
      label: 'sqlite', args: ['--db', db], env: {},
      open: () => openStore({ db }),
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const schema = `scale_${randomBytes(4).toString('hex')}`;
  await admin(pgUrl, `CREATE SCHEMA ${schema}`);
  const archive = mkdtempSync(path.join(tmpdir(), 'censorscope-scale-archive-'));
  return {
    label: 'postgres', args: [], env: { DATABASE_URL: pgUrl, CENSORSCOPE_PG_SCHEMA: schema, CENSORSCOPE_ARCHIVE: archive },
    open: () => openStore({ url: pgUrl, schema }),
    drop: async () => {
      rmSync(archive, { recursive: true, force: true });
      await admin(pgUrl, `DROP SCHEMA ${schema} CASCADE`);
    },
  };
}

async function admin(url: string, statement: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(statement);
  } finally {
    await c.end();
  }
}
