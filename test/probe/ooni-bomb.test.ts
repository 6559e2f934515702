/**
 * Gzip bombs and hostile lines against `import --format ooni` (issue 13): decompression stops at
 * the cap with the rest quarantined and the rows already read kept, memory stays bounded (measured
 * in a child process), and a measurement nested a million levels deep is quarantined rather than
 * ending the import with a stack overflow.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { statSync } from 'node:fs';
import { backends, type TestStore } from '../helpers/stores.ts';
import { tempDir } from '../helpers/files.ts';
import { importOoniFile, gzipBudget, GZIP_LIMITS } from '../../src/probe/ooni/import.ts';
import { longJunkLine, writeGzipBomb } from './bombs.ts';

function measurement(i: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    data_format_version: '0.2.0', input: `https://site${i}.example/`, measurement_start_time: '2024-03-01 10:00:00',
    probe_asn: 'AS4134', probe_cc: 'CN', report_id: `R${i}`, software_name: 'ooniprobe', software_version: '3.22.0',
    test_name: 'web_connectivity', test_keys: { blocking: false, accessible: true }, ...extra,
  };
}

const files = tempDir();
after(() => files.cleanup());

describe('OONI gzip bomb, memory measured in a child process', () => {
  it('a 512 KB file of 8 MiB lines expanding to 512 MiB is read to 64 MiB only, with bounded memory', async () => {
    const file = join(files.dir, 'bomb-lines.jsonl.gz');
    const expanded = await writeGzipBomb(file, [{ piece: longJunkLine(8 << 20), count: 64 }]);
    assert.equal(expanded, 512 << 20);
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/probe/bomb-child.ts', file, join(files.dir, 'bomb.db')], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { counts: Record<string, number>; errors: Array<{ line: number; field: string; reason: string }>; state: string; baselineRss: number; maxRss: number };
    // 64 MiB is 8 whole lines; the 9th, where the cap falls, stands for the rest of the file.
    assert.deepEqual(out.counts, { rows: 9, imported: 0, duplicates: 0, quarantined: 9 });
    assert.equal(out.state, 'done');
    const last = out.errors.at(-1)!;
    assert.equal(last.line, 9);
    assert.equal(last.field, '(file)');
    assert.match(last.reason, /expands past 64 MiB .* decompression bomb: the rest of the file, from this line on, is not read/);
    const growth = out.maxRss - out.baselineRss;
    // Reading all 512 MiB kept up to 500 quarantined lines in memory: 1.27 GB peak before the fix.
    assert.ok(growth < 400 << 20, `peak memory grew by ${Math.round(growth / 2 ** 20)} MiB reading a gzip bomb`);
  });
});

describe('the gzip budget', () => {
  it('allows the floor, then the ratio, never past the maximum', () => {
    assert.equal(gzipBudget(1000), GZIP_LIMITS.floorBytes);
    assert.equal(gzipBudget(10 << 20), 100 * (10 << 20));
    assert.equal(gzipBudget(1 << 30), GZIP_LIMITS.maxBytes);
  });
});

for (const b of backends()) {
  describe(`OONI hostile gzip on ${b.label}`, () => {
    let t: TestStore;
    before(async () => {
      t = await b.open();
    });
    after(async () => t.cleanup());

    it('many small valid-looking lines past the cap: the lines before are imported, the rest quarantined as one row', async () => {
      const good = Array.from({ length: 5 }, (_, i) => JSON.stringify(measurement(i))).join('\n') + '\n';
      // Each copy is the same measurement: a bomb of duplicates costs a lookup a line.
      const copy = JSON.stringify(measurement(99)) + '\n';
      const file = join(files.dir, `small-${b.label}.jsonl.gz`);
      await writeGzipBomb(file, [{ piece: good, count: 1 }, { piece: copy, count: 40_000 }]);
      const limits = { floorBytes: 256 * 1024, ratio: 10 };
      const budget = gzipBudget(statSync(file).size, { ...GZIP_LIMITS, ...limits });
      assert.ok(budget < 40_000 * copy.length / 4, 'the cap falls early in the file');
      const counts = await importOoniFile(t.store, file, { quiet: true, gzipLimits: limits });
      const perLine = Buffer.byteLength(copy);
      const whole = Math.floor((budget - Buffer.byteLength(good)) / perLine);
      assert.deepEqual(counts, { rows: 5 + whole + 1, imported: 6, duplicates: whole - 1, quarantined: 1 });
      const errors = await t.store.db.selectFrom('import_errors').select(['line', 'field', 'reason', 'raw']).where('file', '=', file).execute();
      assert.equal(errors.length, 1);
      assert.equal(errors[0].line, 5 + whole + 1);
      assert.equal(errors[0].field, '(file)');
      assert.match(errors[0].raw, /^base64:/);
      assert.ok(copy.startsWith(Buffer.from(errors[0].raw.slice(7), 'base64').toString()), 'raw holds the start of the cut line');
      const run = await t.store.db.selectFrom('imports').select(['state', 'rows', 'imported', 'duplicates', 'quarantined']).orderBy('id', 'desc').executeTakeFirstOrThrow();
      assert.equal(run.state, 'done');
      assert.equal(Number(run.rows), Number(run.imported) + Number(run.duplicates) + Number(run.quarantined));
    });

    it('a measurement nested a million levels deep is quarantined, the lines around it imported', async () => {
      const depth = 1_000_000;
      const deep = JSON.stringify(measurement(102)).replace('"test_keys":{', `"test_keys":{"deep":${'['.repeat(depth)}${']'.repeat(depth)},`);
      const text = [JSON.stringify(measurement(101)), deep, JSON.stringify(measurement(103))].join('\n') + '\n';
      const file = files.file(`nested-${b.label}.jsonl.gz`, gzipSync(text));
      const counts = await importOoniFile(t.store, file, { quiet: true });
      assert.deepEqual(counts, { rows: 3, imported: 2, duplicates: 0, quarantined: 1 });
      const errors = await t.store.db.selectFrom('import_errors').select(['line', 'field', 'reason']).where('file', '=', file).execute();
      assert.deepEqual(errors.map((e) => [e.line, e.field]), [[2, '(line)']]);
      assert.match(errors[0].reason, /nested too deeply/);
    });
  });
}
