/**
 * Property tests (fast-check): generated files in each posts format, some rows damaged, read
 * in-process thousands of times and imported end to end dozens of times on each store backend.
 * Every undamaged row must come out byte-identical on its own line, every quarantined line must
 * belong to a damaged row, and the counts must obey the accounting rule.
 *
 * PROPERTY_SEED picks the seed (fixed by default, so CI is repeatable), PROPERTY_RUNS and
 * PROPERTY_E2E_RUNS the number of files; a failure prints the seed and the shrunk file.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { backends, type TestStore } from '../helpers/stores.ts';
import { tempDir } from '../helpers/files.ts';
import { readPosts } from '../../src/collect/read-posts.ts';
import { importFile } from '../../src/collect/import.ts';
import { resolveFormat } from '../../src/collect/formats/registry.ts';
import type { Format } from '../../src/collect/formats/format.ts';
import { build, genFile, GENERIC_MAPPING, MAX_FIELD, type GenFile, type GenRow } from './damage.ts';

const SEED = Number(process.env.PROPERTY_SEED ?? 20261202);
const RUNS = Number(process.env.PROPERTY_RUNS ?? 2000);
const E2E_RUNS = Number(process.env.PROPERTY_E2E_RUNS ?? 24);

function formatOf(name: GenFile['format']): { format: Format; mapping?: typeof GENERIC_MAPPING } {
  const mapping = name === 'csv' || name === 'jsonl' ? GENERIC_MAPPING : undefined;
  return { format: resolveFormat({ name, mapping }), mapping };
}

interface ReadOut {
  posts: Array<{ id: string; text: string; account: string | null; createdAt: number | null; line: number }>;
  bad: number[];
}

async function readAll(file: string, format: Format): Promise<ReadOut> {
  const out: ReadOut = { posts: [], bad: [] };
  await readPosts(file, format, { encoding: 'utf-8', maxField: MAX_FIELD }, async (b) => {
    for (let i = 0; i < b.posts.length; i++) {
      out.posts.push({ id: b.posts.platformPostId[i], text: b.posts.text[i], account: b.posts.accountId[i], createdAt: b.posts.createdAt[i], line: b.lines[i] });
    }
    for (const r of b.bad) out.bad.push(r.line);
  });
  return out;
}

/** The properties every read must have; throws with a message naming the row. */
function checkRead(f: GenFile, lines: ReturnType<typeof build>['lines'], out: ReadOut): void {
  const byId = new Map<string, ReadOut['posts']>();
  for (const p of out.posts) byId.set(p.id, [...(byId.get(p.id) ?? []), p]);
  const ids = new Set(f.rows.map((r) => r.id));
  f.rows.forEach((r, i) => {
    if (r.damage) return;
    const got = byId.get(r.id) ?? [];
    assert.equal(got.length, 1, `undamaged row ${i} (${r.id}, line ${lines[i].start}) was read ${got.length} times`);
    assert.deepEqual(got[0], { id: r.id, text: r.text, account: r.account, createdAt: r.createdAt, line: lines[i].start }, `undamaged row ${i} changed`);
  });
  const damagedLines = new Set<number>();
  f.rows.forEach((r, i) => { if (r.damage) for (let k = 0; k < lines[i].count; k++) damagedLines.add(lines[i].start + k); });
  for (const line of out.bad) assert.ok(damagedLines.has(line), `line ${line} was quarantined but holds no damaged row`);
  for (const p of out.posts) {
    if (!ids.has(p.id)) {
      // A damaged row may be read as a post, but only from its own lines.
      assert.ok(damagedLines.has(p.line), `post ${JSON.stringify(p.id)} on line ${p.line} comes from no row of the file`);
    }
  }
}

const report = (err: unknown) => `${(err as Error).message}\n${String((err as Error).cause ?? '')}\n(PROPERTY_SEED=${SEED} reproduces this run)`;

describe('property: damaged files in-process (reader + format mapping)', () => {
  const files = tempDir();
  after(() => files.cleanup());

  it(`reads ${RUNS} generated damaged files: undamaged rows byte-identical on their lines, only damaged lines quarantined`, async () => {
    let n = 0;
    try {
      await fc.assert(fc.asyncProperty(genFile(), async (f) => {
        const built = build(f);
        const file = files.file(`f${n++ % 50}.${f.format === 'jsonl' ? 'jsonl' : 'csv'}`, built.bytes);
        checkRead(f, built.lines, await readAll(file, formatOf(f.format).format));
      }), { seed: SEED, numRuns: RUNS });
    } catch (err) {
      assert.fail(report(err));
    }
  });
});

/** Appends an exact copy (a duplicate) and a changed copy (a conflict) of the first undamaged row. */
function withCopies(f: GenFile): { file: GenFile; copies: boolean } {
  const original = f.rows.find((r) => !r.damage);
  if (!original) return { file: f, copies: false };
  const changed: GenRow = { ...original, text: `${original.text} (changed)` };
  return { file: { ...f, rows: [...f.rows, { ...original }, changed] }, copies: true };
}

for (const b of backends()) {
  describe(`property: damaged files end to end [${b.label}]`, () => {
    let t: TestStore;
    const files = tempDir();
    before(async () => { t = await b.open(); });
    after(async () => { await t.cleanup(); files.cleanup(); });

    it(`imports ${E2E_RUNS} generated damaged files: rows = imported + duplicates + quarantined, stored texts byte-identical`, async () => {
      let n = 0;
      try {
        await fc.assert(fc.asyncProperty(genFile(), async (generated) => {
          const run = n++;
          const { file: f, copies } = withCopies(generated);
          const built = build(f);
          const path = files.file(`e${run}.${f.format === 'jsonl' ? 'jsonl' : 'csv'}`, built.bytes);
          const { format, mapping } = formatOf(f.format);
          const source = `prop-${b.label}-${run}`;
          const c = await importFile(t.store, path, { format, mapping, source, maxField: MAX_FIELD, quiet: true });
          assert.equal(c.rows, c.imported + c.duplicates + c.quarantined, `accounting: ${JSON.stringify(c)}`);
          if (copies) {
            assert.equal(c.duplicates, 1, `the exact copy is the one duplicate: ${JSON.stringify(c)}`);
            assert.equal(c.conflicts, 1, `the changed copy is the one conflict: ${JSON.stringify(c)}`);
          }
          const record = await t.store.db.selectFrom('imports').select(['rows', 'imported', 'duplicates', 'quarantined', 'state'])
            .where('file', '=', path).executeTakeFirstOrThrow();
          assert.deepEqual(record, { rows: c.rows, imported: c.imported, duplicates: c.duplicates, quarantined: c.quarantined, state: 'done' });
          const stored = await t.store.db.selectFrom('posts').innerJoin('sources', 'sources.id', 'posts.source_id')
            .leftJoin('accounts', 'accounts.id', 'posts.account_id')
            .select(['posts.platform_post_id', 'posts.text', 'posts.created_at', 'accounts.platform_account_id'])
            .where('sources.name', '=', source).execute();
          const byId = new Map(stored.map((s) => [s.platform_post_id, s]));
          for (const r of generated.rows) {
            if (r.damage) continue;
            assert.deepEqual(byId.get(r.id), { platform_post_id: r.id, text: r.text, created_at: r.createdAt, platform_account_id: r.account });
          }
          const again = await importFile(t.store, path, { format, mapping, source, maxField: MAX_FIELD, quiet: true });
          assert.deepEqual(again, { ...c, imported: 0, duplicates: c.duplicates + c.imported }, 'importing again changes nothing');
        }), { seed: SEED, numRuns: E2E_RUNS });
      } catch (err) {
        assert.fail(report(err));
      }
    });
  });
}
