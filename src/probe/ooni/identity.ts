/**
 * A measurement's identity and content, independent of how its JSON was written: the same
 * measurement with its keys in another order, other whitespace or `1.0` for `1` is the same.
 *
 * Identity (what "the same measurement" means for deduplication):
 * 1. OONI's `measurement_uid`, when present (OONI's pipeline assigns it on collection);
 * 2. else `report_id` + `input` + `measurement_start_time`, when `report_id` is not empty (a
 *    report is one probe run, and a run measures an input once per start second);
 * 3. else the hash of the canonical measurement: a measurement that never reached a collector
 *    (OONI's QA measurements, our own `probe --out`) has no other name, and keying on an empty
 *    report_id would make every such measurement of one URL in one second collide (the QA set
 *    has 50 measurements of 23 inputs, 11 of them of https://www.example.com/ in the same second).
 */
import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}

/** sha256 (hex) of the canonical JSON: equal for equal measurements whatever their key order. */
export function contentSha256(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

export interface MeasurementIdentity {
  /** The store's unique key (column probe_measurements.uid). */
  key: string;
  /** Which rule gave the key, for messages. */
  by: 'measurement_uid' | 'report_id' | 'content';
  contentSha256: string;
}

/** The identity of one parsed measurement (the JSON object as read, before validation). */
export function measurementIdentity(m: Record<string, unknown>): MeasurementIdentity {
  const content = contentSha256(m);
  if (typeof m.measurement_uid === 'string' && m.measurement_uid) {
    return { key: m.measurement_uid, by: 'measurement_uid', contentSha256: content };
  }
  if (typeof m.report_id === 'string' && m.report_id) {
    // Hashed JSON array: no separator inside a field can make two identities collide, and the key
    // stays short enough for PostgreSQL's unique index whatever the input's length.
    const triple = JSON.stringify([m.report_id, m.input ?? null, m.measurement_start_time ?? null]);
    const key = `report:${createHash('sha256').update(triple).digest('hex')}`;
    return { key, by: 'report_id', contentSha256: content };
  }
  return { key: `content:${content}`, by: 'content', contentSha256: content };
}
