/** Stored measurements read back: filters, our verdict beside OONI's, and per-site timelines with change points, on both backends. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, type TestStore } from '../helpers/stores.ts';
import { saveMeasurement } from '../../src/probe/store.ts';
import { probeResults } from '../../src/probe/results.ts';
import { OoniEnvelopeSchema } from '../../src/probe/ooni/format.ts';
import { parseTime } from '../../src/cli/commands/probe-results.ts';
import { UserError } from '../../src/util/errors.ts';

const SITE = 'https://news.example/';

/** A measurement of `input` at hour `h` of 2024-05-01 (UTC); `ours` makes it one of our probe's. */
function m(input: string, h: number, tk: Record<string, unknown>, opts: { cc?: string; asn?: string; ours?: boolean } = {}) {
  return OoniEnvelopeSchema.parse({
    data_format_version: '0.2.0', input, measurement_start_time: `2024-05-01 ${String(h).padStart(2, '0')}:00:00`,
    probe_asn: opts.asn ?? 'AS4134', probe_cc: opts.cc ?? 'CN', report_id: `r${h}_${opts.cc ?? 'CN'}`,
    software_name: opts.ours ? 'censorscope' : 'ooniprobe', software_version: '1', test_name: 'web_connectivity', test_keys: tk,
  });
}
const OONI_UP = { blocking: false, accessible: true };
const OONI_DNS = { blocking: 'dns', accessible: false };
const OONI_DOWN = { blocking: false, accessible: false };

for (const b of backends()) {
  describe(`probe results [${b.label}]`, () => {
    let t: TestStore;
    before(async () => {
      t = await b.open();
      const rows: Array<[ReturnType<typeof m>, 'probe' | 'ooni']> = [
        [m(SITE, 1, OONI_UP), 'ooni'],
        [m(SITE, 2, OONI_UP), 'ooni'],
        [m(SITE, 3, OONI_DNS), 'ooni'],
        [m(SITE, 5, { blocking: 'dns', accessible: false, x_verdict: 'blocked', x_blocked_how: ['dns-injection'], x_blocking_flags: 1 }, { ours: true }), 'probe'],
        [m(SITE, 4, OONI_DNS), 'ooni'],
        [m(SITE, 6, OONI_DOWN), 'ooni'],
        [m(SITE, 7, OONI_UP), 'ooni'],
        // The same site from another network: its own timeline, not a change in CN's.
        [m(SITE, 3, OONI_UP, { cc: 'IT', asn: 'AS137' }), 'ooni'],
        [m('https://other.example/a', 2, { blocking: null, accessible: null }), 'ooni'],
        [m('http://news.example/b', 2, OONI_UP), 'ooni'],
      ];
      for (const [x, origin] of rows) assert.equal((await saveMeasurement(t.store, x, origin)).duplicate, false);
    });
    after(() => t.cleanup());

    it('builds one timeline per site and network, each point a change of state or mechanism', async () => {
      const r = await probeResults(t.store, { input: SITE, cc: 'CN' });
      assert.equal(r.total, 7);
      assert.equal(r.sites.length, 1);
      assert.deepEqual(r.sites[0].timeline.map((p) => [p.at, p.state, p.how.join('+'), p.measurements]), [
        ['2024-05-01T01:00:00Z', 'reachable', '', 2],
        ['2024-05-01T03:00:00Z', 'blocked', 'dns', 2],
        ['2024-05-01T05:00:00Z', 'blocked', 'dns-injection', 1],
        ['2024-05-01T06:00:00Z', 'down', '', 1],
        ['2024-05-01T07:00:00Z', 'reachable', '', 1],
      ]);
      assert.equal(r.sites[0].timeline[1].until, '2024-05-01T04:00:00Z');
      const all = await probeResults(t.store, { input: SITE });
      assert.deepEqual(all.sites.map((s) => [s.probe_cc, s.timeline.length]), [['CN', 5], ['IT', 1]]);
    });

    it('shows our verdict for our measurements and OONI\'s for OONI\'s, in time order', async () => {
      const r = await probeResults(t.store, { input: SITE, cc: 'CN' });
      assert.deepEqual(r.measurements.map((x) => x.measurement_start_time.slice(11, 13)), ['01', '02', '03', '04', '05', '06', '07']);
      const ours = r.measurements.find((x) => x.source === 'probe')!;
      assert.deepEqual(ours.censorscope, { blocking: 'dns', accessible: false, verdict: 'blocked', blocking_flags: 1, how: ['dns-injection'] });
      assert.equal(ours.ooni, null);
      const theirs = r.measurements[2];
      assert.equal(theirs.source, 'import');
      assert.deepEqual(theirs.ooni, { blocking: 'dns', accessible: false });
      assert.equal(theirs.censorscope, null);
      assert.equal(theirs.software, 'ooniprobe 1');
      assert.equal(theirs.report_id, 'r3_CN');
    });

    it('filters by URL or host, time, country, network and source, and says when it cut the list', async () => {
      assert.equal((await probeResults(t.store, { input: 'news.example' })).total, 9, 'a host matches every URL on it');
      assert.equal((await probeResults(t.store, { input: 'http://news.example/b' })).total, 1);
      const window = await probeResults(t.store, { since: Date.UTC(2024, 4, 1, 3), until: Date.UTC(2024, 4, 1, 5) });
      assert.deepEqual(window.measurements.map((x) => x.measurement_start_time.slice(11, 13)).sort(), ['03', '03', '04']);
      assert.equal((await probeResults(t.store, { asn: 'as137' })).total, 1);
      assert.equal((await probeResults(t.store, { source: 'probe' })).total, 1);
      const cut = await probeResults(t.store, { limit: 3 });
      assert.equal(cut.total, 10);
      assert.equal(cut.truncated, true);
      assert.deepEqual(cut.measurements.map((x) => x.measurement_start_time.slice(11, 13)), ['05', '06', '07'], 'the most recent, oldest first');
      assert.equal(cut.sites.reduce((n, s) => n + s.timeline.reduce((k, p) => k + p.measurements, 0), 0), 10, 'timelines use every match');
    });
  });
}

describe('probe results --since/--until', () => {
  it('reads zone-less times as UTC and durations as time ago', () => {
    assert.equal(parseTime('2024-01-31', '--since'), Date.UTC(2024, 0, 31));
    assert.equal(parseTime('2024-01-31T12:00', '--since'), Date.UTC(2024, 0, 31, 12));
    assert.equal(parseTime('2024-01-31 12:00:05+02:00', '--since'), Date.UTC(2024, 0, 31, 10, 0, 5));
    assert.equal(parseTime('7d', '--since', 1e12), 1e12 - 7 * 86_400_000);
    assert.throws(() => parseTime('last week', '--since'), UserError);
    assert.throws(() => parseTime('2024-02-30', '--since'), UserError);
  });
});
