/**
 * Stores without concurrent writers (SQLite) support one watcher at a time. A heartbeat row in
 * `settings` makes a second `watch` on the same store fail with a clear message instead of
 * silently double-checking posts. The row names the holder's process (pid, host, start time):
 * when that process is gone (killed, crashed) on this host, a new watcher takes over at once;
 * otherwise a holder's row goes stale after `staleMs` without a heartbeat.
 */
import type { Store } from '../store/open.ts';
import { UserError } from '../util/errors.ts';
import { currentOwner, ownerGone, type ProcessOwner } from '../util/owner.ts';

const KEY = 'watch.single-owner';

/** Takes (or refreshes) the single-watcher slot for `owner`; throws if another live watcher holds it. */
export async function holdSingleWatcher(store: Store, owner: string, staleMs = 30_000): Promise<void> {
  await store.db.transaction().execute(async (tx) => {
    const row = await tx.selectFrom('settings').select('value').where('key', '=', KEY).executeTakeFirst();
    if (row) {
      const held = JSON.parse(row.value) as { owner: string; at: number; process?: ProcessOwner };
      const dead = held.process !== undefined && ownerGone(held.process);
      if (held.owner !== owner && Date.now() - held.at < staleMs && !dead) {
        throw new UserError('Another `censorscope watch` is running on this SQLite store; stop it first, or use PostgreSQL (DATABASE_URL) to run several watchers.');
      }
    }
    const value = JSON.stringify({ owner, at: Date.now(), process: currentOwner() });
    await tx.insertInto('settings').values({ key: KEY, value }).onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute();
  });
}

/** Gives the slot up (only if `owner` still holds it). */
export async function releaseSingleWatcher(store: Store, owner: string): Promise<void> {
  const row = await store.db.selectFrom('settings').select('value').where('key', '=', KEY).executeTakeFirst();
  if (row && (JSON.parse(row.value) as { owner: string }).owner === owner) await store.db.deleteFrom('settings').where('key', '=', KEY).execute();
}
