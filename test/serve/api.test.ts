import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backends, type TestStore } from '../helpers/stores.ts';
import { startServer, type RunningServer } from '../../src/serve/server.ts';
import { seedObservatory, XSS_TEXTS, type Seeded } from '../../src/serve/fixtures.ts';

const TOKEN = 'test-token-123';

for (const b of backends()) {
  describe(`serve API [${b.label}]`, () => {
    let ts: TestStore;
    let server: RunningServer;
    let seeded: Seeded;
    const get = async (path: string) => {
      const res = await fetch(server.url + path);
      return { status: res.status, headers: res.headers, body: (await res.json()) as any };
    };

    before(async () => {
      ts = await b.open();
      seeded = await seedObservatory(ts.store, { posts: 2000, seed: 7 });
      server = await startServer(ts.store, { port: 0, token: TOKEN, rateLimit: { max: 10_000, timeWindowMs: 10_000 } });
    });
    after(async () => {
      await server?.close();
      await ts?.cleanup();
    });

    it('counts posts and statuses on the overview', async () => {
      const r = await get('/api/overview');
      assert.equal(r.status, 200);
      assert.equal(r.body.posts, 2002);
      const sum = Object.values(r.body.byStatus as Record<string, number>).reduce((a, c) => a + c, 0);
      assert.equal(sum, 2002);
      assert.ok(r.body.byStatus.removed_by_platform > 40);
      assert.ok(r.body.byStatus.deleted > 5, 'the actor-unknown status is counted on its own');
      assert.equal(r.body.findings.campaign, 2);
    });

    it('pages posts newest first without overlap, and filters by status, account and text', async () => {
      const p1 = await get('/api/posts?limit=50');
      assert.equal(p1.body.items.length, 50);
      const p2 = await get(`/api/posts?limit=50&before=${p1.body.next}`);
      // Newest first by the post's own time, ties by id (the seed's XSS posts are the newest ids but an hour old).
      const both = [...p1.body.items, ...p2.body.items];
      const ids = both.map((p: any) => p.id);
      assert.deepEqual(both, [...both].sort((a: any, c: any) => c.created_at - a.created_at || c.id - a.id));
      assert.equal(new Set(ids).size, 100);

      const removed = await get('/api/posts?status=removed_by_platform&limit=200');
      assert.ok(removed.body.items.length > 10);
      assert.ok(removed.body.items.every((p: any) => p.status === 'removed_by_platform'));
      const deleted = await get('/api/posts?status=deleted&limit=200');
      assert.equal(deleted.status, 200);
      assert.ok(deleted.body.items.length > 5 && deleted.body.items.every((p: any) => p.status === 'deleted'));

      const acct = removed.body.items[0].account_id;
      const byAccount = await get(`/api/posts?account=${acct}&limit=200`);
      assert.ok(byAccount.body.items.length >= 1);
      assert.ok(byAccount.body.items.every((p: any) => p.account_id === acct));

      const q = await get(`/api/posts?q=${encodeURIComponent('post 1234')}`);
      assert.deepEqual(q.body.items.map((p: any) => p.text.endsWith('post 1234')), [true]);
      // LIKE wildcards are escaped: "%" matches only a literal percent sign.
      const pct = await get('/api/posts?q=%25');
      assert.equal(pct.body.items.length, 0);
    });

    it('filters by time range', async () => {
      const all = await get('/api/posts?limit=200');
      const t = all.body.items[100].created_at as number;
      const r = await get(`/api/posts?from=${t}&limit=200`);
      assert.ok(r.body.items.length > 0 && r.body.items.every((p: any) => p.created_at >= t));
      const iso = await get(`/api/posts?to=${encodeURIComponent(new Date(t).toISOString())}&limit=20`);
      assert.ok(iso.body.items.every((p: any) => p.created_at < t));
    });

    it("returns a post's full history with its disappearance interval", async () => {
      const r = await get(`/api/posts/${seeded.removedPostId}`);
      assert.equal(r.status, 200);
      assert.equal(r.body.post.status, 'removed_by_platform');
      assert.equal(r.body.observations.length, 2);
      assert.deepEqual(r.body.observations.map((o: any) => o.outcome).sort(), ['removed_by_platform', 'visible']);
      assert.equal(typeof r.body.post.status_evidence, 'object');
      // The seed records one disappearance: last seen at the visible check, first missing at the
      // check that proved it, with that observation as its evidence.
      assert.equal(r.body.disappearances.length, 1);
      const d = r.body.disappearances[0];
      const seen = r.body.observations.find((o: any) => o.outcome === 'visible');
      const proof = r.body.observations.find((o: any) => o.outcome === 'removed_by_platform');
      assert.equal(d.kind, 'removed_by_platform');
      assert.equal(d.last_seen_at, seen.observed_at);
      assert.equal(d.first_missing_at, proof.observed_at);
      assert.equal(d.observation_id, proof.id);
      assert.ok(d.last_seen_at < d.first_missing_at);
    });

    it('buckets disappearances by hour and kind', async () => {
      const r = await get('/api/disappearances');
      assert.equal(r.status, 200);
      const total = r.body.series.reduce((s: number, x: any) => s + x.count, 0);
      assert.ok(total > 50, `expected disappearances, got ${total}`);
      assert.ok(r.body.series.every((x: any) => x.bucket % 3_600_000 === 0));
      assert.ok(new Set(r.body.series.map((x: any) => x.kind)).has('removed_by_platform'));
    });

    it('ranks accounts and sources by removal rate', async () => {
      const a = await get('/api/removal-rates/accounts?limit=5&min_posts=2');
      assert.ok(a.body.items.length > 0);
      for (const x of a.body.items) assert.ok(x.removed <= x.posts && x.posts >= 2 && Math.abs(x.rate - x.removed / x.posts) < 1e-9 && x.low <= x.rate && x.rate <= x.high);
      // Ranked by the lower bound of the interval (test/serve/overview-truth.test.ts checks the bounds).
      const lows = a.body.items.map((x: any) => x.low);
      assert.deepEqual(lows, [...lows].sort((p: number, q: number) => q - p));
      const s = await get('/api/removal-rates/sources');
      assert.equal(s.body.items[0].posts, 2002);
    });

    it('serves campaigns with graph, timeline and side-by-side pairs, and terms', async () => {
      const list = await get('/api/campaigns');
      assert.equal(list.body.items[0].id, seeded.campaignKey);
      const c = await get(`/api/campaigns/${seeded.campaignKey}`);
      assert.ok(c.body.graph.nodes.length >= 3);
      assert.ok(c.body.graph.edges.length >= 3);
      assert.ok(c.body.timeline.length > 5);
      assert.ok(c.body.pairs.length > 0 && c.body.pairs[0].left.text && c.body.pairs[0].right.text);
      assert.equal((await get('/api/campaigns/nope')).status, 404);
      const terms = await get('/api/terms');
      assert.equal(terms.body.items[0].term, '维权');
      const term = await get(`/api/terms/${encodeURIComponent('维权')}`);
      assert.equal(term.body.timeline.length, 2);
    });

    it('reports watch health from observations', async () => {
      const r = await get('/api/watch/health?minutes=30');
      assert.ok(r.body.checks >= 200);
      assert.ok(r.body.errors >= 10);
      assert.ok(r.body.checksPerMinute > 0);
    });

    it('rejects bad parameters with one error shape naming the parameter', async () => {
      for (const [path, param] of [['/api/posts?limit=0', 'limit'], ['/api/posts?status=nope', 'status'], ['/api/posts?from=yesterday', 'from'],
        ['/api/posts/abc', 'id'], ['/api/disappearances?bucket=5', 'bucket'], ['/api/watch/health?minutes=-1', 'minutes']] as const) {
        const r = await get(path);
        assert.equal(r.status, 400, path);
        assert.equal(r.body.error.param, param, path);
        assert.match(r.body.error.message, new RegExp(param));
      }
      const missing = await get('/api/nothing');
      assert.equal(missing.status, 404);
      assert.equal(missing.body.error.code, 'not_found');
    });

    it('requires the bearer token for admin endpoints', async () => {
      const none = await fetch(`${server.url}/api/watch/stop`, { method: 'POST' });
      assert.equal(none.status, 401);
      const wrong = await fetch(`${server.url}/api/watch/stop`, { method: 'POST', headers: { authorization: 'Bearer nope' } });
      assert.equal(wrong.status, 401);
      const ok = await fetch(`${server.url}/api/watch/stop`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(ok.status, 200);
      const bad = await fetch(`${server.url}/api/sources`, {
        method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'mastodon', url: 'not a url' }),
      });
      assert.equal(bad.status, 400);
      assert.equal(((await bad.json()) as any).error.param, 'url');
    });

    it('keeps hostile text as data in the API', async () => {
      const r = await get(`/api/posts/${seeded.xssPostIds[0]}`);
      assert.equal(r.body.post.text, XSS_TEXTS[0]);
      assert.match(r.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    });

    it('describes every route in /openapi.json', async () => {
      const doc = (await get('/openapi.json')).body;
      assert.equal(doc.openapi.slice(0, 2), '3.');
      const statusParam = (doc.paths['/api/posts'].get.parameters as Array<{ name: string; schema: { enum?: string[] } }>).find((p) => p.name === 'status');
      assert.deepEqual(statusParam?.schema.enum, ['visible', 'deleted', 'deleted_by_author', 'removed_by_platform', 'account_gone', 'unknown']);
      const documented = new Set<string>();
      for (const [p, ops] of Object.entries(doc.paths as Record<string, object>)) for (const m of Object.keys(ops)) documented.add(`${m.toUpperCase()} ${p}`);
      for (const r of ['GET /api/posts', 'GET /api/posts/{id}', 'GET /api/campaigns/{id}', 'POST /api/sources', 'POST /api/detectors/{name}/run', 'GET /api/watch/health']) {
        assert.ok(documented.has(r), `${r} missing from OpenAPI`);
      }
      // Every /api route Fastify serves is documented.
      const api = server.served.filter((r) => r.url.startsWith('/api/'));
      assert.ok(api.length >= 15);
      for (const r of api) assert.ok(documented.has(`${r.method} ${r.url.replace(/:([A-Za-z_]+)/g, '{$1}')}`), `${r.method} ${r.url} undocumented`);
    });
  });
}

describe('serve rate limiting', () => {
  it('answers 429 with the error shape past the limit', async () => {
    const [b] = backends();
    const ts = await b!.open();
    const server = await startServer(ts.store, { port: 0, rateLimit: { max: 5, timeWindowMs: 60_000 } });
    try {
      const statuses: number[] = [];
      let last: any = null;
      for (let i = 0; i < 7; i++) {
        const res = await fetch(`${server.url}/api/sources`);
        statuses.push(res.status);
        last = await res.json();
      }
      assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429]);
      assert.equal(last.error.code, 'rate_limited');
    } finally {
      await server.close();
      await ts.cleanup();
    }
  });
});
