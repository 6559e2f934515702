/**
 * The blocking API on both backends, against what the store holds: the sites list and its
 * filters (country, network, category, host search, paging) recomputed from the stored rows,
 * each site's timelines following the generator's script (gaps left out), the JSONL download
 * parsed back line by line into the stored measurements, the OONI view of one measurement, the
 * probe's own IP withheld everywhere, and the overview's totals.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { backends, type TestStore } from '../helpers/stores.ts';
import { buildApp } from '../../src/serve/server.ts';
import type { Services } from '../../src/serve/services.ts';
import { seedMeasurements, type SeededMeasurement } from '../../src/serve/fixtures-probe.ts';
import { saveMeasurement } from '../../src/probe/store.ts';
import { OoniEnvelopeSchema } from '../../src/probe/ooni/format.ts';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
const START = NOW - 14 * DAY;
const PROBE_IP = '198.51.100.23';
/** An ooniprobe measurement as OONI publishes it (uid in OONI's format). */
const OONI_UID = '20261101120000.123456_XB_webconnectivity_0123456789abcdef';

interface StoredRow { id: number; hostname: string; input: string; probe_cc: string; probe_asn: string; verdict: string; measured_at: number; body: string }
interface Site {
  host: string; categories: string[]; countries: string[]; networks: string[]; measurements: number;
  by_verdict: Record<string, number>; latest: { id: number; verdict: string; how: string[] }; inputs: string[];
}

for (const b of backends()) {
  describe(`blocking API [${b.label}]`, () => {
    let ts: TestStore;
    let app: FastifyInstance;
    let services: Services;
    let seeded: SeededMeasurement[];
    let rows: StoredRow[];
    let categories: Map<string, Set<string>>;

    const get = async (url: string) => {
      const r = await app.inject({ method: 'GET', url });
      return { status: r.statusCode, headers: r.headers, text: r.body, json: () => JSON.parse(r.body) as any };
    };
    const sites = async (qs = ''): Promise<{ total: number; items: Site[]; next: number | null }> => {
      const r = await get(`/api/blocking/sites${qs}`);
      assert.equal(r.status, 200, r.text);
      return r.json();
    };

    before(async () => {
      ts = await b.open();
      seeded = await seedMeasurements(ts.store, { now: NOW, xss: true });
      // A careless tool kept the probe's own address; and one measurement imported from OONI.
      seeded.push(...await seedMeasurements(ts.store, {
        now: NOW, days: 2, probeIp: PROBE_IP,
        plan: [{ url: 'https://ip.example/', category: 'COMT', networks: [{ cc: 'XC', asn: 'AS64510', phases: [{ fromDay: 0, scenario: 'reachable' }] }] }],
      }));
      await saveMeasurement(ts.store, OoniEnvelopeSchema.parse({
        data_format_version: '0.2.0', input: 'https://news.example/', measurement_start_time: '2026-11-01 12:00:00', probe_asn: 'AS64500', probe_cc: 'XB',
        probe_ip: '127.0.0.1', report_id: '20261101T120000Z_webconnectivity_XB_64500_n1_abc', measurement_uid: OONI_UID,
        software_name: 'ooniprobe', software_version: '3.22.0', test_name: 'web_connectivity', test_version: '0.4.3', test_start_time: '2026-11-01 11:59:50',
        test_keys: { blocking: 'dns', accessible: false, dns_consistency: 'inconsistent', queries: [{ engine: 'system', failure: 'dns_nxdomain_error', answers: null }] },
      }), 'ooni');
      ({ app, services } = await buildApp(ts.store, { rateLimit: { max: 100_000, timeWindowMs: 10_000 } }));
      rows = (await ts.store.db.selectFrom('probe_measurements').select(['id', 'hostname', 'input', 'probe_cc', 'probe_asn', 'verdict', 'measured_at', 'body']).execute())
        .map((r) => ({ ...r, id: Number(r.id), measured_at: Number(r.measured_at) }));
      categories = new Map();
      for (const a of await ts.store.db.selectFrom('site_availability').select(['site', 'category_code']).execute()) {
        const host = new URL(a.site).hostname;
        if (a.category_code) categories.set(host, (categories.get(host) ?? new Set()).add(a.category_code));
      }
    });
    after(async () => {
      await services?.close();
      await app?.close();
      await ts?.cleanup();
    });

    /** What the sites list must say for the stored rows that pass `keep`. */
    function expected(keep: (r: StoredRow) => boolean) {
      const by = new Map<string, StoredRow[]>();
      for (const r of rows.filter(keep)) by.set(r.hostname, [...(by.get(r.hostname) ?? []), r]);
      return new Map([...by].map(([host, list]) => {
        const count = (v: string) => list.filter((r) => r.verdict === v).length;
        const latest = [...list].sort((a, c) => c.measured_at - a.measured_at || c.id - a.id)[0]!;
        return [host, {
          measurements: list.length, by_verdict: { reachable: count('reachable'), blocked: count('blocked'), down: count('down'), unknown: count('unknown') },
          countries: [...new Set(list.map((r) => r.probe_cc))].sort(), networks: [...new Set(list.map((r) => `${r.probe_cc} ${r.probe_asn}`))].sort(),
          latest: latest.id, categories: [...(categories.get(host) ?? [])].sort(),
        }];
      }));
    }

    function assertMatches(got: Site[], want: ReturnType<typeof expected>, what: string) {
      assert.deepEqual(got.map((s) => s.host).sort(), [...want.keys()].sort(), `${what}: the sites`);
      for (const s of got) {
        const w = want.get(s.host)!;
        assert.deepEqual({ measurements: s.measurements, by_verdict: s.by_verdict, countries: [...s.countries].sort(), networks: [...s.networks].sort(), latest: s.latest.id, categories: s.categories },
          w, `${what}: ${s.host}`);
      }
    }

    it('lists every site with counts by verdict, networks, categories and the latest verdict, as stored', async () => {
      const all = await sites('?limit=200');
      assert.equal(all.total, 8);
      assertMatches(all.items, expected(() => true), 'unfiltered');
      // Most blocked measurements first.
      const blocked = all.items.map((s) => s.by_verdict.blocked!);
      assert.deepEqual(blocked, [...blocked].sort((a, c) => c - a));
      const news = all.items.find((s) => s.host === 'news.example')!;
      assert.deepEqual(news.latest.how, ['dns-injection']);
      assert.deepEqual(news.inputs, ['https://news.example/']);
    });

    it('filters by country, network, category and host exactly as the store says', async () => {
      for (const cc of ['XA', 'XB', 'XC']) assertMatches((await sites(`?cc=${cc.toLowerCase()}&limit=200`)).items, expected((r) => r.probe_cc === cc), `cc=${cc}`);
      for (const asn of ['AS64496', 'AS64497', 'AS64500', 'AS64510']) assertMatches((await sites(`?asn=${asn}&limit=200`)).items, expected((r) => r.probe_asn === asn), `asn=${asn}`);
      for (const cat of ['NEWS', 'HUMR', 'SRCH', 'MISC', 'POLR', 'COMT']) {
        const inCat = (r: StoredRow) => categories.get(r.hostname)?.has(cat) ?? false;
        const got = await sites(`?category=${cat}&limit=200`);
        assert.equal(got.total, 1, cat);
        assertMatches(got.items, expected(inCat), `category=${cat}`);
      }
      assertMatches((await sites('?cc=XA&category=HUMR')).items, expected((r) => r.probe_cc === 'XA' && r.hostname === 'rights.example.org'), 'cc and category');
      assertMatches((await sites('?q=EXAMPLE.ORG')).items, expected((r) => r.hostname.includes('example.org')), 'q');
      assert.deepEqual((await sites('?cc=ZZ')).items, []);
      // LIKE's wildcards are searched for as characters, not as wildcards.
      assert.deepEqual((await sites('?q=_')).items, []);
      assert.deepEqual((await sites('?q=%25')).items, []);
      assertMatches((await sites('?q=.example.')).items, expected((r) => r.hostname.includes('.example.')), 'q with dots');
      const bad = await get('/api/blocking/sites?asn=4134');
      assert.equal(bad.status, 400);
      assert.equal(bad.json().error.param, 'asn');
    });

    it('pages through every site once', async () => {
      const seen: string[] = [];
      let offset: number | null = 0;
      while (offset !== null) {
        const page = await sites(`?limit=3&offset=${offset}&sort=host`);
        assert.ok(page.items.length <= 3);
        seen.push(...page.items.map((s) => s.host));
        offset = page.next;
      }
      assert.deepEqual(seen, [...new Set(rows.map((r) => r.hostname))].sort());
    });

    it("gives each site's timeline per network as the script ran it, gaps left out of the chart", async () => {
      const r = await get('/api/blocking/sites/news.example');
      assert.equal(r.status, 200, r.text);
      const d = r.json();
      const xa = d.timelines.find((t: any) => t.probe_cc === 'XA');
      const plan = seeded.filter((m) => m.host === 'news.example' && m.cc === 'XA');
      assert.deepEqual(xa.timeline.map((p: any) => [p.state, p.how.join('+'), p.measurements]), [
        ['reachable', '', plan.filter((m) => m.verdict === 'reachable').length],
        ['blocked', 'dns-injection', plan.filter((m) => m.verdict === 'blocked').length],
      ]);
      assert.equal(Date.parse(xa.timeline[1].at), Math.min(...plan.filter((m) => m.verdict === 'blocked').map((m) => m.at)));
      // The imported OONI measurement from XB is its own point, with OONI's mechanism.
      const xb = d.timelines.find((t: any) => t.probe_cc === 'XB');
      assert.deepEqual(xb.timeline[0], { at: '2026-11-01T12:00:00Z', until: '2026-11-01T12:00:00Z', state: 'blocked', how: ['dns'], measurements: 1 });
      assert.equal(d.total, rows.filter((x) => x.hostname === 'news.example').length);
      assert.deepEqual(d.categories, ['NEWS']);
      assert.equal(d.chart.points.length, d.total);

      // rights.example.org in XB was not measured from day 6 to day 9: no point there.
      const rights = (await get('/api/blocking/sites/rights.example.org?cc=XB')).json();
      assert.ok(rights.chart.points.length > 10);
      const inGap = rights.chart.points.filter(([t]: [number]) => t >= START + 6 * DAY && t < START + 9 * DAY);
      assert.deepEqual(inGap, []);
      assert.ok(rights.chart.series.every((s: any) => s.probe_cc === 'XB'));
      assert.deepEqual(rights.timelines.map((t: any) => t.timeline.map((p: any) => p.state)), [['reachable']]);
      // Every state appears somewhere, each with the mechanism the script named.
      const states = new Set<string>();
      for (const host of new Set(rows.map((x) => x.hostname))) {
        const s = (await get(`/api/blocking/sites/${encodeURIComponent(host)}`)).json();
        for (const t of s.timelines) for (const p of t.timeline) states.add(`${p.state}:${p.how.join('+')}`);
      }
      for (const want of ['reachable:', 'blocked:dns-injection', 'blocked:dns-nxdomain', 'blocked:ip-drop', 'blocked:sni-reset', 'blocked:keyword-reset', 'blocked:block-page', 'down:', 'unknown:']) {
        assert.ok(states.has(want), `some timeline shows ${want}`);
      }
      assert.equal((await get('/api/blocking/sites/unknown.example')).status, 404);
      assert.equal((await get('/api/blocking/sites/NEWS.Example')).json().total, d.total, 'host names are case-insensitive');
    });

    it("downloads a site's measurements as OONI JSONL that parses back line by line into the stored ones", async () => {
      for (const [qs, keep] of [['', () => true], ['?cc=XC', (r: StoredRow) => r.probe_cc === 'XC']] as const) {
        const r = await get(`/api/blocking/sites/news.example/measurements.jsonl${qs}`);
        assert.equal(r.status, 200);
        assert.match(String(r.headers['content-type']), /^application\/x-ndjson/);
        assert.equal(r.headers['content-disposition'], 'attachment; filename="news.example-measurements.jsonl"');
        const lines = r.text.split('\n');
        assert.equal(lines.pop(), '', 'ends with a newline');
        const stored = rows.filter((x) => x.hostname === 'news.example' && keep(x)).sort((a, c) => a.id - c.id);
        assert.equal(lines.length, stored.length);
        lines.forEach((line, i) => {
          assert.equal(line, stored[i]!.body, `line ${i + 1} is the stored measurement, byte for byte`);
          assert.deepEqual(JSON.parse(line), JSON.parse(stored[i]!.body));
        });
      }
      assert.equal((await get('/api/blocking/sites/unknown.example/measurements.jsonl')).status, 404);
    });

    it("shows one measurement's OONI view and both verdicts", async () => {
      const m = seeded.find((x) => x.host === 'search.example.net' && x.scenario === 'dns-nxdomain')!;
      const r = await get(`/api/blocking/measurements/${m.id}`);
      assert.equal(r.status, 200, r.text);
      const d = r.json();
      const body = JSON.parse(rows.find((x) => x.id === m.id)!.body);
      assert.deepEqual(d.measurement, body);
      assert.equal(d.simulated, true);
      assert.equal(d.state, 'blocked');
      assert.deepEqual(d.censorscope, { blocking: 'dns', accessible: false, verdict: 'blocked', blocking_flags: body.test_keys.x_blocking_flags, how: ['dns-nxdomain'] });
      assert.equal(d.ooni, null);
      const v = d.ooni_view;
      assert.deepEqual([v.input, v.probe_cc, v.probe_asn, v.test_start_time, v.measurement_start_time], [m.input, m.cc, m.asn, body.test_start_time, body.measurement_start_time]);
      assert.equal(v.verdict_keys.blocking, 'dns');
      assert.equal(v.verdict_keys.dns_experiment_failure, 'dns_nxdomain_error');
      assert.deepEqual(v.dns.map((q: any) => q.failure), ['dns_nxdomain_error', 'dns_nxdomain_error']);
      assert.equal(v.ooni_explorer_url, null, 'a simulated measurement has no OONI Explorer page');

      const ooni = rows.find((x) => x.body.includes(OONI_UID))!;
      const o = (await get(`/api/blocking/measurements/${ooni.id}`)).json();
      assert.deepEqual(o.ooni, { blocking: 'dns', accessible: false });
      assert.equal(o.censorscope, null);
      assert.equal(o.simulated, false);
      assert.equal(o.ooni_view.ooni_explorer_url, `https://explorer.ooni.org/m/${OONI_UID}`);
      assert.equal(o.ooni_view.test_start_time, '2026-11-01 11:59:50');
      assert.equal((await get('/api/blocking/measurements/999999')).status, 404);
    });

    it("never shows the probe's own IP address, though the store keeps the measurement as it came", async () => {
      const ip = seeded.filter((x) => x.host === 'ip.example');
      assert.ok(ip.length >= 4);
      const stored = rows.find((x) => x.id === ip[0]!.id)!;
      assert.ok(stored.body.includes(PROBE_IP), 'the store keeps the evidence untouched');
      const view = await get(`/api/blocking/measurements/${ip[0]!.id}`);
      assert.ok(!view.text.includes(PROBE_IP), 'the measurement view withholds it');
      const m = view.json().measurement;
      assert.equal(m.probe_ip, '127.0.0.1');
      assert.equal(m.test_keys.x_seen_from, 'probe at [scrubbed]:51234');
      const dl = await get('/api/blocking/sites/ip.example/measurements.jsonl');
      assert.equal(dl.text.trim().split('\n').length, ip.length);
      assert.ok(!dl.text.includes(PROBE_IP), 'the download withholds it');
      for (const line of dl.text.trim().split('\n')) assert.equal(JSON.parse(line).probe_ip, '127.0.0.1');
      for (const url of ['/api/blocking/sites/ip.example', '/api/blocking/sites', '/api/blocking/overview']) assert.ok(!(await get(url)).text.includes(PROBE_IP), url);
    });

    it('sums the overview from the same rows: verdicts, sites blocked on their latest measurement, days, simulated', async () => {
      const o = (await get('/api/blocking/overview')).json();
      assert.equal(o.measurements, rows.length);
      assert.equal(o.sites, new Set(rows.map((r) => r.hostname)).size);
      assert.equal(o.simulated, rows.length - 1, 'every generated measurement, not the imported one');
      assert.deepEqual(o.by_source, { probe: rows.length - 1, import: 1 });
      for (const v of ['reachable', 'blocked', 'down', 'unknown']) assert.equal(o.by_verdict[v], rows.filter((r) => r.verdict === v).length, v);
      const latest = new Map<string, StoredRow>();
      for (const r of rows) {
        const k = `${r.hostname} ${r.probe_cc} ${r.probe_asn}`;
        const l = latest.get(k);
        if (!l || r.measured_at > l.measured_at || (r.measured_at === l.measured_at && r.id > l.id)) latest.set(k, r);
      }
      assert.equal(o.sites_blocked, new Set([...latest.values()].filter((r) => r.verdict === 'blocked').map((r) => r.hostname)).size);
      assert.equal(o.networks, new Set([...latest.keys()].map((k) => k.split(' ').slice(1).join(' '))).size);
      assert.equal(o.daily.reduce((a: number, d: any) => a + d.count, 0), rows.length);
      for (const d of o.daily) {
        assert.equal(d.day % DAY, 0);
        assert.equal(d.count, rows.filter((r) => Math.floor(r.measured_at / DAY) * DAY === d.day && r.verdict === d.verdict).length);
      }
      const f = (await get('/api/blocking/facets')).json();
      assert.deepEqual(f.countries.map((c: any) => c.cc), ['XA', 'XB', 'XC']);
      assert.deepEqual(f.categories.map((c: any) => c.code), ['COMT', 'HUMR', 'MISC', 'NEWS', 'POLR', 'SRCH']);
    });
  });
}
