/** The test helper and the probe end to end on 127.0.0.1 (the namespace lab covers censorship). */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestHelper } from '../../src/probe/control/server.ts';
import { ControlResponseSchema } from '../../src/probe/control/shapes.ts';
import { measureUrl } from '../../src/probe/measure.ts';
import { toOoni, OoniEnvelopeSchema } from '../../src/probe/ooni/format.ts';
import { closedPort as closedPortOn } from '../helpers/closed-port.ts';

const PAGE = '<html><head><title>Local site</title></head><body>' + 'hello '.repeat(500) + '</body></html>';

describe('test helper (OONI control protocol) and probe on loopback', () => {
  let site: http.Server;
  let siteUrl = '';
  let closedPort = 0;
  let th: { url: string; close(): Promise<void> };
  before(async () => {
    site = http.createServer((req, res) => {
      if (req.url === '/redirect') {
        res.writeHead(302, { location: '/' });
        return res.end();
      }
      if (req.url?.startsWith('/loop')) {
        res.writeHead(302, { location: `/loop${Number(req.url.slice(5) || 0) + 1}` });
        return res.end();
      }
      if (req.url === '/big') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        return res.end(Buffer.alloc(700 * 1024, 97));
      }
      res.writeHead(200, { 'content-type': 'text/html', 'x-local': '1' });
      res.end(PAGE);
    });
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', () => r()));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    closedPort = await closedPortOn();
    th = await startTestHelper({ timeoutMs: 2000, allowPrivate: true });
  });
  after(async () => {
    await th.close();
    await new Promise<void>((r) => site.close(() => r()));
  });

  it('answers an OONI-shaped request with OONI\'s response shape', async () => {
    const res = await fetch(th.url, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ http_request: `${siteUrl}/redirect`, http_request_headers: { 'User-Agent': ['x'] }, tcp_connect: [siteUrl.slice(7), `127.0.0.1:${closedPort}`] }),
    });
    assert.equal(res.status, 200);
    const body = await res.json() as Record<string, any>;
    for (const k of ['dns', 'tcp_connect', 'tls_handshake', 'http_request', 'ip_info']) assert.ok(k in body, `missing ${k}`);
    const c = ControlResponseSchema.parse(body);
    assert.equal(c.http_request.status_code, 200);
    assert.equal(c.http_request.title, 'Local site');
    assert.equal(c.http_request.body_length, Buffer.byteLength(PAGE));
    assert.equal(c.tcp_connect[siteUrl.slice(7)].status, true);
    assert.deepEqual(c.tcp_connect[`127.0.0.1:${closedPort}`], { status: false, failure: 'connection_refused' });
    assert.deepEqual(c.dns.addrs, ['127.0.0.1']);
  });

  it('reads a response shaped like OONI\'s own test helper (oohelperd)', () => {
    const ooni = { tcp_connect: { '93.184.216.34:443': { status: true, failure: null } }, tls_handshake: { '93.184.216.34:443': { server_name: 'example.com', status: true, failure: null } },
      quic_handshake: {}, http_request: { body_length: 1256, discovered_h3_endpoint: '', failure: null, title: 'Example Domain', headers: { 'Content-Type': 'text/html' }, status_code: 200 },
      http3_request: null, dns: { failure: null, addrs: ['93.184.216.34'] }, ip_info: { '93.184.216.34': { asn: 15133, flags: 11 } } };
    const c = ControlResponseSchema.parse(ooni);
    assert.equal(c.http_request.title, 'Example Domain');
    assert.deepEqual(c.dns.addrs, ['93.184.216.34']);
    assert.equal(ControlResponseSchema.safeParse({ dns: {} }).success, false);
  });

  it('rejects a malformed request with 400', async () => {
    const res = await fetch(th.url, { method: 'POST', body: '{"http_request": 5}' });
    assert.equal(res.status, 400);
    const ftp = await fetch(th.url, { method: 'POST', body: JSON.stringify({ http_request: 'ftp://127.0.0.1/' }) });
    assert.equal(ftp.status, 400);
  });

  it('probe: a working page is reachable; the envelope validates', async () => {
    const m = await measureUrl(`${siteUrl}/`, { thUrl: th.url, timeoutMs: 2000 });
    assert.equal(m.analysis.x_verdict, 'reachable');
    assert.equal(m.analysis.accessible, true);
    const env = OoniEnvelopeSchema.parse(toOoni(m, { probeCc: 'DE', probeAsn: 'AS3320' }));
    assert.equal(env.test_name, 'web_connectivity');
    assert.equal(env.data_format_version, '0.2.0');
    assert.equal((env.test_keys.requests as any[])[0].response.code, 200);
  });

  it('probe: a closed port is down (the control fails too), not blocked', async () => {
    const m = await measureUrl(`http://127.0.0.1:${closedPort}/`, { thUrl: th.url, timeoutMs: 2000 });
    assert.equal(m.analysis.x_verdict, 'down');
    assert.equal(m.analysis.blocking, false);
    assert.equal(m.analysis.http_experiment_failure, 'connection_refused');
  });

  it('probe: follows at most 10 redirects', async () => {
    const m = await measureUrl(`${siteUrl}/loop`, { timeoutMs: 2000 });
    assert.equal(m.http!.failure, 'http_too_many_redirects');
    assert.equal(m.http!.requests.length, 11);
    const ok = await measureUrl(`${siteUrl}/redirect`, { timeoutMs: 2000 });
    assert.equal(ok.http!.final.response!.code, 200);
    assert.equal(ok.http!.requests.length, 2);
  });

  it('probe: bodies are capped at 512 KiB and marked truncated', async () => {
    const m = await measureUrl(`${siteUrl}/big`, { thUrl: th.url, timeoutMs: 2000 });
    const r = m.http!.final.response!;
    assert.equal(r.body_is_truncated, true);
    assert.equal(r.body_length, 512 * 1024);
    assert.equal(m.analysis.x_verdict, 'reachable');
  });
});

describe('test helper abuse (open proxy, port scanner)', () => {
  /** A loopback listener that counts TCP connections and HTTP requests. */
  async function counter(): Promise<{ server: http.Server; port: number; conns: () => number; hits: string[] }> {
    let n = 0;
    const hits: string[] = [];
    const server = http.createServer((req, res) => {
      hits.push(req.url ?? '');
      res.end('<title>internal</title>');
    });
    server.on('connection', () => { n++; });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    return { server, port: (server.address() as AddressInfo).port, conns: () => n, hits };
  }
  const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('one request with 5,001 tcp_connect entries gets at most 16 connections attempted', async () => {
    const target = await counter();
    // Allowed to reach loopback, so only the endpoint limit stands between the request and 5,001 connects.
    const th = await startTestHelper({ timeoutMs: 2000, allowPrivate: true });
    try {
      // 5,001 distinct endpoints on the listener's address (127.x.y.z all reach it), on its port and others.
      const entries = Array.from({ length: 5001 }, (_, i) => `127.0.${Math.floor(i / 250)}.${(i % 250) + 1}:${target.port}`);
      const res = await post(th.url, { http_request: `http://127.0.0.1:${target.port}/`, tcp_connect: entries });
      assert.equal(res.status, 200);
      const body = ControlResponseSchema.parse(await res.json());
      assert.ok(Object.keys(body.tcp_connect).length <= 16, `${Object.keys(body.tcp_connect).length} endpoints measured`);
      // 16 connects plus the HTTP fetch's own connection.
      assert.ok(target.conns() <= 17, `${target.conns()} connections reached the listener`);
    } finally {
      await th.close();
      target.server.close();
    }
  });

  it('refuses loopback and private targets unless started with allowPrivate', async () => {
    const target = await counter();
    const th = await startTestHelper({ timeoutMs: 2000 });
    try {
      const direct = await post(th.url, { http_request: `http://127.0.0.1:${target.port}/secret`, tcp_connect: [`127.0.0.1:${target.port}`] });
      assert.equal(direct.status, 400);
      assert.match(((await direct.json()) as { error: string }).error, /127\.0\.0\.1.*loopback.*--allow-private/);
      for (const url of [`http://[::1]:${target.port}/`, 'http://169.254.169.254/latest/meta-data/', 'http://10.0.0.1/', `http://[::ffff:127.0.0.1]:${target.port}/`]) {
        assert.equal((await post(th.url, { http_request: url })).status, 400, url);
      }
      // A name resolving to loopback: the helper reports its DNS answer but connects nowhere.
      const named = await post(th.url, { http_request: `http://localhost:${target.port}/named`, tcp_connect: [`127.0.0.1:${target.port}`] });
      assert.equal(named.status, 200);
      const c = ControlResponseSchema.parse(await named.json());
      assert.deepEqual(c.tcp_connect, {});
      assert.equal(c.http_request.failure, 'th_refused_private_address');
      // A public-looking request whose probe-sent endpoints are internal connects to none of them.
      assert.equal(target.conns(), 0, 'the internal listener saw no connection');
      assert.deepEqual(target.hits, []);
    } finally {
      await th.close();
      target.server.close();
    }
  });
});
