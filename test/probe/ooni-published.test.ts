/**
 * Importing OONI's data as OONI publishes it. Since 2020-10-20 the ooni-data-eu-fra S3 bucket
 * holds one gzip-compressed JSONL file per hour, country, test and uploader "can":
 * `raw/<YYYYMMDD>/<HH>/<CC>/<testname>/<YYYYMMDDHH>_<CC>_<testname>.<n><collector>.<can>.jsonl.gz`
 * (test name without underscores). OONI's uploader (ooni/backend api/ooni_api_uploader.py)
 * writes each measurement's `content` with ujson: compact, `/` escaped as `\/`, non-ASCII as
 * `\uXXXX`, no `measurement_uid` in the line (that lives in OONI's database), one per line, and a
 * bare `{}` line for a submission it could not parse. The fixture below is built in code in
 * exactly that shape; when real bucket files are present under ../shared/data, one is imported
 * too (the test says so when it skips).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { backends, type TestStore } from '../helpers/stores.ts';
import { tempDir } from '../helpers/files.ts';
import { runCli } from '../helpers/cli.ts';

/** JSON as Python's ujson.dumps writes it by default (ensure_ascii, escape_forward_slashes). */
function ujsonDumps(v: unknown): string {
  return JSON.stringify(v)
    .replace(/\//g, '\\/')
    .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A Web Connectivity measurement with the df-000 envelope fields OONI probes send. */
function webConnectivity(o: { cc: string; asn: number; network: string; input: string; start: string; reportTs: string; blocking: string | false; accessible: boolean | null; addr: string }) {
  const host = new URL(o.input).hostname;
  const dnsFailure = o.blocking === 'dns' ? 'dns_nxdomain_error' : null;
  return {
    annotations: { architecture: 'arm64', engine_name: 'ooniprobe-engine', engine_version: '3.10.1', platform: 'android' },
    data_format_version: '0.2.0',
    extensions: { dnst: 0, httpt: 0, netevents: 0, tcpconnect: 0, tlshandshake: 0, tunnel: 0 },
    input: o.input,
    measurement_start_time: o.start,
    probe_asn: `AS${o.asn}`,
    probe_cc: o.cc,
    probe_ip: '127.0.0.1',
    probe_network_name: o.network,
    report_id: `${o.reportTs}_webconnectivity_${o.cc}_${o.asn}_n1_Nq3xPqDtYbB3Fj0v`,
    resolver_asn: `AS${o.asn}`,
    resolver_ip: '10.10.34.35',
    resolver_network_name: o.network,
    software_name: 'ooniprobe-android',
    software_version: '3.1.0',
    test_helpers: { backend: { address: 'https://0.th.ooni.org', type: 'https' } },
    test_keys: {
      agent: 'redirect', client_resolver: '10.10.34.35', retries: null, socksproxy: null,
      queries: [{
        answers: dnsFailure ? null : [{ asn: 13335, as_org_name: 'Cloudflare Inc', answer_type: 'A', ipv4: o.addr, ttl: null }],
        engine: 'system', failure: dnsFailure, hostname: host, query_type: 'A', resolver_hostname: null, resolver_port: null, resolver_address: '', t: 0.0123,
      }],
      tcp_connect: dnsFailure ? [] : [{ ip: o.addr, port: 443, status: { blocked: o.blocking === 'tcp_ip', failure: o.blocking === 'tcp_ip' ? 'generic_timeout_error' : null, success: o.blocking !== 'tcp_ip' }, t: 0.05 }],
      requests: [],
      control_failure: null,
      dns_experiment_failure: dnsFailure,
      http_experiment_failure: o.blocking === 'tcp_ip' ? 'generic_timeout_error' : null,
      dns_consistency: o.blocking === 'dns' ? 'inconsistent' : 'consistent',
      body_length_match: null, body_proportion: 0, status_code_match: null, headers_match: null, title_match: null,
      accessible: o.accessible,
      blocking: o.blocking,
    },
    test_name: 'web_connectivity',
    test_runtime: 1.7839,
    test_start_time: o.start,
    test_version: '0.4.0',
  };
}

/** Writes bucket files under `root` as OONI's uploader lays them out; returns their paths. */
function writeBucket(root: string): { files: string[]; measurements: Array<ReturnType<typeof webConnectivity>> } {
  const us = [
    webConnectivity({ cc: 'US', asn: 7922, network: 'Comcast Cable Communications, LLC', input: 'https://www.torproject.org/', start: '2021-08-17 15:03:12', reportTs: '20210817T150301Z', blocking: false, accessible: true, addr: '95.216.163.36' }),
    webConnectivity({ cc: 'US', asn: 7922, network: 'Comcast Cable Communications, LLC', input: 'http://www.example.com/path?q=a/b', start: '2021-08-17 15:03:14', reportTs: '20210817T150301Z', blocking: false, accessible: true, addr: '93.184.216.34' }),
    webConnectivity({ cc: 'US', asn: 7922, network: 'Comcast Cable Communications, LLC', input: 'https://ooni.org/', start: '2021-08-17 15:41:09', reportTs: '20210817T154100Z', blocking: false, accessible: true, addr: '104.198.14.52' }),
  ];
  const ir = [
    webConnectivity({ cc: 'IR', asn: 58224, network: 'شرکت مخابرات ایران', input: 'https://www.bbc.com/persian', start: '2021-08-17 15:10:00', reportTs: '20210817T150955Z', blocking: 'dns', accessible: false, addr: '151.101.0.81' }),
    webConnectivity({ cc: 'IR', asn: 58224, network: 'شرکت مخابرات ایران', input: 'https://twitter.com/', start: '2021-08-17 15:10:04', reportTs: '20210817T150955Z', blocking: 'tcp_ip', accessible: false, addr: '104.244.42.1' }),
  ];
  const files: Array<[string, string[]]> = [
    // One hour of US web_connectivity in two cans; the uploader wrote `{}` for a post it could not parse.
    ['raw/20210817/15/US/webconnectivity/2021081715_US_webconnectivity.n0.0.jsonl.gz', [ujsonDumps(us[0]), '{}', ujsonDumps(us[1])]],
    ['raw/20210817/15/US/webconnectivity/2021081715_US_webconnectivity.n0.1.jsonl.gz', [ujsonDumps(us[2])]],
    ['raw/20210817/15/IR/webconnectivity/2021081715_IR_webconnectivity.n1.0.jsonl.gz', ir.map(ujsonDumps)],
  ];
  return {
    files: files.map(([rel, lines]) => {
      const path = join(root, rel);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, gzipSync(Buffer.from(lines.map((l) => `${l}\n`).join(''))));
      return path;
    }),
    measurements: [...us, ...ir],
  };
}

/** Bucket files (`…/raw/YYYYMMDD/HH/CC/testname/*.jsonl.gz`) anywhere under `dir`, a few levels deep. */
function findBucketFiles(dir: string, depth = 0, out: string[] = []): string[] {
  if (depth > 8 || !existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) findBucketFiles(p, depth + 1, out);
    else if (/\/raw\/\d{8}\/\d{2}\/[A-Z]{2}\/[a-z]+\/\d{10}_[A-Z]{2}_[a-z]+\.n\d+\.\d+\.jsonl\.gz$/.test(p)) out.push(p);
  }
  return out;
}

for (const b of backends()) {
  describe(`OONI data as published in the S3 bucket [${b.label}]`, () => {
    let t: TestStore;
    let dir: ReturnType<typeof tempDir>;
    before(async () => {
      t = await b.open();
      dir = tempDir();
    });
    after(async () => {
      await t.cleanup();
      dir.cleanup();
    });

    it('imports one hour of bucket files (ujson escapes, an unparsed post as {}), and again as duplicates', async () => {
      const { files, measurements } = writeBucket(dir.dir);
      const first = runCli(['import', '--format', 'ooni', '--json', '--quiet', ...files], t.env);
      assert.equal(first.status, 0, first.stderr);
      assert.deepEqual(JSON.parse(first.stdout), { rows: 6, imported: 5, duplicates: 0, quarantined: 1 });

      const rows = await t.store.db.selectFrom('probe_measurements')
        .select(['input', 'hostname', 'measured_at', 'probe_cc', 'probe_asn', 'test_name', 'blocking', 'accessible', 'body', 'uid'])
        .orderBy('measured_at').execute();
      assert.equal(rows.length, 5);
      const byInput = new Map(rows.map((r) => [r.input, r]));
      for (const m of measurements) {
        const r = byInput.get(m.input);
        assert.ok(r, `${m.input} stored (slashes unescaped)`);
        const [d, h] = m.measurement_start_time.split(' ');
        assert.equal(Number(r.measured_at), Date.parse(`${d}T${h}Z`), `${m.input}: measurement_start_time read as UTC`);
        assert.equal(r.probe_cc, m.probe_cc);
        assert.equal(r.probe_asn, m.probe_asn);
        assert.equal(r.test_name, 'web_connectivity');
        assert.equal(r.hostname, new URL(m.input).hostname);
        // The published line has no measurement_uid: the identity is report_id + input + time.
        assert.match(r.uid, /^report:[0-9a-f]{64}$/, `${m.input}: keyed by report_id, input and time`);
        const body = JSON.parse(r.body) as typeof m;
        assert.deepEqual(body.test_keys, m.test_keys, `${m.input}: test_keys kept as published`);
        assert.equal(body.probe_network_name, m.probe_network_name, 'non-ASCII from \\u escapes');
      }
      assert.equal(byInput.get('https://www.bbc.com/persian')!.blocking, 'dns');
      assert.equal(byInput.get('https://twitter.com/')!.blocking, 'tcp_ip');
      assert.equal(Number(byInput.get('https://ooni.org/')!.accessible), 1);

      const errors = await t.store.db.selectFrom('import_errors').select(['file', 'line', 'field', 'reason', 'raw']).execute();
      assert.equal(errors.length, 1);
      assert.equal(errors[0]!.file, files[0]);
      assert.equal(Number(errors[0]!.line), 2, 'the {} line, counted in the decompressed file');
      assert.equal(errors[0]!.raw, '{}');
      assert.match(errors[0]!.reason, /missing/);

      const again = runCli(['import', '--format', 'ooni', '--json', '--quiet', ...files], t.env);
      assert.equal(again.status, 0, again.stderr);
      const counts = JSON.parse(again.stdout) as { rows: number; imported: number; duplicates: number; quarantined: number };
      assert.deepEqual({ rows: counts.rows, imported: counts.imported, duplicates: counts.duplicates }, { rows: 6, imported: 0, duplicates: 5 });
      const after = await t.store.db.selectFrom('probe_measurements').select((e) => e.fn.countAll().as('n')).executeTakeFirstOrThrow();
      assert.equal(Number(after.n), 5);
    });
  });
}

const SHARED = resolve(import.meta.dirname, '../../../shared/data');
const published = findBucketFiles(SHARED);
if (!published.length) {
  describe('OONI bucket files from ../shared/data', { skip: `no OONI bucket file (raw/YYYYMMDD/HH/CC/testname/*.jsonl.gz) under ${SHARED}; the in-code bucket fixture above runs instead` }, () => {});
} else {
  describe('OONI bucket files from ../shared/data', () => {
    it(`imports ${published[0]} and accounts for every line`, async () => {
      const [b] = backends();
      const t = await b!.open();
      try {
        const r = runCli(['import', '--format', 'ooni', '--json', '--quiet', published[0]!], t.env);
        assert.equal(r.status, 0, r.stderr);
        const c = JSON.parse(r.stdout) as { rows: number; imported: number; duplicates: number; quarantined: number };
        assert.ok(c.rows > 0);
        assert.equal(c.rows, c.imported + c.duplicates + c.quarantined);
        assert.ok(c.imported > 0, 'real measurements import');
      } finally {
        await t.cleanup();
      }
    });
  });
}
