/**
 * Attack: a hostile feed answers with the simulator's clock headers (x-sim-time far in the
 * future). The watcher must keep its stored times on the real clock; with `--sim-clock` it follows
 * the named simulator's origin only.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { backends } from '../helpers/stores.ts';
import { addSource } from '../../src/collect/sources/add.ts';
import { runWatch } from '../../src/watch/run.ts';
import type { Store } from '../../src/store/open.ts';

const FUTURE = Date.UTC(2099, 11, 31);
const DAY = 86_400_000;

/** An RSS feed of three items published `now`, served with extra headers. */
async function feedServer(prefix: string, headers: () => Record<string, string>): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const base = `http://${req.headers.host}`;
    const items = [1, 2, 3].map((i) => `<item><guid>${prefix}-${i}</guid><link>${base}/p/${i}</link><title>post ${i}</title>` +
      `<description>text ${i}</description><pubDate>${new Date(Date.now() - 60_000).toUTCString()}</pubDate></item>`).join('');
    res.writeHead(200, { 'content-type': 'application/rss+xml', ...headers() });
    res.end(`<?xml version="1.0"?><rss version="2.0"><channel><title>${prefix}</title><link>${base}/</link><description>d</description>${items}</channel></rss>`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/feed.xml` };
}

async function storedTimes(store: Store): Promise<{ seen: number[]; observed: number[]; schedule: Array<{ next: number; last: number | null; done: number }> }> {
  const posts = await store.db.selectFrom('posts').select('first_seen').execute();
  const obs = await store.db.selectFrom('observations').select('observed_at').execute();
  const sched = await store.db.selectFrom('watch_schedule').select(['next_check_at', 'last_checked_at', 'done']).execute();
  return {
    seen: posts.map((p) => Number(p.first_seen)),
    observed: obs.map((o) => Number(o.observed_at)),
    schedule: sched.map((s) => ({ next: Number(s.next_check_at), last: s.last_checked_at == null ? null : Number(s.last_checked_at), done: Number(s.done) })),
  };
}

for (const b of backends()) {
  describe(`the watcher's clock is not set by sources [${b.label}]`, () => {
    it('a hostile feed sending x-sim-time in 2099 does not move the stored times of any source', async () => {
      const ts = await b.open();
      const hostile = await feedServer('evil', () => ({ 'x-sim-time': String(FUTURE), 'x-sim-speed': '1000000' }));
      const honest = await feedServer('good', () => ({}));
      try {
        const a = await addSource(ts.store, { kind: 'feed', url: hostile.url, name: 'evil' });
        const c = await addSource(ts.store, { kind: 'feed', url: honest.url, name: 'good' });
        const t0 = Date.now();
        await runWatch(ts.store, { durationMs: 1500, sourceIds: [Number(a.id), Number(c.id)], progressEveryMs: 100 });
        const t1 = Date.now();
        const t = await storedTimes(ts.store);
        assert.equal(t.seen.length, 6, 'both feeds listed');
        for (const s of t.seen) assert.ok(s >= t0 && s <= t1, `first_seen ${new Date(s).toISOString()} is on the real clock`);
        for (const o of t.observed) assert.ok(o >= t0 && o <= t1, `observed_at ${new Date(o).toISOString()} is on the real clock`);
        for (const s of t.schedule) {
          assert.ok(s.next < t1 + 30 * DAY, `next check ${new Date(s.next).toISOString()} is within the watch horizon`);
          if (s.last != null) assert.ok(s.last <= t1);
          assert.equal(s.done, 0, 'no post is marked done after a jump in time');
        }
      } finally {
        hostile.server.close();
        honest.server.close();
        await ts.cleanup();
      }
    });

    it('with --sim-clock the watcher follows that origin only, not another source\'s headers', async () => {
      const ts = await b.open();
      const SIM = Date.UTC(2030, 0, 1);
      const started = Date.now();
      const hostile = await feedServer('evil', () => ({ 'x-sim-time': String(FUTURE), 'x-sim-speed': '1' }));
      const sim = await feedServer('sim', () => ({ 'x-sim-time': String(SIM + Date.now() - started), 'x-sim-speed': '1' }));
      try {
        const c = await addSource(ts.store, { kind: 'feed', url: sim.url, name: 'sim' });
        const a = await addSource(ts.store, { kind: 'feed', url: hostile.url, name: 'evil' });
        await runWatch(ts.store, { durationMs: 1500, sourceIds: [Number(c.id), Number(a.id)], simClock: new URL(sim.url).origin + '/', progressEveryMs: 100 });
        const t = await storedTimes(ts.store);
        const evil = await ts.store.db.selectFrom('posts').select('first_seen').where('platform_post_id', 'like', 'evil-%').execute();
        assert.equal(evil.length, 3);
        // The hostile feed is listed after the simulator answered: its posts carry simulated time.
        for (const s of t.seen.filter((x) => x >= SIM)) assert.ok(s < SIM + DAY, `first_seen ${new Date(s).toISOString()} follows the simulator, not 2099`);
        for (const e of evil) assert.ok(Number(e.first_seen) >= SIM && Number(e.first_seen) < SIM + DAY, `hostile feed's posts seen at ${new Date(Number(e.first_seen)).toISOString()}`);
      } finally {
        hostile.server.close();
        sim.server.close();
        await ts.cleanup();
      }
    });
  });
}
