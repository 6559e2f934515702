/**
 * Attack: a feed on loopback whose items, once they leave the feed, link to an "internal" server
 * on another loopback port (directly, through a redirect from the feed's own origin, by the name
 * `localhost`, as an IPv4-mapped IPv6 address). The watcher must not send it a single request
 * unless `--allow-private` is given, and records the refusal as `blocked_address`.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { backends } from '../helpers/stores.ts';
import { addSource } from '../../src/collect/sources/add.ts';
import { runWatch } from '../../src/watch/run.ts';
import { VirtualClock } from '../../src/watch/clock.ts';

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

async function attack(allowPrivate: boolean, open: () => ReturnType<ReturnType<typeof backends>[number]['open']>) {
  const hits: string[] = [];
  const internal = createServer((req, res) => {
    hits.push(req.url ?? '');
    res.end('secret');
  });
  const internalPort = await listen(internal);
  let served = 0;
  const feed = createServer((req, res) => {
    if (req.url === '/redirect') {
      res.writeHead(302, { location: `http://127.0.0.1:${internalPort}/redirected` });
      return res.end();
    }
    const base = `http://${req.headers.host}`;
    const links = [`http://127.0.0.1:${internalPort}/direct`, `${base}/redirect`, `http://localhost:${internalPort}/named`, `http://[::ffff:127.0.0.1]:${internalPort}/mapped`];
    const when = new Date(Date.now() - 60_000).toUTCString();
    // The first answer lists the items; afterwards they have left the feed, so each is checked at its link.
    const items = (served++ === 0 ? links : []).map((l, i) => `<item><guid>item-${i}</guid><link>${l}</link><title>t${i}</title><pubDate>${when}</pubDate></item>`).join('');
    res.writeHead(200, { 'content-type': 'application/rss+xml' });
    res.end(`<?xml version="1.0"?><rss version="2.0"><channel><title>f</title><link>${base}/</link><description>d</description>` +
      `<item><guid>anchor</guid><link>${base}/anchor</link><title>a</title><pubDate>${when}</pubDate></item>${items}</channel></rss>`);
  });
  const feedPort = await listen(feed);
  const ts = await open();
  try {
    const src = await addSource(ts.store, { kind: 'feed', url: `http://127.0.0.1:${feedPort}/feed.xml`, name: 'hostile' });
    const clock = new VirtualClock(Date.now());
    await runWatch(ts.store, { clock, durationMs: 20 * 60_000, sourceIds: [Number(src.id)], allowPrivate });
    const obs = await ts.store.db.selectFrom('observations').select(['error_code', 'outcome']).execute();
    return { hits, codes: obs.map((o) => o.error_code) };
  } finally {
    internal.close();
    feed.close();
    await ts.cleanup();
  }
}

for (const b of backends()) {
  describe(`SSRF through a feed's links [${b.label}]`, () => {
    it('a post link, a redirect, localhost and a mapped address never reach the internal server', async () => {
      const { hits, codes } = await attack(false, b.open);
      assert.deepEqual(hits, [], `the internal server was asked for ${hits.join(', ')}`);
      assert.ok(codes.filter((c) => c === 'blocked_address').length >= 4, `refusals recorded: ${codes.join(',')}`);
    });

    it('with --allow-private the same links are fetched (the test sees the attack when it works)', async () => {
      const { hits } = await attack(true, b.open);
      for (const path of ['/direct', '/redirected', '/named']) assert.ok(hits.includes(path), `${path} fetched: ${hits.join(', ')}`);
    });
  });
}
