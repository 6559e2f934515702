/**
 * Real corpus: OONI's own 50 Web Connectivity QA measurements (../shared/data/ooni-webconnectivity-qa,
 * from ooni/probe-cli) imported with the CLI on both backends, re-imported, imported with their
 * keys reordered, and read back with `probe results --json`.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { backends, type TestStore } from '../helpers/stores.ts';
import { tempDir } from '../helpers/files.ts';
import { runCli } from '../helpers/cli.ts';
import { importOoniFile } from '../../src/probe/ooni/import.ts';

const QA = resolve(import.meta.dirname, '../../../shared/data/ooni-webconnectivity-qa/qa-measurements.jsonl');

/** The same JSON value with every object's keys in reverse order. */
function reversedKeys(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(reversedKeys);
  return Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reversedKeys(x)]));
}

if (!existsSync(QA) && process.env.CI) throw new Error(`CI is set but the OONI QA corpus is missing at ${QA}: CI must run the real-corpus tests.`);
if (!existsSync(QA)) {
  describe('OONI QA corpus import', { skip: `${QA} is absent (the shared data folder, ../shared/data/ooni-webconnectivity-qa, is not mounted)` }, () => {});
} else {
  const measurements = readFileSync(QA, 'utf8').split('\n').filter((l) => l.trim())
    .map((l) => (JSON.parse(l) as { scenario: string; measurement: Record<string, unknown> }).measurement);

  for (const b of backends()) {
    describe(`OONI QA corpus import [${b.label}]`, () => {
      let t: TestStore;
      let files: ReturnType<typeof tempDir>;
      before(async () => {
        t = await b.open();
        files = tempDir();
      });
      after(async () => {
        await t.cleanup();
        files.cleanup();
      });

      it('imports all 50, re-imports as 50 duplicates, reordered keys too, and lists them all', async () => {
        assert.equal(measurements.length, 50);
        const file = files.file('qa.jsonl', measurements.map((m) => JSON.stringify(m)).join('\n') + '\n');
        const first = runCli(['import', '--format', 'ooni', '--json', '--quiet', file], t.env);
        assert.equal(first.status, 0, first.stderr);
        assert.deepEqual(JSON.parse(first.stdout), { rows: 50, imported: 50, duplicates: 0, quarantined: 0 });

        // In process from here (each CLI start costs seconds on a loaded machine).
        assert.deepEqual(await importOoniFile(t.store, file, { quiet: true }), { rows: 50, imported: 0, duplicates: 50, quarantined: 0 });
        const reordered = files.file('qa-reordered.jsonl', measurements.map((m) => JSON.stringify(reversedKeys(m))).join('\r\n'));
        assert.deepEqual(await importOoniFile(t.store, reordered, { quiet: true }), { rows: 50, imported: 0, duplicates: 50, quarantined: 0 });
        const records = await t.store.db.selectFrom('imports').select(['state', 'rows', 'imported', 'duplicates']).where('format', '=', 'ooni').orderBy('id').execute();
        assert.deepEqual(records.map((x) => [x.state, Number(x.rows), Number(x.imported), Number(x.duplicates)]), [['done', 50, 50, 0], ['done', 50, 0, 50], ['done', 50, 0, 50]]);

        const r = runCli(['probe', 'results', '--json'], t.env);
        assert.equal(r.status, 0, r.stderr);
        const doc = JSON.parse(r.stdout);
        assert.equal(doc.total, 50);
        assert.equal(doc.measurements.length, 50);
        assert.deepEqual(doc.measurements.map((m: { input: string }) => m.input).sort(), measurements.map((m) => m.input as string).sort());
        for (const m of doc.measurements) {
          assert.equal(m.source, 'import');
          assert.equal(m.probe_cc, 'IT');
          assert.equal(m.measurement_start_time, '2024-02-12 20:33:47');
          assert.equal(m.censorscope, null, 'OONI\'s measurements carry no verdict of ours');
        }
        // OONI's verdicts come back as OONI wrote them.
        const byBlocking = (v: unknown) => doc.measurements.filter((m: { ooni: { blocking: unknown } }) => m.ooni.blocking === v).length;
        const expected = (v: unknown) => measurements.filter((m) => (m.test_keys as { blocking: unknown }).blocking === v).length;
        for (const v of [false, 'dns', 'tcp_ip', 'http-failure', 'http-diff', null]) assert.equal(byBlocking(v), expected(v), String(v));

        const sites = new Set(measurements.map((m) => m.input));
        assert.equal(doc.sites.length, sites.size, 'one timeline per input (all from one network)');
        const one = runCli(['probe', 'results', '--json', '--input', 'https://www.example.com/'], t.env);
        const site = JSON.parse(one.stdout);
        assert.equal(site.total, measurements.filter((m) => m.input === 'https://www.example.com/').length);
        assert.equal(site.sites.length, 1);
        const points = site.sites[0].timeline as Array<{ measurements: number }>;
        assert.equal(points.reduce((n, p) => n + p.measurements, 0), site.total);
      });
    });
  }
}
