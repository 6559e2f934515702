/**
 * The site watch's schedule: due sites are claimed with a lease (lease_owner, lease_until) like the
 * posts' queue (src/watch/queue.ts). On PostgreSQL the claim reads rows FOR UPDATE SKIP LOCKED, so
 * several watchers take disjoint sites and never capture one site at once; SQLite has one watcher.
 * A claim also skips hosts another watcher holds a lease on, so a host gets one request at a time.
 */
import type { Store } from '../../store/open.ts';
import type { TrackedSite } from '../../store/schema.ts';

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** Leases up to `limit` due, enabled sites to `owner` until now + leaseMs; at most one per host. `busy` is set when due sites were left because another watcher is fetching their host. */
export async function claimDueSites(store: Store, o: { now: number; limit: number; owner: string; leaseMs: number; busy?: { hosts: boolean } }): Promise<TrackedSite[]> {
  return store.db.transaction().execute(async (tx) => {
    let q = tx.selectFrom('tracked_sites').selectAll()
      .where('enabled', '=', 1)
      .where('next_check_at', '<=', o.now)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', o.now)]))
      .orderBy('next_check_at').orderBy('id').limit(o.limit * 4);
    if (store.caps.skipLocked) q = q.forUpdate().skipLocked();
    const rows = await q.execute();
    if (!rows.length) return [];
    // Hosts another watcher is fetching now (best effort across watchers: a lease taken in a
    // concurrent claim is seen once that claim commits).
    const held = await tx.selectFrom('tracked_sites').select('url')
      .where('lease_until', '>=', o.now).where('lease_owner', '!=', o.owner).execute();
    const busy = new Set(held.map((r) => hostOf(r.url)));
    const picked: TrackedSite[] = [];
    const hosts = new Set<string>();
    for (const r of rows) {
      const h = hostOf(r.url);
      if (busy.has(h)) {
        if (o.busy) o.busy.hosts = true;
        continue;
      }
      if (hosts.has(h)) continue;
      hosts.add(h);
      picked.push(r);
      if (picked.length >= o.limit) break;
    }
    if (picked.length) {
      await tx.updateTable('tracked_sites').set({ lease_owner: o.owner, lease_until: o.now + o.leaseMs })
        .where('id', 'in', picked.map((p) => p.id)).execute();
    }
    return picked.map((p) => ({ ...p, lease_owner: o.owner, lease_until: o.now + o.leaseMs }));
  });
}

/** Gives back the leases of sites claimed but not captured (the watcher is stopping). */
export async function releaseSites(store: Store, owner: string, ids: number[]): Promise<void> {
  if (!ids.length) return;
  await store.db.updateTable('tracked_sites').set({ lease_owner: null, lease_until: null })
    .where('lease_owner', '=', owner).where('id', 'in', ids).execute();
}

/** The earliest next capture among enabled sites no other watcher holds, or null when there is none. */
export async function nextSiteDue(store: Store, now: number): Promise<number | null> {
  const r = await store.db.selectFrom('tracked_sites').select((eb) => eb.fn.min('next_check_at').as('t')).where('enabled', '=', 1)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)])).executeTakeFirst();
  return r?.t == null ? null : Number(r.t);
}

/** How many sites are tracked (enabled). */
export async function countSites(store: Store): Promise<number> {
  const r = await store.db.selectFrom('tracked_sites').select((eb) => eb.fn.countAll().as('n')).where('enabled', '=', 1).executeTakeFirst();
  return Number(r?.n ?? 0);
}
