/**
 * `probe analyse` and the classifier's agreement with OONI: OONI's 50 netem QA scenarios as a
 * peer test suite (real CLI, child process), the measured disagreements as generated
 * measurements, and every published test-keys shape (0.0.1 to 0.5) read back.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { analyseFile, analyseValue } from '../../src/probe/analyse/index.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/censorscope.js');
const QA = resolve(ROOT, '../shared/data/ooni-webconnectivity-qa/qa-measurements.jsonl');

/**
 * Scenarios where OONI's verdict is wrong and ours differs on purpose, each with the argument.
 * Empty: on every QA scenario OONI's verdict holds up and ours agrees.
 */
const OONI_ERRORS: Record<string, string> = {};

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('probe analyse on OONI\'s netem QA scenarios (peer test suite)', { skip: existsSync(QA) ? false : `OONI QA data absent: ${QA} (see ../shared/data/README.md)` }, () => {
  it('agrees with OONI on every scenario except the documented OONI errors', () => {
    const r = cli(['probe', 'analyse', QA, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { measurements: any[]; agreement: any };
    assert.equal(doc.measurements.length, 50);
    assert.equal(doc.agreement.bad_lines, 0);
    for (const m of doc.measurements) {
      assert.ok(m.scenario && m.input && 'probe_cc' in m, 'each row names its scenario, input and probe_cc');
      assert.ok(['blocking', 'accessible'].every((k) => k in m.ooni && k in m.censorscope), 'both verdicts in the documented shape');
      const same = m.ooni.blocking === m.censorscope.blocking && m.ooni.accessible === m.censorscope.accessible;
      assert.equal(m.agree, same);
      if (OONI_ERRORS[m.scenario]) assert.ok(!same, `${m.scenario} is listed as OONI's error but now agrees: remove it from the list`);
      else assert.ok(same, `${m.scenario}: OONI ${JSON.stringify(m.ooni)}, censorscope ${JSON.stringify(m.censorscope)}`);
    }
    assert.equal(doc.agreement.agree, 50 - Object.keys(OONI_ERRORS).length);
  });

  it('prints the side-by-side text report with the agreement table', () => {
    const r = cli(['probe', 'analyse', QA]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^agree\s+httpDiffWithConsistentDNS\s+http:\/\/www\.example\.com\/\s+ooni "http-diff"\/false\s+censorscope "http-diff"\/false blocked$/m);
    assert.match(r.stdout, /^agreement \(/m);
    assert.match(r.stdout, /50 of 50 measurements agree/);
  });
});

// ---- generated OONI measurements, one per measured disagreement (issue 12) -----------------

const CONTROL_PAGE = `<!doctype html><html><head><title>Default Web Page</title></head><body>${'p'.repeat(1400)}</body></html>`;
const BLOCK_188 = '<!doctype html>\n<html>\n<head>\n\t<title>Access Denied</title>\n</head>\n<body>\n<div>\n\t<h1>Access Denied</h1>\n\t<p>This request cannot be served in your jurisdiction.</p>\n</div>\n</body>\n</html>\n';

function control(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    tcp_connect: { '93.184.216.34:80': { status: true, failure: null }, '93.184.216.34:443': { status: true, failure: null } },
    tls_handshake: { '93.184.216.34:443': { server_name: 'www.example.com', status: true, failure: null } },
    http_request: { body_length: Buffer.byteLength(CONTROL_PAGE), failure: null, title: 'Default Web Page', headers: { 'Content-Type': 'text/html', Date: 'x' }, status_code: 200 },
    dns: { failure: null, addrs: ['93.184.216.34'] },
    ...over,
  };
}

/** A 0.5-shaped measurement whose only HTTP transaction got `response` (or failed with `failure`). */
function lte(input: string, o: { response?: { code: number; body: string; headers: Record<string, string> } | null; failure?: string | null; dns?: string | null; addrs?: string[]; control?: Record<string, unknown>; ooni: [unknown, unknown] }): unknown {
  const host = new URL(input).hostname;
  const port = input.startsWith('https') ? 443 : 80;
  const addrs = o.addrs ?? (o.dns ? [] : ['93.184.216.34']);
  return {
    input, probe_cc: 'IT', test_name: 'web_connectivity', test_version: '0.5.28', measurement_start_time: '2024-02-12 20:33:47',
    test_keys: {
      queries: [{ engine: 'getaddrinfo', query_type: 'ANY', hostname: host, failure: o.dns ?? null, answers: addrs.map((ip) => ({ answer_type: 'A', ipv4: ip })) }],
      tcp_connect: addrs.map((ip) => ({ ip, port, status: { success: true, failure: null }, tags: ['depth=0', 'fetch_body=true'] })),
      tls_handshakes: port === 443 ? addrs.map((ip) => ({ address: `${ip}:443`, server_name: host, failure: null, tags: ['depth=0', 'fetch_body=true'] })) : [],
      requests: o.response === undefined && !o.failure ? [] : [{
        address: `${addrs[0]}:${port}`, failure: o.failure ?? null, request: { url: input, method: 'GET' },
        response: o.response ? { code: o.response.code, body: o.response.body, body_is_truncated: false, headers: o.response.headers } : { body: null, code: 0, headers: {} },
        tags: ['depth=0'],
      }],
      control: o.control ?? control(),
      control_failure: null,
      blocking: o.ooni[0], accessible: o.ooni[1],
    },
  };
}

describe('the classifier against OONI on the issue\'s measured cases', () => {
  it('a 188-byte headerless block page is http-diff, not reachable (nothing to compare is not a match)', () => {
    const m = analyseValue(lte('http://www.example.com/', { response: { code: 200, body: BLOCK_188, headers: {} }, ooni: ['http-diff', false] }), 1);
    assert.equal(Buffer.byteLength(BLOCK_188), 188);
    assert.deepEqual(m.censorscope.blocking, 'http-diff', JSON.stringify(m.censorscope));
    assert.ok(m.censorscope.reasons.includes('block-page'));
    assert.ok(!m.censorscope.reasons.some((r) => r.startsWith('headers_match')), 'headers are not comparable with a headerless page');
    assert.equal(m.agree, true);
  });

  it('header names match when identical, or when an uncommon one is on both sides; common-only differences do not match', () => {
    // Only common names on the probe's side, and the control has Alt-Svc and Content-Length (uncommon for OONI).
    const c = control({ http_request: { ...(control().http_request as object), headers: { 'Content-Type': 'text/html', Date: 'x', 'Alt-Svc': 'h3', 'Content-Length': '1533' } } });
    const diff = analyseValue(lte('http://www.example.com/', { response: { code: 200, body: BLOCK_188, headers: { 'Content-Type': 'text/html', Date: 'y' } }, control: c, ooni: ['http-diff', false] }), 1);
    assert.ok(diff.censorscope.reasons.includes('headers_match=false'), diff.censorscope.reasons.join('; '));
    assert.equal(diff.censorscope.blocking, 'http-diff');
    const same = analyseValue(lte('http://www.example.com/', { response: { code: 200, body: BLOCK_188, headers: { 'Content-Type': 'a', Date: 'b', 'Alt-Svc': 'c', 'Content-Length': '188' } }, control: c, ooni: [false, true] }), 1);
    assert.ok(same.censorscope.reasons.includes('headers_match=true'));
    assert.equal(same.censorscope.blocking, false);
  });

  it('a CAPTCHA (503) over HTTPS with a valid certificate is accessible, not blocked', () => {
    const m = analyseValue(lte('https://www.example.com/', { response: { code: 503, body: '<title>Just a moment...</title>' + 'c'.repeat(8000), headers: { 'Cf-Ray': 'x' } }, ooni: [false, true] }), 1);
    assert.deepEqual([m.censorscope.blocking, m.censorscope.accessible, m.censorscope.verdict], [false, true, 'reachable']);
  });

  it('a nonexistent domain (NXDOMAIN here, dns_name_error at OONI\'s helper) is down, not DNS-blocked', () => {
    const c = control({ tcp_connect: {}, tls_handshake: {}, dns: { failure: 'dns_name_error', addrs: [] }, http_request: { body_length: -1, failure: 'dns_lookup_error', title: '', headers: {}, status_code: -1 } });
    const m = analyseValue(lte('http://www.example.xyz/', { dns: 'dns_nxdomain_error', control: c, ooni: [false, false] }), 1);
    assert.deepEqual([m.censorscope.blocking, m.censorscope.accessible, m.censorscope.verdict], [false, false, 'down'], m.censorscope.reasons.join('; '));
  });

  it('dns_no_answer when the control has no addresses either is down, not hijacking', () => {
    const c = control({ tcp_connect: {}, tls_handshake: {}, dns: { failure: null, addrs: [] }, http_request: { body_length: -1, failure: 'dns_lookup_error', title: '', headers: {}, status_code: -1 } });
    const m = analyseValue(lte('http://www.example.com/', { dns: 'dns_no_answer', control: c, ooni: [false, false] }), 1);
    assert.deepEqual([m.censorscope.blocking, m.censorscope.accessible], [false, false], m.censorscope.reasons.join('; '));
    assert.ok(!m.censorscope.reasons.includes('dns-hijack'));
  });

  it('an address literal needs no lookup: an LTE measurement of http://IP/ with the same page is accessible', () => {
    const m = lte('http://93.184.216.34/', { response: { code: 200, body: CONTROL_PAGE, headers: { 'Content-Type': 'text/html', Date: 'x' } }, ooni: [false, true] }) as { test_keys: { queries: unknown[] } };
    m.test_keys.queries = [];
    const a = analyseValue(m, 1);
    assert.deepEqual([a.censorscope.blocking, a.censorscope.accessible], [false, true], a.censorscope.reasons.join('; '));
    assert.ok(a.censorscope.reasons.includes('dns consistent'), a.censorscope.reasons.join('; '));
  });

  it('NXDOMAIN from the system resolver while the control resolved the name is DNS blocking', () => {
    const m = analyseValue(lte('https://www.example.com/', { dns: 'dns_nxdomain_error', ooni: ['dns', false] }), 1);
    assert.deepEqual([m.censorscope.blocking, m.censorscope.accessible], ['dns', false]);
  });
});

// ---- every published test-keys shape -------------------------------------------------------

describe('probe analyse reads every Web Connectivity version OONI published', () => {
  const CTRL_OLD = { tcp_connect: { '93.184.216.34:80': { status: true, failure: null } }, http_request: { body_length: Buffer.byteLength(CONTROL_PAGE), failure: null, title: 'Default Web Page', headers: { 'Content-Type': 'text/html', 'X-Site': 'a' }, status_code: 200 }, dns: { failure: null, addrs: ['93.184.216.34'] } };
  const blockReq = (body: unknown, headers: unknown): unknown => ({ failure: null, request: { url: 'http://www.example.com/', method: 'GET', headers: {}, body: '' }, response: { code: 200, body, headers } });
  const okReq = (extra: Record<string, unknown> = {}): unknown => ({ failure: null, request: { url: 'http://www.example.com/', method: 'GET' }, response: { code: 200, body: CONTROL_PAGE, headers: { 'Content-Type': 'text/html', 'X-Site': 'a' }, ...extra } });
  const base = (version: string, tk: Record<string, unknown>): unknown => ({ input: 'http://www.example.com/', probe_cc: 'RU', test_name: 'web_connectivity', test_version: version, test_keys: tk });
  // Measurement Kit / ooniprobe-legacy (0.0.1–0.1.x): no engine, client_resolver, tcp_connect without tags.
  const v001 = base('0.0.1', {
    client_resolver: '8.8.8.8', queries: [{ hostname: 'www.example.com', query_type: 'A', failure: null, answers: [{ answer_type: 'A', ipv4: '93.184.216.34', ttl: null }], resolver_hostname: null }],
    tcp_connect: [{ ip: '93.184.216.34', port: 80, status: { success: true, failure: null, blocked: false } }],
    requests: [blockReq(BLOCK_188, { 'Content-Type': 'text/html' })], control: CTRL_OLD, control_failure: null, blocking: 'http-diff', accessible: false, body_length_match: false,
  });
  // ooniprobe-legacy 0.1.0 wrote a non-UTF-8 body as {format: base64}; the port as a string in some reports.
  const v010 = base('0.1.0', {
    queries: [{ hostname: 'www.example.com', query_type: 'A', failure: null, answers: [{ answer_type: 'A', ipv4: '93.184.216.34' }] }],
    tcp_connect: [{ ip: '93.184.216.34', port: '80', status: { success: true, failure: null } }],
    requests: [blockReq({ format: 'base64', data: Buffer.from(BLOCK_188, 'latin1').toString('base64') }, { 'Content-Type': 'text/html' })],
    control: CTRL_OLD, blocking: 'http-diff', accessible: false,
  });
  // probe-engine 0.4.x: engine "system", headers_list next to headers, an extra key we do not know.
  const v043 = base('0.4.3', {
    queries: [{ engine: 'system', hostname: 'www.example.com', query_type: 'ANY', failure: null, answers: [{ answer_type: 'A', ipv4: '93.184.216.34', asn: 15133 }] }],
    tcp_connect: [{ ip: '93.184.216.34', port: 80, status: { success: true, failure: null } }],
    requests: [okReq({ headers: undefined, headers_list: [['Content-Type', 'text/html'], ['X-Site', 'a']] })],
    control: { ...CTRL_OLD, ip_info: { '93.184.216.34': { asn: 15133, flags: 11 } } }, control_failure: null, x_status: 2, blocking: false, accessible: true,
  });
  // A control failure (0.4): control is {} and the verdict null.
  const v044 = base('0.4.4', {
    queries: [{ engine: 'system', hostname: 'www.example.com', query_type: 'ANY', failure: null, answers: [{ answer_type: 'A', ipv4: '93.184.216.34' }] }],
    tcp_connect: [{ ip: '93.184.216.34', port: 80, status: { success: true, failure: null } }],
    requests: [okReq()], control: {}, control_failure: 'generic_timeout_error', blocking: null, accessible: null,
  });

  it('classifies each shape, with OONI\'s verdict and ours side by side, bad lines counted with their number', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cs-analyse-'));
    try {
      const f = join(dir, 'mixed.jsonl');
      const qaWrapped = { scenario: 'httpDiffWithConsistentDNS', measurement: lte('http://www.example.com/', { response: { code: 200, body: BLOCK_188, headers: {} }, ooni: ['http-diff', false] }) };
      writeFileSync(f, '\uFEFF' + [v001, v010, '{"input": 5}', v043, 'not json', v044, qaWrapped].map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join('\n') + '\n\n');
      const r = await analyseFile(f);
      assert.deepEqual(r.bad.map((b) => b.line), [3, 5]);
      assert.match(r.bad[0].reason, /field input is invalid/);
      assert.match(r.bad[1].reason, /not JSON/);
      assert.deepEqual(r.measurements.map((m) => [m.line, m.test_version, m.ooni.blocking, m.censorscope.blocking, m.agree]), [
        [1, '0.0.1', 'http-diff', 'http-diff', true],
        [2, '0.1.0', 'http-diff', 'http-diff', true],
        [4, '0.4.3', false, false, true],
        [6, '0.4.4', null, null, true],
        [7, '0.5.28', 'http-diff', 'http-diff', true],
      ]);
      assert.equal(r.measurements[4].scenario, 'httpDiffWithConsistentDNS');
      assert.ok(r.measurements[3].censorscope.reasons.includes('no control: generic_timeout_error'));
      assert.deepEqual({ ...r.agreement, table: undefined }, { lines: 8, measurements: 5, bad_lines: 2, agree: 5, disagree: 0, table: undefined });

      const c = cli(['probe', 'analyse', f, '--json']);
      assert.equal(c.status, 0, c.stderr);
      assert.match(c.stderr, /mixed\.jsonl line 3: not a Web Connectivity measurement: field input/);
      assert.match(c.stderr, /mixed\.jsonl line 5: not JSON/);
      const doc = JSON.parse(c.stdout);
      assert.deepEqual(Object.keys(doc.measurements[0]).filter((k) => ['input', 'probe_cc', 'ooni', 'censorscope'].includes(k)), ['input', 'probe_cc', 'ooni', 'censorscope']);
      assert.deepEqual(Object.keys(doc.measurements[0].censorscope), ['blocking', 'accessible', 'verdict', 'reasons']);
      assert.equal(doc.agreement.bad_lines, 2);
      assert.deepEqual(doc.skipped_lines.map((b: { line: number }) => b.line), [3, 5]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('checks test keys with their version\'s schema and names the bad field', () => {
    const m = lte('http://www.example.com/', { response: { code: 200, body: CONTROL_PAGE, headers: { 'Content-Type': 'text/html', Date: 'x' } }, ooni: [false, true] }) as { test_version: string; test_keys: Record<string, unknown> };
    m.test_keys.client_resolver = 5;
    assert.doesNotThrow(() => analyseValue(m, 1), 'an LTE measurement passes fields it does not know through');
    assert.throws(() => analyseValue({ ...m, test_version: '0.2.0' }, 1), /field test_keys\.client_resolver is invalid/);
    assert.throws(() => analyseValue({ ...m, test_keys: { ...m.test_keys, x_blocking_flags: 'sixteen' } }, 1), /field test_keys\.x_blocking_flags is invalid/);
    assert.throws(() => analyseValue({ ...m, test_keys: { ...m.test_keys, tcp_connect: [{ ip: 1 }] } }, 1), /field test_keys\.tcp_connect\.0\.ip is invalid/);
    assert.throws(() => analyseValue({ ...m, test_name: 'dnscheck' }, 1), /"dnscheck" is not a Web Connectivity measurement/);
  });

  it('fails with a sentence when the file is missing or holds no measurement', () => {
    const r = cli(['probe', 'analyse', '/nonexistent/file.jsonl']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /Cannot read \/nonexistent\/file\.jsonl/);
    const dir = mkdtempSync(join(tmpdir(), 'cs-analyse-'));
    try {
      writeFileSync(join(dir, 'x.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
      const p = cli(['probe', 'analyse', join(dir, 'x.png')]);
      assert.equal(p.status, 1);
      assert.match(p.stderr, /holds no Web Connectivity measurement that could be read/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
