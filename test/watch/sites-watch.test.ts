/**
 * The site watch inside `runWatch`, on both store backends, against real HTTP servers on loopback:
 * the schedule (every 5 s is every 5 s), captures archived and classified by the real classifier,
 * the state and its `state_since` moving only on changes, one finding and one alert per change,
 * webhook retries that deliver exactly once, a hanging webhook that holds nothing up, and two
 * watchers on PostgreSQL never capturing one site twice.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backends } from '../helpers/stores.ts';
import { runWatch } from '../../src/watch/run.ts';
import { VirtualClock } from '../../src/watch/clock.ts';
import { openArchive } from '../../src/archive/index.ts';
import { addSite, setGlobalWebhook } from '../../src/watch/sites/tracked.ts';
import { scriptedSite, webhookServer } from './sites-fixture.ts';
import { govPage, DEFACEMENT } from '../detect/sites/pages.ts';
import { closedPort } from '../helpers/closed-port.ts';

const T0 = Date.UTC(2026, 11, 2, 9, 0, 0);
const NEWS2 = ['县政府召开第十三次常务会议', '关于做好今冬明春森林防火工作的通知', '2026年全县粮食生产再获丰收', '县委书记调研乡村振兴工作', '关于公开征求《城市管理条例》意见的公告'];
const NOT_FOUND = { status: 404, body: '<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>' };

for (const b of backends()) {
  describe(`site watch [${b.label}]`, () => {
    it('captures every 5 s; reachable -> updated -> defaced -> reachable, state_since moving only on changes, one finding and one alert per change, each answer archived', async () => {
      const ts = await b.open();
      const dir = mkdtempSync(join(tmpdir(), 'censorscope-sitewatch-'));
      const pages = [govPage({ visit: 0 }), govPage({ visit: 1, news: NEWS2 }), DEFACEMENT, govPage({ visit: 2, news: NEWS2 })];
      const site = await scriptedSite((n) => ({ body: pages[Math.min(n, pages.length - 1)] }));
      const archive = await openArchive(ts.store, { dir });
      try {
        const { site: row } = await addSite(ts.store, { url: site.url, everyMs: 5000, webhook: 'http://127.0.0.1:9/hook' }, T0);
        const clock = new VirtualClock(T0);
        await runWatch(ts.store, { clock, durationMs: 9000, archive, alerts: false });
        // reachable then updated: one healthy state, so state_since is still the first capture's time.
        const mid = await ts.store.db.selectFrom('tracked_sites').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
        assert.equal(mid.state, 'updated');
        assert.equal(Number(mid.state_since), T0);
        assert.equal((await ts.store.db.selectFrom('findings').select('id').execute()).length, 0, 'no finding for an update');
        await runWatch(ts.store, { clock, durationMs: 10_000, archive, alerts: false });
        const caps = await ts.store.db.selectFrom('site_captures').selectAll().where('site_id', '=', row.id).orderBy('at').execute();
        assert.deepEqual(caps.map((c) => c.verdict), ['reachable', 'updated', 'defaced', 'reachable'], caps.map((c) => `${c.verdict}: ${c.reasons}`).join('\n'));
        assert.deepEqual(caps.map((c) => Number(c.at) - T0), [0, 5000, 10_000, 15_000], 'one capture every 5 s of the clock');
        assert.equal(site.hits.length, 4);
        for (const [i, c] of caps.entries()) {
          assert.equal(Number(c.status), 200);
          assert.equal(c.digest, `sha256:${createHash('sha256').update(pages[i]).digest('hex')}`);
          assert.ok(c.record_id != null, 'archived');
          const back = await archive.read(Number(c.record_id));
          assert.equal(Buffer.from(back.body).toString('utf8'), pages[i], 'the archive holds what was served');
          assert.ok(JSON.parse(c.reasons).length > 0);
        }
        assert.match(JSON.parse(caps[2].reasons).join(' '), /hacked by/i);
        const site2 = await ts.store.db.selectFrom('tracked_sites').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
        assert.equal(site2.state, 'reachable');
        assert.equal(Number(site2.state_since), T0 + 15_000, 'state_since moved at the recovery');
        assert.equal(Number(site2.last_capture_id), Number(caps[3].id));
        assert.equal(Number(site2.next_check_at), T0 + 20_000);
        assert.equal(site2.lease_owner, null);
        const findings = await ts.store.db.selectFrom('findings').selectAll().where('kind', '=', 'site').orderBy('created_at').execute();
        assert.deepEqual(findings.map((f) => [JSON.parse(f.evidence).from, JSON.parse(f.evidence).to, Number(f.created_at) - T0]), [['updated', 'defaced', 10_000], ['defaced', 'reachable', 15_000]]);
        const alerts = await ts.store.db.selectFrom('site_alerts').selectAll().orderBy('id').execute();
        assert.equal(alerts.length, 2);
        const bodies = alerts.map((a) => JSON.parse(a.body));
        assert.deepEqual(bodies[0], {
          event: 'site.state_changed', site: { id: Number(row.id), url: site.url, name: null }, from: 'updated', to: 'defaced',
          at: new Date(T0 + 10_000).toISOString(), reasons: JSON.parse(caps[2].reasons), capture: { id: Number(caps[2].id), status: 200, digest: caps[2].digest },
        });
        assert.equal(bodies[1].to, 'reachable');
        assert.ok(alerts.every((a) => a.url === 'http://127.0.0.1:9/hook' && a.delivered_at === null));
      } finally {
        await archive.close();
        await site.close();
        await ts.cleanup();
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("a site that does not answer is blocked where the probe's latest measurement of its host says so, else down", async () => {
      const ts = await b.open();
      // Nothing listens on these ports: connection refused.
      const gone = { url: `http://127.0.0.1:${await closedPort()}` };
      const other = { url: `http://127.0.0.3:${await closedPort('127.0.0.3')}` };
      try {
        const { site: blockedSite } = await addSite(ts.store, { url: gone.url, everyMs: 3_600_000 }, T0);
        const { site: downSite } = await addSite(ts.store, { url: other.url, everyMs: 3_600_000 }, T0);
        const m = await ts.store.db.insertInto('probe_measurements').values({
          uid: 'test:1', content_sha256: null, origin: 'probe', input: gone.url, hostname: '127.0.0.1', measured_at: T0 - 60_000,
          probe_cc: 'CN', probe_asn: 'AS4134', test_name: 'web_connectivity', blocking: 'tcp_ip', accessible: 0, verdict: 'blocked',
          blocking_flags: 0, how: '[]', body: '{}', created_at: T0,
        }).returning('id').executeTakeFirstOrThrow();
        await runWatch(ts.store, { clock: new VirtualClock(T0), durationMs: 1000, alerts: false });
        const caps = await ts.store.db.selectFrom('site_captures').selectAll().orderBy('site_id').execute();
        const byId = new Map(caps.map((c) => [Number(c.site_id), c]));
        const blocked = byId.get(Number(blockedSite.id))!;
        assert.equal(blocked.verdict, 'blocked', blocked.reasons);
        assert.equal(Number(blocked.probe_measurement_id), Number(m.id));
        assert.equal(blocked.error_code, 'ECONNREFUSED');
        assert.equal(blocked.status, null);
        assert.equal(blocked.digest, null);
        const down = byId.get(Number(downSite.id))!;
        assert.equal(down.verdict, 'down', down.reasons);
        assert.equal(down.probe_measurement_id, null);
      } finally {
        await ts.cleanup();
      }
    });

    it('a webhook that fails twice then succeeds gets exactly one delivery (the global webhook, with backoff)', async () => {
      const ts = await b.open();
      const site = await scriptedSite(() => NOT_FOUND);
      const hook = await webhookServer((n) => (n < 2 ? 500 : 204));
      try {
        await addSite(ts.store, { url: site.url, everyMs: 3_600_000 });
        await setGlobalWebhook(ts.store, hook.url);
        await runWatch(ts.store, { durationMs: 3500, alertBackoffMs: 150 });
        assert.equal(site.hits.length, 1);
        assert.deepEqual(hook.calls.map((c) => c.status), [500, 500, 204]);
        assert.equal(new Set(hook.calls.map((c) => c.body)).size, 1, 'the same alert each time');
        const body = JSON.parse(hook.calls[2].body);
        assert.equal(body.event, 'site.state_changed');
        assert.equal(body.from, null);
        assert.equal(body.to, 'taken_down');
        assert.equal(body.capture.status, 404);
        // Backoff: the second retry waited about twice as long as the first.
        const gaps = [hook.calls[1].at - hook.calls[0].at, hook.calls[2].at - hook.calls[1].at];
        assert.ok(gaps[0] >= 140 && gaps[1] >= 290, `retry gaps ${gaps.join(', ')} ms`);
        const rows = await ts.store.db.selectFrom('site_alerts').selectAll().execute();
        assert.equal(rows.length, 1);
        assert.equal(Number(rows[0].attempts), 3);
        assert.ok(rows[0].delivered_at != null);
        assert.equal(rows[0].last_error, null);
      } finally {
        await hook.close();
        await site.close();
        await ts.cleanup();
      }
    });

    it('an alert left in the outbox by a stopped watcher is delivered by the next run', async () => {
      const ts = await b.open();
      const site = await scriptedSite(() => NOT_FOUND);
      try {
        await addSite(ts.store, { url: site.url, everyMs: 3_600_000, webhook: 'http://127.0.0.1:9/nothing-listens' });
        await runWatch(ts.store, { durationMs: 800, alertBackoffMs: 60_000 });
        const pending = await ts.store.db.selectFrom('site_alerts').selectAll().execute();
        assert.equal(pending.length, 1);
        assert.equal(pending[0].delivered_at, null);
        assert.match(pending[0].last_error ?? '', /ECONNREFUSED/);
        // The receiver comes up; a new watcher (a restart) delivers the queued alert once due.
        const hook = await webhookServer(() => 200);
        try {
          await ts.store.db.updateTable('site_alerts').set({ url: hook.url, next_attempt_at: 0 }).execute();
          await runWatch(ts.store, { durationMs: 1500 });
          assert.equal(hook.calls.length, 1);
          assert.equal(hook.calls[0].body, pending[0].body);
        } finally {
          await hook.close();
        }
      } finally {
        await site.close();
        await ts.cleanup();
      }
    });

    it('a webhook that never answers does not delay the checks', async () => {
      const ts = await b.open();
      const site = await scriptedSite(() => NOT_FOUND);
      const hook = await webhookServer(() => null);
      try {
        await addSite(ts.store, { url: site.url, everyMs: 1000, webhook: hook.url });
        const started = Date.now();
        await runWatch(ts.store, { durationMs: 3500 });
        const took = Date.now() - started;
        assert.equal(hook.calls.length, 1, 'the alert was sent');
        // Captures at 0, 1, 2, 3 s while the webhook call hung (its timeout is 10 s).
        assert.ok(site.hits.length >= 4, `${site.hits.length} captures`);
        const gaps = site.hits.slice(1).map((t, i) => t - site.hits[i]);
        assert.ok(gaps.every((g) => g < 1600), `gaps ${gaps.join(', ')} ms`);
        assert.ok(took < 6000, `the watcher stopped after ${took} ms`);
        const row = await ts.store.db.selectFrom('site_alerts').selectAll().executeTakeFirstOrThrow();
        assert.equal(row.delivered_at, null);
        assert.equal(Number(row.attempts), 0, 'a call cut short by the stop is not a failed attempt');
      } finally {
        await hook.close();
        await site.close();
        await ts.cleanup();
      }
    });

    if (b.label !== 'postgres') return;
    it('two watchers never capture one site twice in one round (SKIP LOCKED), and share the work', async () => {
      const ts = await b.open();
      const second = await ts.reopen();
      // Twelve sites on twelve loopback hosts, each answer taking 150 ms.
      let shared: Awaited<ReturnType<typeof scriptedSite>>;
      const sites = await Promise.all(Array.from({ length: 12 }, (_, i) => scriptedSite(() => ({ body: govPage(), delayMs: 150 }), `127.0.0.${i + 2}`)));
      try {
        // Four pages of one more host, due first: never fetched by both watchers at once.
        shared = await scriptedSite(() => ({ body: govPage(), delayMs: 300 }), '127.0.0.20');
        for (const p of ['a', 'b', 'c', 'd']) await addSite(ts.store, { url: `${shared.url}${p}`, everyMs: 3_600_000 }, Date.now() - 1000);
        for (const s of sites) await addSite(ts.store, { url: s.url, everyMs: 3_600_000 });
        sites.push(shared);
        const events: Array<{ siteId: number; owner: string; start: number; end: number }> = [];
        const watcher = (store: typeof ts.store, owner: string) => runWatch(store, {
          owner, durationMs: 6000, alerts: false, siteBudgetPerMinute: 10_000, onCapture: (e) => { events.push({ ...e, owner }); },
        });
        await Promise.all([watcher(ts.store, 'A'), watcher(second, 'B')]);
        assert.deepEqual([...new Set(events.map((e) => e.owner))].sort(), ['A', 'B'], 'both watchers captured');
        assert.equal(events.length, 16, JSON.stringify(events.map((e) => [e.siteId, e.owner, e.start % 100_000, e.end % 100_000])));
        assert.equal(new Set(events.map((e) => e.siteId)).size, 16, 'no site captured twice');
        assert.ok(sites.slice(0, 12).every((s) => s.hits.length === 1), `hits ${sites.map((s) => s.hits.length).join(',')}`);
        assert.equal(shared.hits.length, 4);
        assert.equal(shared.maxInFlight, 1, 'one request at a time to a host');
        const caps = await ts.store.db.selectFrom('site_captures').select('site_id').execute();
        assert.equal(caps.length, 16);
      } finally {
        await Promise.all(sites.map((s) => s.close()));
        await second.close();
        await ts.cleanup();
      }
    });
  });
}
