/**
 * The impostors API on both backends: the list with targets, scores and reasons (accounts
 * pseudonymised), ?post= for the post page's note, the watchlist readable by anyone and changed
 * only with the admin token; routes appear in /openapi.json.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backends, type TestStore } from '../helpers/stores.ts';
import { startServer, type RunningServer } from '../../src/serve/server.ts';
import { runImpostors } from '../../src/detect/impostors/scan.ts';
import { seedImpostors } from '../detect/impostors/fixture.ts';

const TOKEN = 'impostors-admin-token';

interface Item { subject: string; target: string; score: number; reasons: string[]; account_id?: string; handle?: string | null; name?: string | null; accountId?: number; domain?: string; postIds?: number[] }

for (const b of backends()) {
  describe(`impostors API [${b.label}]`, () => {
    let t: TestStore;
    let server: RunningServer;
    before(async () => {
      t = await b.open();
      await seedImpostors(t.store);
      await runImpostors(t.store);
      server = await startServer(t.store, { port: 0, token: TOKEN });
    });
    after(async () => {
      await server?.close();
      await t?.cleanup();
    });
    const get = async <T>(path: string) => {
      const res = await fetch(server.url + path);
      assert.equal(res.status, 200, `${path}: ${res.status}`);
      return (await res.json()) as T;
    };

    it('lists impostors highest score first, accounts pseudonymised, each with target and reasons', async () => {
      const r = await get<{ items: Item[]; next: number | null }>('/api/impostors');
      assert.equal(r.items.length, 7);
      assert.deepEqual(r.items.map((x) => x.score), [...r.items.map((x) => x.score)].sort((a, b) => b - a));
      const accounts = r.items.filter((x) => x.subject === 'account');
      assert.equal(accounts.length, 4);
      for (const a of accounts) {
        assert.match(a.account_id!, /^acct_/);
        assert.equal(a.name, null);
        assert.ok(a.reasons.length && a.target);
      }
      const text = JSON.stringify(r);
      for (const raw of ['rmrb_news', 'xhs_gf', '人民曰报', '"u5"']) assert.ok(!text.includes(raw), `leaks ${raw}`);
      const domains = await get<{ items: Item[] }>('/api/impostors?subject=domain');
      assert.deepEqual(domains.items.map((x) => x.domain).sort(), ['bild.pics', 'spiegel.ltd', 't-onlinr.life']);
      const doc = await get<{ paths: Record<string, unknown> }>('/openapi.json');
      assert.ok(doc.paths['/api/impostors'] && doc.paths['/api/watchlist'] && doc.paths['/api/watchlist/{id}']);
    });

    it('?post= gives the impostors a post touches: its account, or the domains it links', async () => {
      const ids = new Map((await t.store.db.selectFrom('posts').select(['id', 'platform_post_id']).execute()).map((p) => [p.platform_post_id, Number(p.id)]));
      const p4 = await get<{ items: Item[] }>(`/api/impostors?post=${ids.get('p4')}`);
      assert.deepEqual(p4.items.map((x) => [x.subject, x.target]).sort(), [['account', '人民日报'], ['domain', 'bild.de']]);
      const p5 = await get<{ items: Item[] }>(`/api/impostors?post=${ids.get('p5')}`);
      assert.deepEqual(p5.items, [], 'a watched account linking legitimate sites is not flagged');
      assert.equal((await fetch(`${server.url}/api/impostors?post=999999`)).status, 404);
    });

    it('the watchlist: anyone reads it; adding and removing need the admin token', async () => {
      const list = await get<{ items: Array<{ id: number; domain: string | null }> }>('/api/watchlist');
      assert.equal(list.items.length, 9);
      const post = (body: unknown, headers: Record<string, string> = {}) => fetch(`${server.url}/api/watchlist`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
      assert.equal((await post({ domain: 'faz.net' })).status, 401);
      assert.equal((await post({ domain: 'faz.net' }, { authorization: 'Bearer wrong' })).status, 401);
      const bad = await post({ domain: 'not a domain' }, { authorization: `Bearer ${TOKEN}` });
      assert.equal(bad.status, 400);
      assert.match(((await bad.json()) as { error: { message: string } }).error.message, /domain.*not a domain with a public suffix/);
      assert.equal((await post({ domain: 'faz.net', extra: 1 }, { authorization: `Bearer ${TOKEN}` })).status, 400);
      const ok = await post({ domain: 'https://www.faz.net/' }, { authorization: `Bearer ${TOKEN}` });
      assert.equal(ok.status, 200);
      const added = (await ok.json()) as { added: boolean; entry: { id: number; domain: string } };
      assert.deepEqual([added.added, added.entry.domain], [true, 'faz.net']);
      assert.equal((await fetch(`${server.url}/api/watchlist/${added.entry.id}`, { method: 'DELETE' })).status, 401);
      assert.equal((await fetch(`${server.url}/api/watchlist/${added.entry.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } })).status, 200);
      assert.equal((await fetch(`${server.url}/api/watchlist/${added.entry.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } })).status, 404);
      assert.equal((await get<{ items: unknown[] }>('/api/watchlist')).items.length, 9);
    });
  });
}
