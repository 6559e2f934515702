/**
 * Attacks on the server's edges over loopback: a DNS-rebinding Host header, malformed URLs and
 * malformed HTTP (answered by Fastify itself before any hook), an unknown path, the dashboard's
 * cache headers, and the rate limit's message. Every error must have the one error shape and the
 * security headers.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { backends, type TestStore } from '../helpers/stores.ts';
import { CSP, startServer, type RunningServer } from '../../src/serve/server.ts';
import { seedObservatory } from '../../src/serve/fixtures.ts';
import { ensureWebBundle } from '../../src/serve/web-build.ts';

interface Answer { status: number; headers: Record<string, string | string[] | undefined>; text: string }

/** GET with a Host header of our choosing (fetch would not let us set it). */
function get(server: RunningServer, path: string, host?: string): Promise<Answer> {
  const u = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, headers: { host: host ?? u.host } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c) => { text += c; }).on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }));
    });
    req.on('error', reject).end();
  });
}

/** Writes raw bytes to the server and reads the whole answer. */
function raw(server: RunningServer, bytes: string): Promise<string> {
  const u = new URL(server.url);
  return new Promise((resolve, reject) => {
    let text = '';
    const s = connect(Number(u.port), u.hostname, () => s.write(bytes));
    s.setEncoding('utf8').on('data', (c) => { text += c; }).on('close', () => resolve(text)).on('error', reject);
  });
}

function assertErrorShape(a: Answer, status: number, code?: string): void {
  assert.equal(a.status, status, a.text);
  assert.equal(a.headers['content-security-policy'], CSP, 'errors carry the CSP');
  assert.equal(a.headers['x-content-type-options'], 'nosniff');
  const body = JSON.parse(a.text) as { error: { status: number; code: string; message: string } };
  assert.deepEqual(Object.keys(body), ['error']);
  assert.equal(body.error.status, status);
  if (code) assert.equal(body.error.code, code);
  assert.match(body.error.message, /^[A-Z].*\.$/, 'the message is a sentence');
}

for (const b of backends()) {
  describe(`server edges under attack [${b.label}]`, () => {
    let ts: TestStore;
    let server: RunningServer;
    before(async () => {
      await ensureWebBundle();
      ts = await b.open();
      await seedObservatory(ts.store, { posts: 50, seed: 5 });
      server = await startServer(ts.store, { port: 0, allowedHosts: ['observatory.example'] });
    });
    after(async () => {
      await server?.close();
      await ts?.cleanup();
    });

    it('refuses a DNS-rebinding Host header on the API and the dashboard, and answers to the expected names', async () => {
      const port = new URL(server.url).port;
      for (const path of ['/api/overview', '/api/sources', '/', '/posts']) {
        assertErrorShape(await get(server, path, `rebind.attacker.example:${port}`), 421, 'unknown_host');
      }
      assertErrorShape(await get(server, '/api/overview', 'attacker.example'), 421, 'unknown_host');
      assertErrorShape(await get(server, '/api/overview', `127.0.0.1.attacker.example:${port}`), 421, 'unknown_host');
      for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`, 'observatory.example', `observatory.example:${port}`]) {
        assert.equal((await get(server, '/api/overview', host)).status, 200, host);
      }
    });

    it('answers a malformed URL in the one error shape with the security headers', async () => {
      for (const path of ['/api/posts/%zz', '/%E0%A4%A']) assertErrorShape(await get(server, path), 400, 'fst_err_bad_url');
    });

    it('answers an unknown path and malformed HTTP in the one error shape with the security headers', async () => {
      assertErrorShape(await get(server, '/no/such/page'), 404, 'not_found');
      const answer = await raw(server, 'GET / HTTP/1.1\r\nHost: localhost\r\nthis is not a header\r\n\r\n');
      const [head, body] = answer.split('\r\n\r\n');
      assert.match(head!, /^HTTP\/1\.1 400 /);
      assert.ok(head!.includes(`Content-Security-Policy: ${CSP}`), head);
      assert.equal(JSON.parse(body!).error.code, 'bad_request');
    });

    it('sends index.html with no-cache on every route, hashed assets with a max-age', async () => {
      for (const path of ['/', '/posts', '/index.html']) {
        const a = await get(server, path);
        assert.equal(a.status, 200, path);
        assert.equal(a.headers['cache-control'], 'no-cache', `${path} must be revalidated`);
      }
      const index = (await get(server, '/')).text;
      const asset = /(?:src|href)="\/?(assets\/[^"]+\.js)"/.exec(index)?.[1];
      assert.ok(asset, 'index.html names a script');
      assert.match(String((await get(server, `/${asset}`)).headers['cache-control']), /max-age=3600/);
    });
  });
}

describe('rate limit message', () => {
  it('says how many requests per window are allowed, as a correct sentence', async () => {
    const ts = await backends()[0]!.open();
    const server = await startServer(ts.store, { port: 0, rateLimit: { max: 3, timeWindowMs: 60_000 } });
    try {
      let last: Answer | undefined;
      for (let i = 0; i < 4; i++) last = await get(server, '/api/sources');
      assertErrorShape(last!, 429, 'rate_limited');
      assert.match(JSON.parse(last!.text).error.message, /^Too many requests: this server answers at most 3 requests per 1 minute from one address; retry in \d+ (second|minute)s?\.$/);
    } finally {
      await server.close();
      await ts.cleanup();
    }
  });
});
