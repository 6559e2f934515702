/**
 * The lists a user gives `censorscope impostors`: accounts (CSV `account_id,name,handle`) and
 * domains (one a line). Bad lines are reported with file, line and field and skipped; the rest
 * are scanned.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { UserError } from '../../util/errors.ts';
import { parseHost } from './domains.ts';
import type { WatchlistError } from './watchlist.ts';

export interface GivenAccount { account_id: string; name: string | null; handle: string | null }

function read(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch (err) {
    throw new UserError(`Cannot read the ${what} file ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`);
  }
}

/** Reads an accounts CSV with the header account_id,name,handle. */
export function readAccountsFile(file: string): { accounts: GivenAccount[]; errors: WatchlistError[] } {
  const content = read(file, 'accounts');
  const first = content.slice(0, content.search(/\r?\n|$/));
  const header = first.split(',').map((h) => h.trim().toLowerCase());
  if (header.join(',') !== 'account_id,name,handle') {
    throw new UserError(`${file}, line 1: the header must be account_id,name,handle (got "${first.slice(0, 80)}").`);
  }
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(content, { from_line: 2, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, info: true }) as unknown as typeof records;
  } catch (err) {
    throw new UserError(`${file}: not a readable CSV (${(err as Error).message}).`);
  }
  const accounts: GivenAccount[] = [];
  const errors: WatchlistError[] = [];
  for (const { record, info } of records) {
    const raw = record.join(',');
    if (record.length !== 3) errors.push({ file, line: info.lines, field: '(row)', reason: `the row has ${record.length} fields, the header 3 (account_id,name,handle)`, raw });
    else if (!record[0]!.trim()) errors.push({ file, line: info.lines, field: 'account_id', reason: 'account_id is empty', raw });
    else if (!record[1]!.trim() && !record[2]!.trim()) errors.push({ file, line: info.lines, field: 'name', reason: 'the account has neither a name nor a handle to compare', raw });
    else accounts.push({ account_id: record[0]!.trim(), name: record[1]!.trim() ? record[1]! : null, handle: record[2]!.trim() ? record[2]!.trim() : null });
  }
  return { accounts, errors };
}

/** Reads a domains file: one domain (or URL) a line; blank lines and # comments are skipped. */
export function readDomainsFile(file: string): { domains: string[]; errors: WatchlistError[] } {
  const lines = read(file, 'domains').split(/\r?\n/);
  const domains: string[] = [];
  const errors: WatchlistError[] = [];
  lines.forEach((l, i) => {
    const s = l.trim();
    if (!s || s.startsWith('#')) return;
    if (!parseHost(s)) errors.push({ file, line: i + 1, field: 'domain', reason: `"${s.slice(0, 60)}" is not a domain with a public suffix`, raw: l });
    else domains.push(s);
  });
  return { domains, errors };
}
