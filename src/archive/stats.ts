/** What the archive holds: files, records by type, bytes and how much deduplication saved. */
import type { Store } from '../store/open.ts';
import { archiveBytes, listWarcFiles } from './index.ts';

export interface ArchiveStats {
  dir: string;
  files: number;
  bytes: number;
  records: { response: number; revisit: number; request: number };
  /** Revisits per response or revisit: the share of captures whose payload was already archived. */
  dedupRatio: number;
}

/** Counts the archive's files and records. */
export async function archiveStats(store: Store, dir: string): Promise<ArchiveStats> {
  const rows = await store.db.selectFrom('archive_records').select(['type', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('type').execute();
  const by = Object.fromEntries(rows.map((r) => [r.type, Number(r.n)])) as Record<string, number>;
  const records = { response: by.response ?? 0, revisit: by.revisit ?? 0, request: by.request ?? 0 };
  const captures = records.response + records.revisit;
  return {
    dir, files: listWarcFiles(dir).length, bytes: archiveBytes(dir), records,
    dedupRatio: captures ? Math.round((records.revisit / captures) * 1000) / 1000 : 0,
  };
}
