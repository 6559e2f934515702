import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpClient, RequestBudget, TransientError, USER_AGENT } from '../../../src/collect/sources/http.ts';
import type { HttpExchange } from '../../../src/archive/types.ts';
import { VirtualClock } from '../../../src/watch/clock.ts';

async function serve(handler: http.RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

describe('HTTP client for live sources', () => {
  it('retries 503/429 with backoff, honours Retry-After, then answers', async () => {
    let n = 0;
    const s = await serve((_req, res) => {
      n++;
      if (n === 1) { res.writeHead(429, { 'retry-after': '30' }); return res.end(); }
      if (n === 2) { res.writeHead(503); return res.end(); }
      res.writeHead(200); res.end('ok');
    });
    const clock = new VirtualClock(0);
    const client = new HttpClient({ policy: { allowPrivate: true }, budget: new RequestBudget(100, clock), clock, backoffMs: 1000 });
    const r = await client.get(s.url);
    await s.close();
    assert.equal(r.status, 200);
    assert.equal(n, 3);
    // 30 s from Retry-After, then the doubled backoff (2 s).
    assert.equal(clock.now(), 32_000);
  });

  it('reports persistent transient failures as TransientError, never as an answer', async () => {
    const s = await serve((_req, res) => { res.writeHead(502); res.end(); });
    const clock = new VirtualClock(0);
    const client = new HttpClient({ policy: { allowPrivate: true }, budget: new RequestBudget(100, clock), clock, attempts: 3 });
    await assert.rejects(client.get(s.url), (e) => e instanceof TransientError && e.httpStatus === 502);
    await s.close();
    const dead = new HttpClient({ policy: { allowPrivate: true }, budget: new RequestBudget(100, clock), clock, attempts: 2 });
    await assert.rejects(dead.get('http://127.0.0.1:1/'), (e) => e instanceof TransientError && e.httpStatus === null);
  });

  it('never exceeds the budget in any sliding minute', async () => {
    const times: number[] = [];
    const clock = new VirtualClock(0);
    const s = await serve((_req, res) => { times.push(clock.now()); res.end('ok'); });
    const client = new HttpClient({ policy: { allowPrivate: true }, budget: new RequestBudget(7, clock), clock });
    for (let i = 0; i < 40; i++) await client.get(s.url);
    await s.close();
    assert.equal(times.length, 40);
    for (const t of times) assert.ok(times.filter((x) => x > t - 60_000 && x <= t).length <= 7);
    assert.ok(clock.now() >= 5 * 60_000, 'the budget made the client wait');
  });
  it('reports every answer to the exchange hook (retried ones, redirects resolved, truncation), and answers the same without it', async () => {
    let n = 0;
    const s = await serve((req, res) => {
      if (req.url === '/moved') { res.writeHead(302, { location: '/page' }); return res.end(); }
      if (req.url === '/big') { res.writeHead(200, { 'content-type': 'text/html' }); return res.end('x'.repeat(5000)); }
      n++;
      if (n === 1) { res.writeHead(503, { 'content-type': 'text/plain' }); return res.end('busy'); }
      res.writeHead(404, { 'content-type': 'application/json', 'x-extra': 'kept' }); res.end('{"error":"Record not found"}');
    });
    const clock = new VirtualClock(1_000);
    const seen: HttpExchange[] = [];
    const client = new HttpClient({ policy: { allowPrivate: true }, budget: new RequestBudget(100, clock), clock, backoffMs: 1000, onExchange: (e) => seen.push(e) });
    const r = await client.get(`${s.url}/moved`, 'application/json');
    const cut = await client.get(`${s.url}/big`, 'text/html', { maxBytes: 100, truncate: true });
    // A hook that throws changes nothing about the answer.
    n = 1;
    const noisy = new HttpClient({ policy: { allowPrivate: true }, budget: new RequestBudget(100, clock), clock, onExchange: () => { throw new Error('hook broke'); } });
    const again = await noisy.get(`${s.url}/page`);
    n = 0;
    const plain = await new HttpClient({ policy: { allowPrivate: true }, budget: new RequestBudget(100, clock), clock, backoffMs: 1000 }).get(`${s.url}/moved`, 'application/json');
    await s.close();
    assert.equal(r.status, 404);
    assert.equal(again.status, 404);
    assert.deepEqual({ status: plain.status, body: plain.body }, { status: r.status, body: r.body });
    assert.equal(seen.length, 3, 'the 503 that was retried, the 404, and the truncated page');
    assert.deepEqual(seen.map((e) => [e.status, e.url]), [[503, `${s.url}/page`], [404, `${s.url}/page`], [200, `${s.url}/big`]]);
    assert.equal(seen[0]!.at, 1_000);
    assert.equal(seen[1]!.at, 2_000, 'the retry was sent after the 1 s backoff');
    assert.equal(seen[1]!.method, 'GET');
    assert.deepEqual(seen[1]!.requestHeaders, { accept: 'application/json', 'user-agent': USER_AGENT });
    assert.equal(new TextDecoder().decode(seen[1]!.body), '{"error":"Record not found"}');
    assert.equal(seen[1]!.responseHeaders.get('x-extra'), 'kept');
    assert.equal(seen[1]!.truncated, false);
    assert.equal(seen[2]!.truncated, true);
    assert.equal(seen[2]!.body.length, 100);
    assert.equal(cut.truncated, true);
  });
});
