/**
 * The site watch's request budget lives on a source row of kind `sites` (name `site-watch`),
 * created the first time sites are watched: its config holds budgetPerMinute (default 60) and
 * timeoutMs (default 10000), and on PostgreSQL its id keys the shared budget (src/watch/shared-budget.ts)
 * so several watchers together stay within it. It is not a live post source: `source list` and the
 * post watch ignore it.
 */
import { z } from 'zod';
import type { Store } from '../../store/open.ts';

export const SITES_SOURCE_KIND = 'sites';
export const SITES_SOURCE_NAME = 'site-watch';

const configSchema = z.object({
  budgetPerMinute: z.number().positive().default(60),
  timeoutMs: z.number().int().min(1).max(300_000).default(10_000),
}).passthrough();

export interface SitesSource {
  id: number;
  budgetPerMinute: number;
  timeoutMs: number;
}

/** The `sites` source row (created on first use). */
export async function sitesSource(store: Store): Promise<SitesSource> {
  const find = () => store.db.selectFrom('sources').select(['id', 'config']).where('kind', '=', SITES_SOURCE_KIND).orderBy('id').executeTakeFirst();
  let row = await find();
  if (!row) {
    await store.db.insertInto('sources').values({
      kind: SITES_SOURCE_KIND, name: SITES_SOURCE_NAME, platform: 'web', config: JSON.stringify({ budgetPerMinute: 60, timeoutMs: 10_000 }),
      cursor: null, enabled: 1, created_at: Date.now(),
    }).onConflict((oc) => oc.column('name').doNothing()).execute();
    row = await find();
    if (!row) throw new Error(`A source named "${SITES_SOURCE_NAME}" exists but is not of kind "${SITES_SOURCE_KIND}"; rename it (the site watch keeps its budget on that name).`);
  }
  let raw: unknown = {};
  try {
    raw = JSON.parse(row.config);
  } catch {
    // A hand-edited config that is not JSON: the defaults apply.
  }
  const c = configSchema.safeParse(raw);
  const cfg = c.success ? c.data : configSchema.parse({});
  return { id: Number(row.id), budgetPerMinute: cfg.budgetPerMinute, timeoutMs: cfg.timeoutMs };
}
