/**
 * The watch against a minimal server written here from Mastodon 4.x's documented and coded
 * answers (independent of src/collect/sim), on both backends:
 * - GET /api/v1/statuses/:id: 200 with the status; 404 {"error":"Record not found"} once the
 *   author deleted it, once a moderator removed it, and while its author is suspended
 *   (StatusPolicy#show? refuses a suspended author's statuses).
 * - GET /api/v1/accounts/:id: 200; a suspended account keeps answering 200 with
 *   "suspended": true and an emptied profile; an account record that is gone answers 404.
 * - Timelines leave out what is gone. Outages answer 503 (and 502 from the proxy).
 * Expected: the moderator's removal is `deleted` (never `deleted_by_author`, nor
 * `removed_by_platform`: nothing in the answer says who), the suspended or vanished account's
 * statuses are `account_gone`, and statuses that only answered 5xx for a while stay visible.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { backends, type TestStore } from '../helpers/stores.ts';
import { addSource } from '../../src/collect/sources/add.ts';
import { runWatch } from '../../src/watch/run.ts';
import { VirtualClock } from '../../src/watch/clock.ts';

const START = Date.UTC(2026, 2, 1, 12);
const MIN = 60_000;

interface Acct { id: string; username: string; suspendedAt?: number; purgedAt?: number }
interface St { id: string; account: string; created: number; text: string; goneAt?: number; why?: 'author' | 'moderator'; failing?: [number, number] }

const accounts: Acct[] = [
  { id: '1', username: 'alice' },
  { id: '2', username: 'bob', suspendedAt: START + 30 * MIN },
  { id: '3', username: 'carol' },
  { id: '4', username: 'dave', purgedAt: START + 40 * MIN },
];
const statuses: St[] = [
  { id: '109000000000000001', account: '1', created: START - 10 * MIN, text: 'removed by a moderator', goneAt: START + 20 * MIN, why: 'moderator' },
  { id: '109000000000000002', account: '1', created: START - 9 * MIN, text: 'deleted by its author', goneAt: START + 25 * MIN, why: 'author' },
  { id: '109000000000000003', account: '2', created: START - 8 * MIN, text: 'bob one' },
  { id: '109000000000000004', account: '2', created: START - 7 * MIN, text: 'bob two' },
  { id: '109000000000000005', account: '3', created: START - 6 * MIN, text: 'flaky but here', failing: [START + 5 * MIN, START + 70 * MIN] },
  { id: '109000000000000006', account: '3', created: START - 5 * MIN, text: 'always here' },
  { id: '109000000000000007', account: '4', created: START - 4 * MIN, text: 'dave' },
  { id: '109000000000000008', account: '3', created: START - 3 * MIN, text: 'behind a misrouted proxy' },
];
/** From then on the proxy answers this status's lookups with its own HTML 404 page. */
const PROXY_404 = { id: '109000000000000008', from: START + 15 * MIN };
/** The whole server behind its proxy answers 502/503 in this window. */
const OUTAGE: [number, number] = [START + 90 * MIN, START + 115 * MIN];

function startMastodon(clock: VirtualClock): Promise<{ url: string; server: http.Server; served: () => number[] }> {
  const seen: number[] = [];
  const acctJson = (a: Acct, t: number) => (a.suspendedAt != null && a.suspendedAt <= t
    ? { id: a.id, username: a.username, acct: a.username, display_name: '', locked: false, bot: false, note: '', fields: [], emojis: [], followers_count: 0, following_count: 0, statuses_count: 0, suspended: true }
    : { id: a.id, username: a.username, acct: a.username, display_name: a.username.toUpperCase(), locked: false, bot: false, note: '<p>hi</p>', fields: [], emojis: [], followers_count: 3, following_count: 1, statuses_count: 2 });
  const unavailable = (a: Acct, t: number) => (a.suspendedAt != null && a.suspendedAt <= t) || (a.purgedAt != null && a.purgedAt <= t);
  const visible = (s: St, t: number) => s.created <= t && !(s.goneAt != null && s.goneAt <= t) && !unavailable(accounts.find((a) => a.id === s.account)!, t);
  const statusJson = (s: St, t: number) => ({
    id: s.id, created_at: new Date(s.created).toISOString(), edited_at: null, content: `<p>${s.text}</p>`, visibility: 'public',
    url: `https://masto.example/@x/${s.id}`, uri: `https://masto.example/users/x/statuses/${s.id}`, language: 'en', in_reply_to_id: null,
    account: acctJson(accounts.find((a) => a.id === s.account)!, t), tags: [], mentions: [], reblog: null,
  });
  const server = http.createServer((req, res) => {
    const t = clock.now();
    seen.push(t);
    const send = (code: number, body: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    };
    const u = new URL(req.url ?? '/', 'http://x');
    if (t >= OUTAGE[0] && t < OUTAGE[1]) {
      if (seen.length % 2) return send(503, { error: 'Service Unavailable' });
      res.writeHead(502, { 'content-type': 'text/html' });
      return res.end('<html><body>502 Bad Gateway</body></html>');
    }
    let m: RegExpMatchArray | null;
    if (u.pathname === '/api/v1/timelines/public') {
      const min = u.searchParams.get('min_id');
      const page = statuses.filter((s) => visible(s, t) && (!min || BigInt(s.id) > BigInt(min))).slice(0, 40).reverse();
      return send(200, page.map((s) => statusJson(s, t)));
    }
    if ((m = u.pathname.match(/^\/api\/v1\/statuses\/(\d+)$/))) {
      const s = statuses.find((x) => x.id === m![1]);
      if (s?.id === PROXY_404.id && t >= PROXY_404.from) {
        res.writeHead(404, { 'content-type': 'text/html' });
        return res.end('<html><body><h1>404 Not Found</h1>nginx</body></html>');
      }
      if (s?.failing && t >= s.failing[0] && t < s.failing[1]) return send(500, { error: 'Internal Server Error' });
      return s && visible(s, t) ? send(200, statusJson(s, t)) : send(404, { error: 'Record not found' });
    }
    if ((m = u.pathname.match(/^\/api\/v1\/accounts\/(\d+)$/))) {
      const a = accounts.find((x) => x.id === m![1]);
      return a && !(a.purgedAt != null && a.purgedAt <= t) ? send(200, acctJson(a, t)) : send(404, { error: 'Record not found' });
    }
    return send(404, { error: 'Record not found' });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, served: () => seen });
  }));
}

for (const b of backends()) {
  describe(`watch against a server answering as Mastodon 4.x [${b.label}]`, () => {
    let ts: TestStore;
    let srv: Awaited<ReturnType<typeof startMastodon>>;
    before(async () => {
      ts = await b.open();
      const clock = new VirtualClock(START);
      srv = await startMastodon(clock);
      await addSource(ts.store, { kind: 'mastodon', url: srv.url, public: true, budgetPerMinute: 60 });
      await runWatch(ts.store, { clock, durationMs: 3 * 3_600_000 });
    });
    after(async () => {
      srv.server.closeAllConnections();
      await new Promise<void>((r) => srv.server.close(() => r()));
      await ts.cleanup();
    });

    const statusOf = async () => {
      const rows = await ts.store.db.selectFrom('posts').leftJoin('disappearances as d', 'd.post_id', 'posts.id')
        .select(['posts.platform_post_id', 'posts.status', 'd.kind', 'd.last_seen_at', 'd.first_missing_at']).execute();
      return new Map(rows.map((r) => [r.platform_post_id, r]));
    };

    it("records a moderator's removal and an author's deletion alike as `deleted`, inside [last seen, first missing]", async () => {
      const got = await statusOf();
      assert.equal(got.size, statuses.length, 'every status was listed');
      for (const s of statuses.filter((x) => x.why)) {
        const r = got.get(s.id)!;
        assert.deepEqual([r.status, r.kind], ['deleted', 'deleted'], `${s.why}'s removal of ${s.id}`);
        assert.ok(Number(r.last_seen_at) < s.goneAt! && s.goneAt! <= Number(r.first_missing_at));
      }
      const attributed = await ts.store.db.selectFrom('posts').select('platform_post_id')
        .where('status', 'in', ['deleted_by_author', 'removed_by_platform']).execute();
      assert.deepEqual(attributed, [], 'no answer of Mastodon names who removed a status');
    });

    it("records a suspended account's statuses and a vanished account's as `account_gone`", async () => {
      const got = await statusOf();
      for (const id of ['109000000000000003', '109000000000000004', '109000000000000007']) {
        assert.deepEqual([got.get(id)!.status, got.get(id)!.kind], ['account_gone', 'account_gone'], id);
      }
      const accts = await ts.store.db.selectFrom('accounts').select(['platform_account_id', 'status']).orderBy('platform_account_id').execute();
      assert.deepEqual(accts.filter((a) => a.platform_account_id === '2' || a.platform_account_id === '4').map((a) => a.status), ['suspended', 'gone']);
    });

    it('never turns 5xx answers, nor a 404 page that is not Mastodon\'s, into a disappearance', async () => {
      const got = await statusOf();
      for (const id of ['109000000000000005', '109000000000000006', PROXY_404.id]) assert.deepEqual([got.get(id)!.status, got.get(id)!.kind], ['visible', null], id);
      // The 5xx paths were really taken: the flaky status and the outage produced transient observations.
      const transient = await ts.store.db.selectFrom('observations as o').innerJoin('posts as p', 'p.id', 'o.post_id')
        .select(['p.platform_post_id', 'o.observed_at', 'o.http_status']).where('o.outcome', '=', 'transient').execute();
      assert.ok(transient.some((o) => o.platform_post_id === '109000000000000005' && Number(o.http_status) === 500), 'the flaky status was checked while failing');
      assert.ok(transient.some((o) => Number(o.observed_at) >= OUTAGE[0] && Number(o.observed_at) < OUTAGE[1] + 5 * MIN), 'checks ran into the outage');
      const visibleAfter = await ts.store.db.selectFrom('observations as o').innerJoin('posts as p', 'p.id', 'o.post_id')
        .select('o.observed_at').where('p.platform_post_id', '=', '109000000000000006').where('o.outcome', '=', 'visible')
        .where('o.observed_at', '>=', OUTAGE[1]).execute();
      assert.ok(visibleAfter.length > 0, 'seen again after the outage');
      const proxied = await ts.store.db.selectFrom('observations as o').innerJoin('posts as p', 'p.id', 'o.post_id')
        .select(['o.outcome', 'o.error_code']).where('p.platform_post_id', '=', PROXY_404.id).where('o.observed_at', '>=', PROXY_404.from).execute();
      assert.ok(proxied.length > 1 && proxied.every((o) => o.outcome !== 'deleted'), JSON.stringify(proxied.slice(0, 3)));
      assert.ok(proxied.some((o) => o.error_code === 'not_a_mastodon_answer'));
    });
  });
}
