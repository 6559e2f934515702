/** Citizen Lab test lists (url,category_code,category_description,date_added,source,notes). */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { UserError } from '../../util/errors.ts';

export interface ListEntry {
  url: string;
  category_code: string | null;
}

const Row = z.object({ url: z.string().url(), category_code: z.string().optional() }).passthrough();

/** Reads a test list: a Citizen Lab CSV with a url column, or a plain file with one URL a line. */
export function readTestList(file: string): ListEntry[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UserError(`Cannot read the list ${file}; give a Citizen Lab test-list CSV or a file with one URL per line.`);
  }
  const first = text.split('\n', 1)[0].trim().toLowerCase();
  if (!first.startsWith('url')) {
    return text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).map((url) => ({ url, category_code: null }));
  }
  const rows = parse(text, { columns: true, skip_empty_lines: true, relax_column_count: true, trim: true }) as unknown[];
  const out: ListEntry[] = [];
  for (const r of rows) {
    const p = Row.safeParse(r);
    if (p.success) out.push({ url: p.data.url, category_code: p.data.category_code ?? null });
  }
  if (!out.length) throw new UserError(`${file} has no valid URLs in its url column.`);
  return out;
}
