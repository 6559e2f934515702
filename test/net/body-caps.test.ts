/**
 * Endless answers against every kind of outbound fetch (issue 13): a loopback server streams a
 * body that never ends, and each fetch (feed, Mastodon, http-json, a feed item's link re-check,
 * the probe, the extraction oracle, the test helper's control) must stop reading at its own cap,
 * fail with a sentence where the answer is unusable, and keep memory bounded.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BODY_CAPS, TooLargeError } from '../../src/net/fetch.ts';
import { HttpClient, RequestBudget } from '../../src/collect/sources/http.ts';
import { createDriver } from '../../src/collect/sources/registry.ts';
import { VirtualClock } from '../../src/watch/clock.ts';
import { httpGet } from '../../src/probe/http.ts';
import { HttpOracle, HttpOracleConfig } from '../../src/detect/extract/http-oracle.ts';
import { queryControl } from '../../src/probe/control/client.ts';
import { UserError } from '../../src/util/errors.ts';

// What the kernel's loopback socket buffers may hold beyond what the client read.
const SLACK = 12 << 20;
// The server gives up here, so a fetch without a cap ends the test instead of the machine.
const SERVER_LIMIT = 256 << 20;

const SMALL_FEED = '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><guid>a</guid><title>still here</title><link>/x</link></item></channel></rss>';

describe('body caps against an endless answer', () => {
  let server: Server;
  let origin = '';
  const sent = new Map<string, number>();
  let rssBefore = 0;
  let rssPeak = 0;
  const sample = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 20);

  before(async () => {
    rssBefore = process.memoryUsage().rss;
    server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/small-feed') {
        res.writeHead(200, { 'content-type': 'application/rss+xml' });
        res.end(SMALL_FEED);
        return;
      }
      req.resume();
      const json = !path.startsWith('/feed') && !path.startsWith('/item') && !path.startsWith('/page');
      res.writeHead(200, { 'content-type': json ? 'application/json' : path === '/feed' ? 'application/rss+xml' : 'text/html' });
      const head = json ? '[' : path === '/feed' ? '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>' : '<html><title>t</title><body>';
      const piece = Buffer.from((json ? '{"id":"1","content":"x"},' : '<p>endless</p>').repeat(4096));
      let total = 0;
      let closed = false;
      res.on('close', () => (closed = true));
      res.write(head);
      const pump = (): void => {
        while (!closed && total < SERVER_LIMIT) {
          total += piece.length;
          sent.set(path, total);
          if (!res.write(piece)) {
            res.once('drain', pump);
            return;
          }
        }
        if (!closed) res.end();
      };
      pump();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    clearInterval(sample);
    server.closeAllConnections();
    server.close();
  });

  const client = () => {
    const clock = new VirtualClock(0);
    return { http: new HttpClient({ policy: { allowPrivate: true }, budget: new RequestBudget(1000, clock), clock, attempts: 2 }), clock };
  };
  const assertStoppedNear = (path: string, cap: number) => {
    const n = sent.get(path) ?? 0;
    assert.ok(n <= cap + SLACK, `${path}: the server got to send ${Math.round(n / 2 ** 20)} MiB against a cap of ${Math.round(cap / 2 ** 20)} MiB`);
  };

  it('feed: refused with a sentence past 20 MiB, not retried', async () => {
    const { http, clock } = client();
    const feed = createDriver({ kind: 'feed', name: 'f', config: JSON.stringify({ url: `${origin}/feed` }) }, http, clock);
    await assert.rejects(feed.listNew(null), (err: Error) => err instanceof TooLargeError && /answered more than 20971520 bytes; refusing to read it\./.test(err.message));
    assert.equal(http.budget.used, 1);
    assertStoppedNear('/feed', BODY_CAPS.feed.maxBytes);
  });

  it('mastodon: refused past 8 MiB', async () => {
    const { http, clock } = client();
    const m = createDriver({ kind: 'mastodon', name: 'm', config: JSON.stringify({ url: origin, public: true }) }, http, clock);
    await assert.rejects(m.listNew(null), (err: Error) => err instanceof TooLargeError && /answered more than 8388608 bytes/.test(err.message));
    assertStoppedNear('/api/v1/timelines/public', BODY_CAPS.mastodon.maxBytes);
  });

  it('http-json: refused past 16 MiB', async () => {
    const { http, clock } = client();
    const config = { list: { url: `${origin}/list`, fields: { id: 'id', text: 'content' } }, check: { url: `${origin}/check/{id}`, rules: [{ status: 404, outcome: 'deleted_by_author' }] } };
    const j = createDriver({ kind: 'http-json', name: 'j', config: JSON.stringify(config) }, http, clock);
    await assert.rejects(j.listNew(null), (err: Error) => err instanceof TooLargeError && /answered more than 16777216 bytes/.test(err.message));
    assertStoppedNear('/list', BODY_CAPS['http-json'].maxBytes);
  });

  it("a feed item's link re-check reads the first MiB only and still answers", async () => {
    const { http, clock } = client();
    const feed = createDriver({ kind: 'feed', name: 'f2', config: JSON.stringify({ url: `${origin}/small-feed` }) }, http, clock);
    const r = await feed.checkPost({ platformPostId: 'gone-from-feed', url: `${origin}/item/1`, accountPlatformId: null });
    assert.equal(r.outcome, 'visible', 'a page still served is a ghost, not unknown');
    assertStoppedNear('/item/1', BODY_CAPS.recheck.maxBytes);
  });

  it('the probe keeps 512 KiB of the page, marked truncated', async () => {
    const r = await httpGet(`${origin}/page`, { timeoutMs: 10_000 });
    assert.equal(r.final.response?.body_is_truncated, true);
    assert.equal(r.final.response?.body_length, BODY_CAPS.probe.maxBytes);
    assertStoppedNear('/page', BODY_CAPS.probe.maxBytes);
  });

  it('the extraction oracle fails with a sentence past 1 MiB', async () => {
    const oracle = new HttpOracle(HttpOracleConfig.parse({ url: `${origin}/oracle?q={{text}}`, censoredWhen: { status: [403] }, ratePerSecond: 100, retries: 0 }));
    await assert.rejects(oracle.isCensored('hello'), (err: Error) => err instanceof UserError && /cannot be asked: .*answered more than 1048576 bytes/.test(err.message));
    assertStoppedNear('/oracle', BODY_CAPS.oracle.maxBytes);
  });

  it("the test helper's control answer fails past 4 MiB", async () => {
    const r = await queryControl(`${origin}/th`, 'https://example.org/', [], 10_000);
    assert.equal(r.control, null);
    assert.equal(r.failure, 'http_response_too_large');
    assertStoppedNear('/th', BODY_CAPS.control.maxBytes);
  });

  it('memory stayed bounded through all of them', () => {
    const growth = rssPeak - rssBefore;
    assert.ok(growth < 200 << 20, `RSS grew by ${Math.round(growth / 2 ** 20)} MiB`);
  });
});
