/**
 * The detector registry (src/detect/index.ts) is the one list: the API lists exactly its
 * detectors and runs each of them by name (storing its findings), and refuses any other name.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backends, type TestStore } from '../helpers/stores.ts';
import { startServer, type RunningServer } from '../../src/serve/server.ts';
import { seedObservatory } from '../../src/serve/fixtures.ts';
import { DETECTORS } from '../../src/detect/index.ts';

const TOKEN = 'detectors-token';

for (const b of backends()) {
  describe(`detector registry through the API [${b.label}]`, () => {
    let ts: TestStore;
    let server: RunningServer;
    const run = (name: string) => fetch(`${server.url}/api/detectors/${encodeURIComponent(name)}/run`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });

    before(async () => {
      ts = await b.open();
      await seedObservatory(ts.store, { posts: 400, seed: 5, xss: false });
      server = await startServer(ts.store, { port: 0, token: TOKEN });
    });
    after(async () => {
      await server?.close();
      await ts?.cleanup();
    });

    it('lists exactly the registry\'s detectors', async () => {
      const r = (await (await fetch(`${server.url}/api/detectors`)).json()) as { items: Array<{ name: string; description: string }> };
      assert.deepEqual(r.items.map((d) => d.name), DETECTORS.map((d) => d.name));
      assert.deepEqual(r.items.map((d) => d.description), DETECTORS.map((d) => d.description));
      assert.ok(DETECTORS.length >= 2);
    });

    it('runs each registered detector by name and stores what it found', async () => {
      for (const d of DETECTORS) {
        const before = Date.now();
        const res = await run(d.name);
        assert.equal(res.status, 200, await res.clone().text());
        const body = (await res.json()) as { result: Record<string, unknown> };
        assert.equal(body.result.detector, d.name);
        // The registry's detector ran: its findings replaced the seeded ones just now.
        const kind = d.name === 'coordination' ? 'campaign' : d.name === 'impostors' ? 'impostor' : d.name;
        const rows = await ts.store.db.selectFrom('findings').select(['created_at', 'key']).where('kind', '=', kind).execute();
        assert.ok(rows.every((r) => Number(r.created_at) >= before), `${d.name}: a seeded finding survived its run`);
        if (kind === 'campaign') assert.equal(rows.length, body.result.campaigns);
        else if (kind === 'impostor') assert.equal(rows.length, Number(body.result.accounts) + Number(body.result.domains)); // one finding per impostor
        else if (kind === 'site') assert.equal(rows.length, body.result.findings); // one finding per state change of a tracked site
        else assert.deepEqual(rows.map((r) => r.key), ['latest']);
      }
      const terms = (await (await run('terms')).json()) as { result: { terms: number; test: string } };
      assert.equal(typeof terms.result.terms, 'number');
      assert.equal(terms.result.test, 'author-stratified');
    });

    it('refuses a name outside the registry, after the token check', async () => {
      const res = await run('sentiment');
      assert.equal(res.status, 404);
      const body = (await res.json()) as { error: { message: string; param: string } };
      assert.equal(body.error.param, 'name');
      assert.match(body.error.message, new RegExp(`the detectors are ${DETECTORS.map((d) => d.name).join(', ')}`));
      const anonymous = await fetch(`${server.url}/api/detectors/terms/run`, { method: 'POST' });
      assert.equal(anonymous.status, 401);
    });
  });
}
