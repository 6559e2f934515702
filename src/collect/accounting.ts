/**
 * The accounting rule every importer obeys: each row read is imported, a duplicate (the same
 * item already stored, with the same content) or quarantined (with its reason). An import whose
 * counts break the rule lost or invented rows somewhere, so it must not be recorded as `done`.
 */

export interface ImportTally {
  /** Rows (records) read from the file, bad ones included; the header and blank lines are not rows. */
  rows: number;
  imported: number;
  duplicates: number;
  quarantined: number;
}

/** A sentence saying how the counts fail the rule, or null when they add up. */
export function accountingError(t: ImportTally, file: string): string | null {
  const accounted = t.imported + t.duplicates + t.quarantined;
  if (accounted === t.rows) return null;
  return `The import of ${file} does not add up: ${t.rows} rows were read but ${t.imported} imported + ${t.duplicates} duplicates + ${t.quarantined} quarantined = ${accounted}, so ${Math.abs(t.rows - accounted)} rows are ${accounted < t.rows ? 'unaccounted for' : 'counted twice'}. The import is marked failed; please report this as a bug with the file.`;
}

/** The import-record state for a finished import: `done` only when the counts add up. */
export function finalState(t: ImportTally, file: string): { state: 'done' | 'failed'; error: string | null } {
  const error = accountingError(t, file);
  return { state: error ? 'failed' : 'done', error };
}
