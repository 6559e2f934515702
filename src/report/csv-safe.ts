/**
 * CSV cells safe to open in a spreadsheet. Post texts, handles and ids come from strangers, and
 * a cell starting with = + - @ TAB or CR is run as a formula by Excel, LibreOffice and Google
 * Sheets (`=HYPERLINK(…)` leaks data, `+cmd|…` runs programs through DDE). Following OWASP's
 * "CSV Injection" advice, such a cell gets a leading single quote, which spreadsheets show as
 * text; this also applies to harmless texts such as "-5 degrees", which read back as "'-5 degrees".
 */

const FORMULA_START = /^[=+\-@\t\r]/;

/** Prefixes a single quote to a cell a spreadsheet would treat as a formula; other text is unchanged. */
export function defuseFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** One CSV field: defused, then quoted (RFC 4180) when it holds a quote, comma or line break. */
export function csvField(value: string | number): string {
  const safe = defuseFormula(String(value));
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Defuses every string value of a record (for writers that quote on their own, such as Papa.unparse). */
export function defuseRecord<T extends Record<string, unknown>>(record: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) out[k] = typeof v === 'string' ? defuseFormula(v) : v;
  return out as T;
}
