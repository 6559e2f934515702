/**
 * Imports left `running` by a process that no longer exists (killed, crashed) are marked
 * `interrupted` when a later process opens the store; running the same import again finishes it
 * (imports are idempotent). Only owners on this host can be judged dead.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import { currentOwner, ownerGone, type ProcessOwner } from '../util/owner.ts';

/** The owner columns of an imports row for this process. */
export function importOwnerColumns(): { owner_pid: number; owner_host: string; owner_started_at: number } {
  const o = currentOwner();
  return { owner_pid: o.pid, owner_host: o.host, owner_started_at: o.startedAt };
}

/** Marks running imports whose owner process is gone as interrupted; returns their files. */
export async function interruptOrphanedImports(db: Kysely<Database>): Promise<string[]> {
  const host = currentOwner().host;
  const running = await db.selectFrom('imports').select(['id', 'file', 'owner_pid', 'owner_started_at'])
    .where('state', '=', 'running').where('owner_host', '=', host).execute();
  const gone = running.filter((r) => r.owner_pid != null
    && ownerGone({ pid: Number(r.owner_pid), host, startedAt: Number(r.owner_started_at ?? 0) } satisfies ProcessOwner));
  for (const r of gone) {
    await db.updateTable('imports').set({ state: 'interrupted', finished_at: Date.now() })
      .where('id', '=', r.id).where('state', '=', 'running').execute();
  }
  return gone.map((r) => r.file);
}
