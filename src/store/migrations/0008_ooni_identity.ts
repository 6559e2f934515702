/**
 * OONI measurements are deduplicated by identity (measurement_uid, else report_id + input +
 * measurement_start_time, else the hash of the canonical JSON) instead of a hash of the line as
 * written, which let one measurement with reordered keys be stored twice. This re-keys stored
 * measurements, merges those stored twice, and records each one's content hash.
 */
import { createHash } from 'node:crypto';
import type { StoreMigration } from './index.ts';

// The identity rule as of this migration (src/probe/ooni/identity.ts may change later; a later
// change gets its own migration), so the rule is frozen here.
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = (v as Record<string, unknown>)[k];
    return out;
  });
}

function identity(m: Record<string, unknown>): { key: string; sha: string } {
  const sha = createHash('sha256').update(canonical(m)).digest('hex');
  if (typeof m.measurement_uid === 'string' && m.measurement_uid) return { key: m.measurement_uid, sha };
  if (typeof m.report_id === 'string' && m.report_id) {
    const triple = JSON.stringify([m.report_id, m.input ?? null, m.measurement_start_time ?? null]);
    return { key: `report:${createHash('sha256').update(triple).digest('hex')}`, sha };
  }
  return { key: `content:${sha}`, sha };
}

export const ooniIdentity: StoreMigration = {
  name: '0008_ooni_identity',
  async up(db) {
    await db.schema.alterTable('probe_measurements').addColumn('content_sha256', 'text').execute();
    for (let after = 0; ;) {
      const rows = await db.selectFrom('probe_measurements').select(['id', 'uid', 'body'])
        .where('id', '>', after).orderBy('id').limit(1000).execute() as Array<{ id: number | string; uid: string; body: string }>;
      if (!rows.length) break;
      for (const r of rows) {
        after = Number(r.id);
        let { key, sha } = identity(JSON.parse(r.body) as Record<string, unknown>);
        if (key !== r.uid) {
          const other = await db.selectFrom('probe_measurements').select(['id', 'content_sha256']).where('uid', '=', key).executeTakeFirst() as { id: number | string; content_sha256: string | null } | undefined;
          if (other && other.content_sha256 === sha) {
            // The same measurement stored twice under line-hash keys: keep the first.
            await db.updateTable('site_availability').set({ measurement_id: other.id }).where('measurement_id', '=', r.id).execute();
            await db.deleteFrom('probe_measurements').where('id', '=', r.id).execute();
            continue;
          }
          // Same report, input and time but other content: keep both, this one under its content.
          if (other) key = `content:${sha}`;
        }
        await db.updateTable('probe_measurements').set({ uid: key, content_sha256: sha }).where('id', '=', r.id).execute();
      }
    }
  },
};
