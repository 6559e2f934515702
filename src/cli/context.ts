/** What every command shares: opening the store from global options, and printing results. */
import type { Command } from 'commander';
import { openStore, type Store } from '../store/open.ts';
import { archiveDirFor } from '../archive/location.ts';

/** Opens the store selected by the global --db option or the environment, runs `fn`, closes it. */
export async function withStore<T>(cmd: Command, fn: (store: Store) => Promise<T>): Promise<T> {
  const globals = cmd.optsWithGlobals() as { db?: string };
  const store = await openStore({ db: globals.db });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Prints exactly one JSON document on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** The web archive folder selected by the global --archive and --db options or the environment. */
export function archiveDirOf(cmd: Command): string {
  const globals = cmd.optsWithGlobals() as { db?: string; archive?: string };
  return archiveDirFor({ db: globals.db, archive: globals.archive });
}
