/** The outbound-fetch module's address, redirect, size and stop policies, attacked on loopback. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { safeFetch, BlockedAddressError, TooLargeError, FetchError } from '../../src/net/fetch.ts';
import { internalAddressReason, configOrigins } from '../../src/net/address-policy.ts';

async function serve(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; origin: string; hits: string[] }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    handler!(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
}

describe('address policy', () => {
  it('calls internal every loopback, private, link-local, CGNAT, mapped, multicast and unspecified address', () => {
    for (const ip of ['127.0.0.1', '127.8.9.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1',
      '0.0.0.0', '0.1.2.3', '224.0.0.1', '255.255.255.255', '::1', '::', 'fd00::1', 'fc00::1', 'fe80::1', 'ff02::1', '::ffff:127.0.0.1',
      '::ffff:10.0.0.1', '::ffff:a9fe:a9fe', '[::1]']) {
      assert.ok(internalAddressReason(ip), `${ip} is internal`);
    }
    for (const ip of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2001:4860:4860::8888', '2a00:1450::1']) {
      assert.equal(internalAddressReason(ip), null, `${ip} is public`);
    }
  });

  it("collects a source config's own origins, templates included", () => {
    assert.deepEqual(configOrigins({ url: 'http://127.0.0.1:8080/feed', check: { url: 'https://api.example/s/{id}' }, n: 3 }).sort(),
      ['http://127.0.0.1:8080', 'https://api.example'].sort());
  });
});

describe('safeFetch', () => {
  it('refuses loopback by address and by name, and sends nothing', async () => {
    const s = await serve((_q, r) => r.end('secret'));
    try {
      const port = new URL(s.origin).port;
      for (const url of [`${s.origin}/a`, `http://localhost:${port}/b`, `http://[::ffff:127.0.0.1]:${port}/c`, `http://[::ffff:7f00:1]:${port}/d`]) {
        await assert.rejects(safeFetch(url, { policy: {} }), BlockedAddressError, url);
      }
      await assert.rejects(safeFetch('file:///etc/passwd', { policy: { allowPrivate: true } }), BlockedAddressError);
      assert.deepEqual(s.hits, []);
    } finally {
      s.server.close();
    }
  });

  it('allows a configured origin but checks every redirect hop against the policy', async () => {
    const inner = await serve((_q, r) => r.end('secret'));
    const outer = await serve((q, r) => {
      if (q.url === '/go') {
        r.writeHead(302, { location: `${inner.origin}/x` });
        return r.end();
      }
      r.end('ok');
    });
    try {
      const ok = await safeFetch(`${outer.origin}/page`, { policy: { allowOrigins: [outer.origin] } });
      assert.equal(Buffer.from(ok.bytes).toString(), 'ok');
      await assert.rejects(safeFetch(`${outer.origin}/go`, { policy: { allowOrigins: [outer.origin] } }), BlockedAddressError);
      assert.deepEqual(inner.hits, []);
      const followed = await safeFetch(`${outer.origin}/go`, { policy: { allowPrivate: true } });
      assert.equal(followed.url, `${inner.origin}/x`);
      assert.deepEqual(inner.hits, ['/x']);
    } finally {
      inner.server.close();
      outer.server.close();
    }
  });

  it('stops redirect loops, oversized bodies, slow servers and stopped requests', async () => {
    const s = await serve((q, r) => {
      if (q.url === '/loop') {
        r.writeHead(302, { location: '/loop' });
        return r.end();
      }
      if (q.url === '/big') return r.end(Buffer.alloc(2_000_000));
      if (q.url === '/slow') return void setTimeout(() => r.end('late'), 5000).unref();
      r.end('ok');
    });
    const policy = { allowPrivate: true };
    try {
      await assert.rejects(safeFetch(`${s.origin}/loop`, { policy, maxRedirects: 3 }), (e: FetchError) => e.code === 'too_many_redirects');
      assert.equal(s.hits.filter((h) => h === '/loop').length, 4);
      await assert.rejects(safeFetch(`${s.origin}/big`, { policy, maxBytes: 1_000_000 }), TooLargeError);
      await assert.rejects(safeFetch(`${s.origin}/slow`, { policy, timeoutMs: 200 }), (e: FetchError) => e.code === 'timeout');
      const ac = new AbortController();
      const t0 = Date.now();
      setTimeout(() => ac.abort(), 100);
      await assert.rejects(safeFetch(`${s.origin}/slow`, { policy, signal: ac.signal }), (e: FetchError) => e.code === 'aborted');
      assert.ok(Date.now() - t0 < 2000, 'the stop ends the request at once');
    } finally {
      s.server.closeAllConnections();
      s.server.close();
    }
  });
});
