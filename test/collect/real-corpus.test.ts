/**
 * Real-corpus regression for the posts importer: real CSVs nobody here wrote (Chinese reviews,
 * Meta's campaign indicators) imported with the generic csv format, each compared with an
 * independent parse (csv-parse): every row accounted for, every text byte-identical.
 * Needs ../shared/data (see its README); skips with a message when it is absent.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { backends, type TestStore } from '../helpers/stores.ts';
import { importFile } from '../../src/collect/import.ts';
import { resolveFormat } from '../../src/collect/formats/registry.ts';

const DATA = join(import.meta.dirname, '../../../shared/data');
const CORPUS: Array<{ file: string; column: string }> = [
  { file: 'organic-chinese/waimai_10k.csv', column: 'review' },
  { file: 'organic-chinese/ChnSentiCorp_htl_all.csv', column: 'review' },
  { file: 'campaigns/meta-2023q2-spamouflage-china.csv', column: 'Indicator' },
  { file: 'campaigns/meta-2022q3-china-russia-cib.csv', column: 'indicator_value' },
];
const present = existsSync(join(DATA, 'organic-chinese')) && existsSync(join(DATA, 'campaigns'));
if (!present) console.warn(`# real-corpus tests skipped: ${DATA} is absent (the shared data; CI has it).`);

interface Expected {
  rows: number;
  imported: number;
  duplicates: number;
  quarantined: number;
  conflicts: number;
  texts: Map<string, string>;
}

/** What the import must give, from csv-parse's reading and the accounting rule (id = the trimmed text). */
function expected(path: string, column: string): Expected {
  const records = parse(readFileSync(path), { bom: true, relax_column_count: true, skip_empty_lines: false }) as string[][];
  const header = records[0];
  const col = header.indexOf(column);
  const e: Expected = { rows: 0, imported: 0, duplicates: 0, quarantined: 0, conflicts: 0, texts: new Map() };
  for (const r of records.slice(1)) {
    if (r.length === 1 && r[0] === '') continue; // a blank line is no row
    e.rows++;
    const text = r[col];
    const id = text?.trim();
    // An id over 2,048 UTF-8 bytes (here: a long review used as its own id) is quarantined.
    if (r.length !== header.length || !id || Buffer.byteLength(id) > 2048) e.quarantined++;
    else if (!e.texts.has(id)) { e.imported++; e.texts.set(id, text); }
    else if (e.texts.get(id) === text) e.duplicates++;
    else { e.quarantined++; e.conflicts++; }
  }
  return e;
}

for (const b of present ? backends() : []) {
  describe(`real corpus through the generic csv importer [${b.label}]`, () => {
    let t: TestStore;
    before(async () => { t = await b.open(); });
    after(async () => { await t.cleanup(); });

    for (const { file, column } of CORPUS) {
      it(`${file}: every row accounted for, every text byte-identical to csv-parse's`, async () => {
        const path = join(DATA, file);
        const want = expected(path, column);
        const mapping = { id: column, text: column };
        const c = await importFile(t.store, path, { format: resolveFormat({ name: 'csv', mapping }), mapping, source: file, quiet: true });
        const { texts, ...counts } = want;
        assert.deepEqual(c, counts);
        assert.equal(c.rows, c.imported + c.duplicates + c.quarantined);
        const stored = await t.store.db.selectFrom('posts').innerJoin('sources', 'sources.id', 'posts.source_id')
          .select(['posts.platform_post_id', 'posts.text']).where('sources.name', '=', file).execute();
        assert.equal(stored.length, texts.size);
        for (const s of stored) assert.equal(s.text, texts.get(s.platform_post_id), `text of ${s.platform_post_id.slice(0, 40)}`);
        const record = await t.store.db.selectFrom('imports').select(['rows', 'state']).where('file', '=', path).executeTakeFirstOrThrow();
        assert.deepEqual(record, { rows: want.rows, state: 'done' });
      });
    }
  });
}
