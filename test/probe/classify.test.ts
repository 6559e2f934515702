import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { classify, detectInjection, BLOCKING, type Observations } from '../../src/probe/classify/index.ts';
import { headersMatch, titleMatch } from '../../src/probe/classify/http-diff.ts';
import { toFailure, ProbeTimeout } from '../../src/probe/failure.ts';
import { isBogon } from '../../src/probe/dns/bogon.ts';
import type { ControlResponse } from '../../src/probe/control/shapes.ts';

const page = (title: string, len = 2000): string => `<html><head><title>${title}</title></head><body>${'x'.repeat(len)}</body></html>`;

function control(over: Partial<ControlResponse> = {}): ControlResponse {
  const body = page('Real');
  return {
    tcp_connect: { '1.1.1.1:80': { status: true, failure: null } },
    tls_handshake: {},
    http_request: { body_length: body.length, discovered_h3_endpoint: '', failure: null, title: 'Real', headers: { 'X-Site': 'a' }, status_code: 200 },
    dns: { failure: null, addrs: ['1.1.1.1'] },
    ip_info: {},
    ...over,
  };
}

function obs(over: Partial<Observations> = {}): Observations {
  const body = page('Real');
  return {
    url: 'http://a.example/',
    system: { addrs: ['1.1.1.1'], failure: null, t: 0.01 },
    udp: { resolver: '9.9.9.9', hostname: 'a.example', qtype: 'A', answers: [{ t: 0.02, rcode: 'NOERROR', addrs: ['1.1.1.1'], ttls: [300], raw: '' }], failure: null, t0: 0 },
    tcp: [{ ip: '1.1.1.1', port: 80, status: { success: true, failure: null }, t: 0.01 }],
    tls: [],
    http: {
      requests: [], failure: null,
      final: { failure: null, request: { url: 'http://a.example/', method: 'GET', headers: {}, body: '', tor: { is_tor: false, exit_ip: null, exit_name: null } }, response: { code: 200, headers: { 'X-Site': 'a' }, body, body_is_truncated: false, body_length: body.length }, t: 0.1 },
    },
    control: control(),
    controlFailure: null,
    ...over,
  };
}

describe('web-connectivity classification (ts-017 + flags)', () => {
  it('same page as the control is accessible', () => {
    const a = classify(obs());
    assert.equal(a.blocking, false);
    assert.equal(a.accessible, true);
    assert.equal(a.dns_consistency, 'consistent');
    assert.equal(a.x_blocking_flags, BLOCKING.success);
    assert.equal(a.x_verdict, 'reachable');
  });

  it('a forged address the control never saw is DNS blocking', () => {
    const a = classify(obs({ system: { addrs: ['6.6.6.6'], failure: null, t: 0 }, http: null, tcp: [{ ip: '6.6.6.6', port: 80, status: { success: false, failure: 'generic_timeout_error' }, t: 1 }] }));
    assert.equal(a.dns_consistency, 'inconsistent');
    assert.equal(a.blocking, 'dns');
    assert.equal(a.x_verdict, 'blocked');
  });

  it('a bogon answer is inconsistent even when other addresses match', () => {
    const a = classify(obs({ system: { addrs: ['10.0.0.1', '1.1.1.1'], failure: null, t: 0 } }));
    assert.equal(a.dns_consistency, 'inconsistent');
    assert.ok(a.x_dns_flags & 1);
  });

  it('connect failure where the control connected is tcp_ip; RST vs drop named', () => {
    const failed = obs({ tcp: [{ ip: '1.1.1.1', port: 80, status: { success: false, failure: 'connection_refused' }, t: 0 }] });
    failed.http!.failure = 'connection_refused';
    failed.http!.final.failure = 'connection_refused';
    failed.http!.final.response = null;
    const a = classify(failed);
    assert.equal(a.blocking, 'tcp_ip');
    assert.deepEqual(a.x_blocked_how, ['ip-reset']);
  });

  it('failing for the control too is down, not blocked', () => {
    const failed = obs({ tcp: [{ ip: '1.1.1.1', port: 80, status: { success: false, failure: 'connection_refused' }, t: 0 }], control: control({ tcp_connect: { '1.1.1.1:80': { status: false, failure: 'connection_refused' } }, http_request: { body_length: -1, discovered_h3_endpoint: '', failure: 'connection_refused', title: '', headers: {}, status_code: -1 } }) });
    failed.http!.failure = 'connection_refused';
    failed.http!.final.response = null;
    const a = classify(failed);
    assert.equal(a.blocking, false);
    assert.equal(a.accessible, false);
    assert.equal(a.x_verdict, 'down');
  });

  it('a different page (block page) with consistent DNS is http-diff', () => {
    const o = obs();
    const bp = page('Access Denied', 10);
    o.http!.final.response = { code: 200, headers: {}, body: bp, body_is_truncated: false, body_length: bp.length };
    const a = classify(o);
    assert.equal(a.blocking, 'http-diff');
    assert.equal(a.title_match, false);
    assert.ok(a.x_blocked_how.includes('block-page'));
  });

  it('no control: unknown, unless HTTPS verified the page', () => {
    assert.equal(classify(obs({ control: null, controlFailure: 'connection_refused' })).x_verdict, 'unknown');
    const https = obs({ url: 'https://a.example/', control: null, controlFailure: 'connection_refused' });
    https.http!.final.request.url = 'https://a.example/';
    assert.equal(classify(https).accessible, true);
  });

  it('detects raced answers: two replies to one query that disagree', () => {
    const udp = { resolver: 'r', hostname: 'h', qtype: 'A' as const, failure: null, t0: 0, answers: [
      { t: 0.001, rcode: 'NOERROR', addrs: ['6.6.6.6'], ttls: [60], raw: '' },
      { t: 0.15, rcode: 'NOERROR', addrs: ['1.1.1.1'], ttls: [300], raw: '' },
    ] };
    const f = detectInjection(udp, ['1.1.1.1']);
    assert.equal(f.injection, true);
    assert.deepEqual(f.forged_addrs, ['6.6.6.6']);
    assert.equal(f.first_answer_forged, true);
    assert.equal(detectInjection({ ...udp, answers: [udp.answers[1], udp.answers[1]] }, ['1.1.1.1']).injection, false);
  });

  it('flags a known-forged address even when it is the only answer and matches nothing', () => {
    const udp = { resolver: 'r', hostname: 'h', qtype: 'A' as const, failure: null, t0: 0, answers: [{ t: 0.001, rcode: 'NOERROR', addrs: ['31.13.64.1'], ttls: [60], raw: '' }] };
    const f = detectInjection(udp, null, false, new Set(['31.13.64.1']));
    assert.deepEqual(f.forged_addrs, ['31.13.64.1']);
    assert.equal(f.first_answer_forged, true);
    const a = classify(obs({ system: { addrs: ['31.13.64.1', '1.1.1.1'], failure: null, t: 0 }, knownForged: new Set(['31.13.64.1']) }));
    assert.equal(a.dns_consistency, 'inconsistent');
  });
});

describe('OONI\'s HTTP comparisons', () => {
  it('header names: identical sets match, hop-by-hop headers are ignored, an empty side is not comparable', () => {
    assert.equal(headersMatch({ Date: 'a', 'Content-Type': 'b', Connection: 'keep-alive', 'Keep-Alive': 'timeout=5' }, { date: 'c', 'content-type': 'd' }), true);
    assert.equal(headersMatch({ Date: 'a' }, { Date: 'a', 'Content-Length': '5' }), false);
    assert.equal(headersMatch({ Date: 'a', 'X-Site': 'a' }, { Date: 'a', 'Content-Length': '5', 'x-site': 'b' }), true);
    assert.equal(headersMatch({}, { Date: 'a' }), null);
  });
  it('titles: every word of five bytes or more on both sides, in any order and case', () => {
    assert.equal(titleMatch('Default Web Page', 'page web DEFAULT'), true);
    assert.equal(titleMatch('Access Denied', 'Default Web Page'), false);
    assert.equal(titleMatch('', 'Default Web Page'), null);
  });
});

describe('OONI failure strings and bogons', () => {
  it('maps Node errors to OONI failures', () => {
    assert.equal(toFailure({ code: 'ECONNRESET' }), 'connection_reset');
    assert.equal(toFailure({ code: 'ECONNREFUSED' }), 'connection_refused');
    assert.equal(toFailure(new ProbeTimeout('x')), 'generic_timeout_error');
    assert.equal(toFailure({ code: 'ENOTFOUND' }), 'dns_nxdomain_error');
    assert.equal(toFailure({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' }), 'ssl_invalid_hostname');
    assert.equal(toFailure({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), 'ssl_unknown_authority');
    assert.equal(toFailure({ code: 'CERT_HAS_EXPIRED' }), 'ssl_invalid_certificate');
    assert.equal(toFailure(new Error('socket hang up')), 'eof_error');
    assert.equal(toFailure(null), null);
  });
  it('knows bogons, with the lab exception for RFC 5737', () => {
    assert.equal(isBogon('10.10.34.35'), true);
    assert.equal(isBogon('127.0.0.1'), true);
    assert.equal(isBogon('8.8.8.8'), false);
    assert.equal(isBogon('203.0.113.5'), true);
    assert.equal(isBogon('203.0.113.5', { allowTestNets: true }), false);
  });
});

describe('list and duration parsing', async () => {
  const { parseDuration } = await import('../../src/probe/availability/duration.ts');
  const { readTestList } = await import('../../src/probe/availability/test-list.ts');
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  it('parses --every durations', () => {
    assert.equal(parseDuration('6h'), 6 * 3_600_000);
    assert.equal(parseDuration('90s'), 90_000);
    assert.equal(parseDuration('15m'), 900_000);
    assert.equal(parseDuration('2'), 2000);
    assert.throws(() => parseDuration('soon'), /not a duration/);
  });
  it('reads Citizen Lab CSVs (skipping invalid URLs) and plain URL lists', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cs-list-'));
    try {
      writeFileSync(join(dir, 'cl.csv'), 'url,category_code,category_description,date_added,source,notes\nhttps://a.example/,NEWS,News,2020-01-01,x,"a, b"\nnot a url,HUMR,x,2020,x,\n');
      assert.deepEqual(readTestList(join(dir, 'cl.csv')), [{ url: 'https://a.example/', category_code: 'NEWS' }]);
      writeFileSync(join(dir, 'plain.txt'), '# comment\nhttp://b.example/\n\n');
      assert.deepEqual(readTestList(join(dir, 'plain.txt')), [{ url: 'http://b.example/', category_code: null }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
