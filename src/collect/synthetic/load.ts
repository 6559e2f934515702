/** Writes a synthetic data set into a store through the foundation's bulk path. */
import type { Store } from '../../store/open.ts';
import type { SyntheticData } from './generate.ts';

/** Creates an import source and writes planted then organic posts; returns the source id. */
export async function loadSynthetic(store: Store, data: SyntheticData, opts: { name?: string; batchSize?: number; onBatch?: (n: number) => void } = {}): Promise<number> {
  const name = opts.name ?? `synthetic-${Date.now()}`;
  const row = await store.db.insertInto('sources')
    .values({ kind: 'import', name, platform: 'synthetic', config: '{}', enabled: 1, created_at: Date.now(), cursor: null })
    .returning('id').executeTakeFirstOrThrow();
  const sourceId = Number(row.id);
  const writer = store.bulkWriter();
  const seenAt = Date.now();
  for (let i = 0; i < data.planted.length; i += 5000) {
    await writer.writePosts(sourceId, data.planted.slice(i, i + 5000), seenAt, { versions: false });
  }
  for (const batch of data.organic(opts.batchSize ?? 20000)) {
    await writer.writePosts(sourceId, batch, seenAt, { versions: false });
    opts.onBatch?.(batch.length);
  }
  return sourceId;
}
