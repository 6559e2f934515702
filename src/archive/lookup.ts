/** Finding archived records: by URL and time (replaying a page's subresources), and by subject. */
import type { Store } from '../store/open.ts';
import type { ArchiveRecordsTable } from '../store/schema.ts';
import type { Selectable } from 'kysely';
import { targetUri } from './warc.ts';

export type ArchiveRecordRow = Selectable<ArchiveRecordsTable>;

/** The response or revisit record for `url` closest in time at or before `at` (epoch ms); null when none. */
export async function lookupRecord(store: Store, q: { url: string; at: number }): Promise<ArchiveRecordRow | null> {
  const row = await store.db.selectFrom('archive_records').selectAll()
    .where('target_uri', '=', targetUri(q.url)).where('date', '<=', q.at)
    .where('type', 'in', ['response', 'revisit'])
    .orderBy('date', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
  return row ? normalise(row) : null;
}

/** Every record (requests included) archived for a site or post, oldest first. */
export async function recordsOf(store: Store, q: { subject: 'site' | 'post'; subjectId: number }): Promise<ArchiveRecordRow[]> {
  const rows = await store.db.selectFrom('archive_records').selectAll()
    .where('subject', '=', q.subject).where('subject_id', '=', q.subjectId)
    .orderBy('date').orderBy('id').execute();
  return rows.map(normalise);
}

/** PostgreSQL returns bigint columns as strings; callers get numbers. */
export function normalise(row: ArchiveRecordRow): ArchiveRecordRow {
  return {
    ...row,
    id: Number(row.id),
    record_offset: Number(row.record_offset),
    record_length: Number(row.record_length),
    date: Number(row.date),
    subject_id: Number(row.subject_id),
    refers_to: row.refers_to == null ? null : Number(row.refers_to),
    observation_id: row.observation_id == null ? null : Number(row.observation_id),
    http_status: row.http_status == null ? null : Number(row.http_status),
  };
}
