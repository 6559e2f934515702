/** Storing measurements, importing OONI JSONL, and the per-site availability timeline, on both backends. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { backends, type TestStore } from '../helpers/stores.ts';
import { importOoniFile } from '../../src/probe/ooni/import.ts';
import { saveAvailability, siteTimeline } from '../../src/probe/store.ts';
import { startTestHelper } from '../../src/probe/control/server.ts';
import { trackList } from '../../src/probe/availability/run.ts';
import { readTestList } from '../../src/probe/availability/test-list.ts';

/** A measurement shaped like OONI's published ones (no x_ keys, measurement_uid present). */
function ooniPublished(i: number, blocking: string | false, accessible: boolean): Record<string, unknown> {
  return {
    annotations: {}, data_format_version: '0.2.0', input: `https://site${i}.example/`, measurement_start_time: `2024-01-0${1 + (i % 9)} 10:00:00`,
    measurement_uid: `20240101100000.000000_CN_webconnectivity_${i.toString(16).padStart(16, '0')}`,
    probe_asn: 'AS4134', probe_cc: 'CN', report_id: 'r', software_name: 'ooniprobe-android', software_version: '3.8.0', test_name: 'web_connectivity',
    test_runtime: 1.2, test_version: '0.4.3', test_keys: { blocking, accessible, dns_consistency: 'consistent', queries: [], tcp_connect: [], requests: [] },
  };
}

for (const b of backends()) {
  describe(`probe store [${b.label}]`, () => {
    let t: TestStore;
    let dir: string;
    before(async () => {
      t = await b.open();
      dir = mkdtempSync(join(tmpdir(), 'censorscope-probe-'));
    });
    after(async () => {
      await t.cleanup();
      rmSync(dir, { recursive: true, force: true });
    });

    it('imports OONI JSONL once, quarantines bad lines, derives verdicts', async () => {
      const file = join(dir, 'ooni.jsonl');
      const errors = join(dir, 'errors.jsonl');
      const lines = [
        JSON.stringify(ooniPublished(1, 'dns', false)),
        JSON.stringify(ooniPublished(2, false, true)),
        JSON.stringify(ooniPublished(3, false, false)),
        '{not json',
        JSON.stringify({ ...ooniPublished(4, 'dns', false), probe_cc: 'China' }),
        '',
      ];
      writeFileSync(file, lines.join('\n'));
      const first = await importOoniFile(t.store, file, { quiet: true, errorsFile: errors });
      assert.deepEqual(first, { rows: 5, imported: 3, duplicates: 0, quarantined: 2 });
      assert.equal(readFileSync(errors, 'utf8').trim().split('\n').length, 2);
      const second = await importOoniFile(t.store, file, { quiet: true });
      assert.equal(second.imported, 0);
      assert.equal(second.duplicates, 3);
      const rows = await t.store.db.selectFrom('probe_measurements').select(['input', 'verdict', 'blocking', 'origin', 'probe_cc']).orderBy('input').execute();
      assert.deepEqual(rows.map((r) => r.verdict), ['blocked', 'reachable', 'down']);
      assert.deepEqual(rows.map((r) => r.blocking), ['dns', 'false', 'false']);
      assert.ok(rows.every((r) => r.origin === 'ooni' && r.probe_cc === 'CN'));
    });

    it('merges checks into a timeline: when a site went dark and how', async () => {
      const site = 'https://news.example/';
      const states: Array<[number, string, string[]]> = [[1000, 'reachable', []], [2000, 'reachable', []], [3000, 'blocked', ['dns-injection']], [4000, 'blocked', ['dns-injection']], [5000, 'down', []]];
      for (const [at, state, how] of states) await saveAvailability(t.store, { site, listName: 'cn.csv', checkedAt: at, state, how, measurementId: null });
      const spans = await siteTimeline(t.store, site);
      assert.deepEqual(spans.map((s) => [s.state, s.from, s.to, s.checks]), [['reachable', 1000, 2000, 2], ['blocked', 3000, 4000, 2], ['down', 5000, 5000, 1]]);
      assert.deepEqual(spans[1].how, ['dns-injection']);
    });

    it('tracks a list every interval and records a site going down', async () => {
      let up = true;
      const site = http.createServer((_q, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<title>t</title>' + 'a'.repeat(3000));
      });
      await new Promise<void>((r) => site.listen(0, '127.0.0.1', () => r()));
      const port = (site.address() as AddressInfo).port;
      const th = await startTestHelper({ timeoutMs: 1000, allowPrivate: true });
      const list = join(dir, 'list.csv');
      writeFileSync(list, `url,category_code,category_description,date_added,source,notes\nhttp://127.0.0.1:${port}/,NEWS,News,2024-01-01,test,\n`);
      const entries = readTestList(list);
      const ac = new AbortController();
      let rounds = 0;
      await trackList(t.store, entries, { thUrl: th.url, timeoutMs: 1000, listName: 'list.csv', everyMs: 300, signal: ac.signal, concurrency: 2 }, () => {
        rounds++;
        if (rounds === 2 && up) {
          up = false;
          site.closeAllConnections();
          site.close();
        }
        if (rounds === 4) ac.abort();
      });
      await th.close();
      const spans = await siteTimeline(t.store, entries[0].url);
      assert.deepEqual(spans.map((s) => s.state), ['reachable', 'down']);
      assert.equal(spans[0].checks, 2);
      assert.equal(spans[1].checks, 2);
      const row = await t.store.db.selectFrom('site_availability').selectAll().where('site', '=', entries[0].url).executeTakeFirstOrThrow();
      assert.equal(row.category_code, 'NEWS');
      assert.ok(row.measurement_id !== null);
    });
  });
}
