/** Finding and creating sources. */
import type { Store } from '../open.ts';
import type { Source } from '../schema.ts';

/** Returns the source with this name, creating it (kind, platform, config) when absent. */
export async function ensureSource(
  store: Store, input: { name: string; kind: string; platform: string; config?: unknown },
): Promise<Source> {
  const found = await store.db.selectFrom('sources').selectAll().where('name', '=', input.name).executeTakeFirst();
  if (found) return found;
  await store.db.insertInto('sources').values({
    name: input.name, kind: input.kind, platform: input.platform, config: JSON.stringify(input.config ?? {}),
    cursor: null, enabled: 1, created_at: Date.now(),
  }).onConflict((oc) => oc.column('name').doNothing()).execute();
  return store.db.selectFrom('sources').selectAll().where('name', '=', input.name).executeTakeFirstOrThrow();
}
