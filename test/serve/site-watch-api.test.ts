/**
 * The site watch API on both backends, over sites seeded through the real web archive
 * (src/serve/fixtures-sites.ts): the list with states, counts, filters and paging; one site's
 * captures newest first with the timeline's points; one capture with its WARC record (a revisit
 * names the response it repeats); the diff of two captures is the text diff of their stored
 * snapshots; the replay serves the archived bytes under the sandbox policy, subresources from
 * the archive only; 404s and 400s name what is wrong; every route is in /openapi.json.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diffArrays } from 'diff';
import { backends, type TestStore } from '../helpers/stores.ts';
import { startServer, type RunningServer } from '../../src/serve/server.ts';
import { openArchive } from '../../src/archive/index.ts';
import type { Archive } from '../../src/archive/types.ts';
import { LOGO_PNG, seedTrackedSites, type SeededSite } from '../../src/serve/fixtures-sites.ts';
import { REPLAY_CSP } from '../../src/serve/api/site-watch.ts';
import { snapshotLines } from '../../src/serve/site-diff.ts';

const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);

interface ListBody { total: number; next: number | null; states: Record<string, number>; items: Array<{ id: number; url: string; name: string | null; state: string | null; stateSince: number | null; every: string; last: { id: number; verdict: string } | null; byVerdict: Record<string, number> }> }
interface SiteBody { site: { id: number; url: string; state: string | null }; byVerdict: Record<string, number>; chart: { points: Array<[number, string, number]>; truncated: boolean }; captures: { total: number; next: number | null; items: Array<{ id: number; at: number; verdict: string; reasons: string[]; digest: string | null; recordId: number | null; title: string | null }> } }
interface CaptureBody {
  id: number; siteId: number; verdict: string; reasons: string[]; digest: string | null; title: string | null; previousId: number | null; nextId: number | null; replay: string | null; screenshot: string | null;
  record: { id: number; type: string; warcRecordId: string; file: string; offset: number; length: number; payloadDigest: string | null; revisitOf: { id: number; warcRecordId: string } | null } | null;
  wacz: { command: string };
}

for (const b of backends()) {
  describe(`site watch API [${b.label}]`, () => {
    let t: TestStore;
    let server: RunningServer;
    let archive: Archive;
    let dir: string;
    let sites: SeededSite[];
    const site = (host: string) => sites.find((s) => s.url.includes(host))!;

    before(async () => {
      t = await b.open();
      dir = mkdtempSync(join(tmpdir(), 'site-watch-api-'));
      archive = await openArchive(t.store, { dir });
      sites = await seedTrackedSites(t.store, archive, { now: NOW, xss: true });
      server = await startServer(t.store, { port: 0, archive, rateLimit: { max: 100_000, timeWindowMs: 10_000 } });
    });
    after(async () => {
      await server?.close();
      await archive?.close();
      await t?.cleanup();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });
    const get = async <T>(path: string, status = 200): Promise<T> => {
      const res = await fetch(server.url + path);
      const text = await res.text();
      assert.equal(res.status, status, `${path}: ${text.slice(0, 300)}`);
      return JSON.parse(text) as T;
    };

    it('lists the tracked sites with state, since when, the latest capture and counts by verdict', async () => {
      const r = await get<ListBody>('/api/site-watch/sites');
      assert.equal(r.total, sites.length);
      assert.deepEqual(r.items.map((s) => s.id), sites.map((s) => s.id));
      for (const s of sites) {
        const item = r.items.find((i) => i.id === s.id)!;
        const last = s.captures.at(-1);
        assert.equal(item.state, last?.verdict ?? null, s.url);
        assert.equal(item.last?.id ?? null, last?.id ?? null);
        const want: Record<string, number> = {};
        for (const c of s.captures) want[c.verdict] = (want[c.verdict] ?? 0) + 1;
        assert.deepEqual(Object.fromEntries(Object.entries(item.byVerdict).filter(([, k]) => k)), want, s.url);
      }
      // Since when: the portal went from reachable to injected at its last visit; the closed site has been unhealthy since its second.
      assert.equal(r.items.find((i) => i.id === site('portal').id)!.stateSince, site('portal').captures.at(-1)!.at);
      assert.equal(r.items.find((i) => i.id === site('closed').id)!.stateSince, site('closed').captures.at(-1)!.at);
      assert.equal(r.items.find((i) => i.id === site('news').id)!.every, '10m');
      assert.deepEqual(Object.fromEntries(Object.entries(r.states).filter(([, k]) => k)), { updated: 2, injected: 1, down: 1, unchecked: 1 });
    });

    it('filters by state and by a substring, and pages', async () => {
      const injected = await get<ListBody>('/api/site-watch/sites?state=injected');
      assert.deepEqual(injected.items.map((s) => s.url), ['http://portal.example/']);
      const unchecked = await get<ListBody>('/api/site-watch/sites?state=unchecked');
      assert.deepEqual(unchecked.items.map((s) => s.url), ['http://new.example/']);
      const byName = await get<ListBody>('/api/site-watch/sites?q=county');
      assert.deepEqual(byName.items.map((s) => s.url), ['http://portal.example/']);
      // LIKE wildcards in q are literal.
      assert.equal((await get<ListBody>('/api/site-watch/sites?q=_')).total, 0);
      assert.equal((await get<ListBody>('/api/site-watch/sites?q=%253C')).total, 1, 'a literal percent sign matches the hostile URL only');
      const p1 = await get<ListBody>('/api/site-watch/sites?limit=2');
      assert.equal(p1.items.length, 2);
      assert.equal(p1.next, 2);
      const p2 = await get<ListBody>(`/api/site-watch/sites?limit=2&offset=${p1.next}`);
      assert.deepEqual([...p1.items, ...p2.items].map((s) => s.id), sites.slice(0, 4).map((s) => s.id));
      const bad = await get<{ error: { param: string; message: string } }>('/api/site-watch/sites?state=hacked', 400);
      assert.equal(bad.error.param, 'state');
    });

    it("gives a site's captures newest first, paged and by verdict, and the timeline's points oldest first", async () => {
      const news = site('news');
      const r = await get<SiteBody>(`/api/site-watch/sites/${news.id}`);
      assert.deepEqual(r.captures.items.map((c) => c.id), news.captures.map((c) => c.id).reverse());
      assert.deepEqual(r.chart.points.map((p) => [p[0], p[1], p[2]]), news.captures.map((c) => [c.at, c.verdict, c.id]));
      assert.equal(r.captures.items[0]!.title, 'Daily News');
      assert.match(r.captures.items[0]!.digest!, /^sha256:[0-9a-f]{64}$/);
      const paged = await get<SiteBody>(`/api/site-watch/sites/${news.id}?limit=3`);
      assert.equal(paged.captures.items.length, 3);
      assert.equal(paged.captures.next, 3);
      const rest = await get<SiteBody>(`/api/site-watch/sites/${news.id}?limit=3&offset=3`);
      assert.deepEqual(rest.captures.items.map((c) => c.id), [news.captures[0]!.id]);
      const updated = await get<SiteBody>(`/api/site-watch/sites/${news.id}?verdict=updated`);
      assert.deepEqual(updated.captures.items.map((c) => c.id), news.captures.filter((c) => c.verdict === 'updated').map((c) => c.id).reverse());
      assert.equal(updated.captures.total, 2);
      const missing = await get<{ error: { status: number; message: string } }>('/api/site-watch/sites/999999', 404);
      assert.match(missing.error.message, /No tracked site has id 999999/);
      await get('/api/site-watch/sites/abc', 400);
    });

    it('shows one capture with its WARC record; an unchanged page is a revisit naming the response it repeats', async () => {
      const news = site('news');
      const first = await get<CaptureBody>(`/api/site-watch/captures/${news.captures[1]!.id}`);
      const repeat = await get<CaptureBody>(`/api/site-watch/captures/${news.captures[2]!.id}`);
      const row = await t.store.db.selectFrom('archive_records').selectAll().where('id', '=', first.record!.id).executeTakeFirstOrThrow();
      assert.equal(first.record!.type, 'response');
      assert.equal(first.record!.warcRecordId, row.warc_record_id);
      assert.equal(first.record!.offset, Number(row.record_offset));
      assert.ok(existsSync(join(dir, first.record!.file)), 'the record names a WARC file of the archive');
      assert.equal(first.record!.payloadDigest, first.digest);
      assert.equal(repeat.record!.type, 'revisit');
      assert.equal(repeat.record!.revisitOf!.warcRecordId, first.record!.warcRecordId);
      assert.equal(repeat.digest, first.digest);
      assert.equal(repeat.previousId, first.id);
      assert.equal(first.nextId, repeat.id);
      assert.equal(first.replay, `/api/site-watch/captures/${first.id}/replay/`);
      assert.match(first.wacz.command, /^censorscope archive export --site 'http:\/\/news\.example\/' --out news\.example\.wacz$/);
      const down = await get<CaptureBody>(`/api/site-watch/captures/${site('closed').captures.at(-1)!.id}`);
      assert.equal(down.verdict, 'down');
      assert.equal(down.record, null);
      assert.equal(down.replay, null);
      assert.equal(down.screenshot, null);
      await get('/api/site-watch/captures/999999', 404);
    });

    it('diffs two captures: the hunks are the text diff of their stored snapshots', async () => {
      const news = site('news');
      const [a, c] = [news.captures[0]!.id, news.captures[3]!.id];
      const r = await get<{ siteId: number; a: { id: number; title: string }; b: { id: number }; hunks: Array<{ op: string; lines: string[] }>; added: number; removed: number }>(`/api/site-watch/diff?a=${a}&b=${c}`);
      const snaps = await t.store.db.selectFrom('site_captures').select(['id', 'snapshot']).where('id', 'in', [a, c]).execute();
      const snap = (id: number) => snaps.find((s) => Number(s.id) === id)!.snapshot;
      const want = diffArrays(snapshotLines(snap(a)), snapshotLines(snap(c))).map((x) => ({ op: x.added ? 'add' : x.removed ? 'remove' : 'equal', lines: x.value }));
      assert.deepEqual(r.hunks, want);
      assert.ok(r.hunks.some((h) => h.op === 'add' && h.lines.includes('Headline 3: the council met today.')));
      assert.ok(r.hunks.some((h) => h.op === 'remove' && h.lines.includes('Headline 1: the council met today.')));
      assert.equal(r.added, 2);
      assert.equal(r.removed, 2);
      assert.equal(r.a.title, 'Daily News');
      const other = await get<{ error: { param: string } }>(`/api/site-watch/diff?a=${a}&b=${site('portal').captures[0]!.id}`, 400);
      assert.equal(other.error.param, 'b');
      assert.equal((await get<{ error: { param: string } }>(`/api/site-watch/diff?a=${a}&b=999999`, 404)).error.param, 'b');
      assert.equal((await get<{ error: { param: string } }>(`/api/site-watch/diff?a=${a}`, 400)).error.param, 'b');
    });

    it('replays the archived bytes under the sandbox policy, with subresources from the archive only', async () => {
      const portal = site('portal');
      const defaced = portal.captures[1]!;
      const res = await fetch(`${server.url}/api/site-watch/captures/${defaced.id}/replay/`);
      assert.equal(res.status, 200);
      const body = await res.text();
      const cap = await get<CaptureBody>(`/api/site-watch/captures/${defaced.id}`);
      const stored = await archive.read((cap.record!).id);
      assert.equal(body, new TextDecoder().decode(stored.body));
      assert.match(body, /Hacked by zero-crew/);
      assert.equal(res.headers.get('content-security-policy'), REPLAY_CSP);
      assert.match(REPLAY_CSP, /^sandbox; default-src 'none'/);
      assert.equal(res.headers.get('x-frame-options'), 'SAMEORIGIN');
      assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
      assert.equal(res.headers.get('set-cookie'), null, 'archived headers are not replayed');
      // Without the trailing path too.
      assert.equal(await (await fetch(`${server.url}/api/site-watch/captures/${defaced.id}/replay`)).text(), body);
      // The logo the news page links, from the archive.
      const news = site('news');
      const logo = await fetch(`${server.url}/api/site-watch/captures/${news.captures[0]!.id}/replay/logo.png`);
      assert.equal(logo.status, 200);
      assert.equal(logo.headers.get('content-type'), 'image/png');
      assert.deepEqual(Buffer.from(await logo.arrayBuffer()), LOGO_PNG);
      assert.equal(logo.headers.get('content-security-policy'), REPLAY_CSP);
      // What the archive does not hold is a 404, never fetched.
      const absent = await fetch(`${server.url}/api/site-watch/captures/${news.captures[0]!.id}/replay/missing.js`);
      assert.equal(absent.status, 404);
      assert.match(((await absent.json()) as { error: { message: string } }).error.message, /holds no copy of http:\/\/news\.example\/missing\.js/);
      // Another site's archived style.css is not this capture's.
      assert.equal((await fetch(`${server.url}/api/site-watch/captures/${news.captures[0]!.id}/replay/../../portal.example/style.css`)).status, 404);
      const down = await fetch(`${server.url}/api/site-watch/captures/${site('closed').captures.at(-1)!.id}/replay/`);
      assert.equal(down.status, 404);
      // The dashboard itself may frame its own pages only.
      const index = await fetch(`${server.url}/api/site-watch/sites`);
      assert.match(index.headers.get('content-security-policy') ?? '', /frame-src 'self'/);
      assert.match(index.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
      assert.equal(index.headers.get('x-frame-options'), 'DENY');
    });

    it('documents every site watch route in /openapi.json', async () => {
      const doc = await get<{ paths: Record<string, Record<string, unknown>> }>('/openapi.json');
      for (const p of ['/api/site-watch/sites', '/api/site-watch/sites/{id}', '/api/site-watch/captures/{id}', '/api/site-watch/diff',
        '/api/site-watch/captures/{id}/screenshot.png', '/api/site-watch/captures/{id}/replay', '/api/site-watch/captures/{id}/replay/*']) {
        assert.ok(doc.paths[p]?.get, `${p} documented`);
      }
      assert.ok(readdirSync(dir).some((f) => f.endsWith('.warc.gz')));
    });
  });
}
