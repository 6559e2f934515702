/**
 * A post's archived answers as evidence: the WARC records the watcher wrote for its checks
 * (src/watch/capture.ts), those of the check that proved its account gone when another post's
 * check did, and the original response of every revisit (a revisit holds no payload, so replay
 * needs the record it repeats). Records are copied byte for byte (each is one gzip member, so
 * their concatenation is a valid .warc.gz) and never rewritten: a rewritten record would no
 * longer match its digest.
 *
 * Privacy: the answers name accounts as the platform served them (a Mastodon status carries its
 * author's handle and display name). Pseudonymising inside them would falsify the records, so a
 * pseudonymised bundle lists every record (time, URL with accounts pseudonymised, status,
 * payload digest) but carries the WARC itself only when accounts are revealed.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from '../../store/open.ts';
import type { ArchiveRecord } from '../../store/schema.ts';
import type { AccountView } from '../privacy.ts';

/** One archived record, as the bundle lists it. */
export interface EvidenceRecord {
  warc_record_id: string;
  /** request | response | revisit */
  type: string;
  /** Why it is in the bundle: a record of this post's checks, the check that proved its account gone, or a revisit's original. */
  role: 'check' | 'proving_check' | 'revisit_original';
  observation_id: number | null;
  date: number;
  target_uri: string;
  http_status: number | null;
  content_type: string | null;
  payload_digest: string | null;
  /** The WARC-Record-ID of the record a revisit repeats, or the response a request belongs to. */
  refers_to: string | null;
  /** Where the record is in archive.warc.gz (byte offset and length), when the WARC is included. */
  offset: number | null;
  length: number;
}

export interface ArchivedEvidence {
  records: EvidenceRecord[];
  /** archive.warc.gz, or null when not included (see `omitted`). */
  warc: Uint8Array | null;
  /** Why the WARC is not in the bundle, as a sentence; null when it is (or there are no records). */
  omitted: string | null;
}

/** An archive record as the bundle lists it: the store's row with plain numbers, and its role. */
type Row = Omit<ArchiveRecord, 'subject' | 'subject_id'> & { role: EvidenceRecord['role'] };

/** Exactly `length` bytes at `offset` of a file. */
function readAt(path: string, offset: number, length: number): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const buf = new Uint8Array(length);
    let got = 0;
    while (got < length) {
      const n = readSync(fd, buf, got, length - got, offset + got);
      if (n === 0) throw new Error(`${path} ends before byte ${offset + length}`);
      got += n;
    }
    return buf;
  } finally {
    closeSync(fd);
  }
}

/**
 * The archived records of post `postId` (and of the observations in `provers`, the checks of
 * other posts that proved this one's account gone). `archiveDir` is the archive folder; without
 * it, or without `view.revealed`, the records are listed but the WARC is left out.
 */
export async function collectArchived(store: Store, postId: number, provers: number[], view: AccountView, ids: Map<string, string>, archiveDir: string | null): Promise<ArchivedEvidence> {
  const base = store.db.selectFrom('archive_records').select(['id', 'file', 'record_offset', 'record_length', 'type', 'warc_record_id', 'target_uri', 'date',
    'payload_digest', 'http_status', 'content_type', 'refers_to', 'observation_id', 'subject_id']);
  const own = await base.where('subject', '=', 'post')
    .where((eb) => (provers.length ? eb.or([eb('subject_id', '=', postId), eb('observation_id', 'in', provers)]) : eb('subject_id', '=', postId)))
    .orderBy('date').orderBy('id').execute();
  const rows: Row[] = own.map((r) => ({ ...norm(r), role: Number(r.subject_id) === postId ? 'check' : 'proving_check' }));
  const have = new Set(rows.map((r) => r.id));
  // Each revisit's original goes right before the first revisit that needs it.
  const originalsNeeded = [...new Set(rows.filter((r) => r.type === 'revisit' && r.refers_to != null && !have.has(r.refers_to)).map((r) => r.refers_to!))];
  const originals = originalsNeeded.length ? await base.where('id', 'in', originalsNeeded).execute() : [];
  const byId = new Map(originals.map((r) => [Number(r.id), { ...norm(r), role: 'revisit_original' as const }]));
  const ordered: Row[] = [];
  for (const r of rows) {
    const orig = r.type === 'revisit' && r.refers_to != null ? byId.get(r.refers_to) : undefined;
    if (orig && !have.has(orig.id)) {
      ordered.push(orig);
      have.add(orig.id);
    }
    ordered.push(r);
  }
  const warcIds = new Map<number, string>(ordered.map((r) => [r.id, r.warc_record_id]));
  const refIds = ordered.filter((r) => r.refers_to != null && !warcIds.has(r.refers_to)).map((r) => r.refers_to!);
  if (refIds.length) {
    for (const r of await store.db.selectFrom('archive_records').select(['id', 'warc_record_id']).where('id', 'in', [...new Set(refIds)]).execute()) warcIds.set(Number(r.id), r.warc_record_id);
  }
  let omitted: string | null = null;
  if (!ordered.length) omitted = null;
  else if (!view.revealed) omitted = 'The archived answers name accounts as the platform served them, and rewriting them would break their digests: the WARC is included only in a bundle made with --reveal-accounts (or with the server\'s accounts revealed).';
  else if (!archiveDir) omitted = 'The archive folder was not given to the bundle maker, so the records are listed without their bytes.';
  const parts: Uint8Array[] = [];
  let offset = 0;
  const records: EvidenceRecord[] = [];
  for (const r of ordered) {
    let at: number | null = null;
    if (omitted === null && archiveDir) {
      try {
        parts.push(readAt(join(archiveDir, r.file), r.record_offset, r.record_length));
        at = offset;
        offset += r.record_length;
      } catch (err) {
        omitted = `Record ${r.warc_record_id} could not be read from ${join(archiveDir, r.file)} (${(err as Error).message}); the WARC is left out rather than given incomplete.`;
      }
    }
    records.push({
      warc_record_id: r.warc_record_id, type: r.type, role: r.role, observation_id: r.observation_id, date: r.date, target_uri: view.scrub(r.target_uri, ids),
      http_status: r.http_status, content_type: r.content_type, payload_digest: r.payload_digest,
      refers_to: r.refers_to == null ? null : warcIds.get(r.refers_to) ?? null, offset: at, length: r.record_length,
    });
  }
  if (omitted !== null || !records.length) return { records: records.map((r) => ({ ...r, offset: null })), warc: null, omitted };
  const warc = new Uint8Array(offset);
  let o = 0;
  for (const p of parts) {
    warc.set(p, o);
    o += p.length;
  }
  return { records, warc, omitted: null };
}

const num = (v: unknown): number | null => (v == null ? null : Number(v));

function norm(r: { id: unknown; file: string; record_offset: unknown; record_length: unknown; type: string; warc_record_id: string; target_uri: string; date: unknown;
  payload_digest: string | null; http_status: unknown; content_type: string | null; refers_to: unknown; observation_id: unknown }): Omit<Row, 'role'> {
  return {
    id: Number(r.id), file: r.file, record_offset: Number(r.record_offset), record_length: Number(r.record_length), type: r.type, warc_record_id: r.warc_record_id,
    target_uri: r.target_uri, date: Number(r.date), payload_digest: r.payload_digest, http_status: num(r.http_status), content_type: r.content_type,
    refers_to: num(r.refers_to), observation_id: num(r.observation_id),
  };
}
