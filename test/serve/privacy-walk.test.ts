/**
 * Issue 13's privacy scan: on a store whose account ids, handles, display names, mentions and
 * followed accounts all carry one marker ("zqx"), every GET route of the OpenAPI document and
 * every export (posts CSV and JSONL, coordination --json, edges, GraphML, GEXF, summary) must be
 * free of the marker unless accounts are revealed, and must show it once they are (so the scan
 * can fail). Path parameters are filled from the seeded data; a route with a parameter the walk
 * cannot fill fails the test, so a new route is never skipped silently. Revealing in the server
 * needs the admin token: the attacks on the switch are performed too.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { backends, type TestStore } from '../helpers/stores.ts';
import { runCli } from '../helpers/cli.ts';
import { startServer, type RunningServer } from '../../src/serve/server.ts';
import { ensureSource } from '../../src/store/queries/sources.ts';
import type { PostRecord } from '../../src/store/bulk.ts';
import { runCoordination } from '../../src/detect/coordination/index.ts';
import { seedMeasurements } from '../../src/serve/fixtures-probe.ts';
import { strFromU8, unzipSync } from 'fflate';
import { addWatchEntries } from '../../src/detect/impostors/watchlist.ts';
import { openArchive } from '../../src/archive/index.ts';
import type { Archive } from '../../src/archive/types.ts';
import { seedTrackedSites } from '../../src/serve/fixtures-sites.ts';
import type { StoredAccountImpostor } from '../../src/detect/impostors/scan.ts';

const TOKEN = 'privacy-admin-token';
const MARKER = 'zqx';
const T0 = Date.UTC(2024, 4, 1, 8, 0, 0);
const NAMES = ['alice', 'bob', 'carol', 'dave'];
const TEXTS = [
  '我们坚决支持这项伟大的政策，人民群众一致拥护，这是历史的选择',
  '外国势力的抹黑不会得逞，真相终将大白于天下，大家一起来转发',
  '经济发展取得了举世瞩目的成就，老百姓的日子越过越红火了呢',
];

/** Posts whose every account reference carries the marker; the texts do not (text is kept as written). */
function posts(): PostRecord[] {
  const out: PostRecord[] = [];
  TEXTS.forEach((text, m) => NAMES.forEach((name, i) => {
    const id = `m${m}-${i}`;
    const removed = name === 'alice' && m > 0;
    out.push({
      platformPostId: id, accountId: `zqxid-${name}`, accountHandle: `zqxh_${name}`, accountName: `Zqxname ${name}`,
      createdAt: T0 + m * 86_400_000 + i * 60_000, text: `${text}${i % 2 ? '！' : ''}`, language: 'zh',
      url: `https://example.invalid/@zqxh_${name}/${id}`, replyToId: null, repostOfId: null, hashtags: null,
      urls: [`https://news.example.invalid/${m}`], mentions: [`zqxh_${NAMES[(i + 1) % 4]}`, '@ZqxStranger'],
      status: removed ? 'removed_by_platform' : 'visible', statusChangedAt: removed ? T0 + m * 86_400_000 + 3_600_000 : null,
      statusEvidence: removed ? { checked: `https://example.invalid/@zqxh_${name}/${id}`, http: 410 } : null,
      extra: { retweet_userid: 'zqxid-elsewhere', in_reply_to_screen_name: 'zqxh_someone', tweet_client_name: 'web' },
    });
  }));
  out.push({
    platformPostId: 'alone', accountId: 'zqxid-alice', accountHandle: 'zqxh_alice', accountName: 'Zqxname alice', createdAt: T0 + 10 * 86_400_000,
    text: '完全无关的一条普通帖子，今天的午饭很好吃', language: 'zh', url: null, replyToId: null, repostOfId: null, hashtags: null, urls: null,
    mentions: null, status: 'visible', statusChangedAt: null, statusEvidence: null, extra: null,
  });
  return out;
}

interface Seeded {
  postIds: number[]; campaignKey: string; findingIds: number[]; term: string; measurementIds: number[]; hosts: string[];
  /** Tracked sites, their captures, and the captures that archived a page answered 200 (site watch). */
  siteIds: number[]; captureIds: number[]; archivedCaptureIds: number[];
}

async function seedStore(t: TestStore, archive: Archive): Promise<Seeded> {
  const store = t.store;
  const src = await ensureSource(store, { name: 'privacy-fixture', kind: 'import', platform: 'test' });
  await store.bulkWriter().writePosts(Number(src.id), posts(), T0 + 30 * 86_400_000);
  // A source that follows one account names it in its name and configuration.
  await ensureSource(store, { name: 'masto @zqxh_followed', kind: 'mastodon', platform: 'mastodon', config: { url: 'https://m.example.invalid/', account: 'zqxh_followed' } });
  const rows = await store.db.selectFrom('posts').innerJoin('accounts', 'accounts.id', 'posts.account_id')
    .select(['posts.id', 'posts.status', 'accounts.handle']).orderBy('posts.id').execute();
  const postIds = rows.map((r) => Number(r.id));
  // Observations as the watcher writes them, quoting the post's URL.
  await store.db.insertInto('observations').values(rows.map((r) => ({
    post_id: Number(r.id), observed_at: T0 + 20 * 86_400_000, outcome: r.status, http_status: r.status === 'visible' ? 200 : 410,
    error_code: null, detail: JSON.stringify({ url: `https://example.invalid/@${r.handle}/${r.id}` }),
  }))).execute();
  // The real detector writes the campaign finding (raw ids, as stored), and a terms run.
  const result = await runCoordination(store, { workers: 0 });
  assert.equal(result.campaigns.length, 1, 'the fixture plants one campaign');
  await store.db.insertInto('findings').values({
    kind: 'terms', key: 'latest', score: 1, summary: 'Terms removed more often than the baseline.', created_at: T0,
    evidence: JSON.stringify({ baseline: 0.2, terms: [{ term: '政策', posts: 4, removed: 1, rate: 0.25, low: 0.05, high: 0.7, q: 0.5 }], timeline: { 政策: [{ bucket: '2024-05-01', posts: 4, removed: 1 }] } }),
  }).execute();
  // An impostor finding as the impostor detector stores it (raw account, as stored), and a watchlist entry.
  const alice = await store.db.selectFrom('accounts').select(['id']).where('platform_account_id', '=', 'zqxid-alice').executeTakeFirstOrThrow();
  await addWatchEntries(store, [{ name: '人民日报', handle: 'rmrb', platform: null, domain: 'spiegel.de' }]);
  const impostor: StoredAccountImpostor = {
    subject: 'account', accountId: Number(alice.id), source: 'privacy-fixture', platformAccountId: 'zqxid-alice', handle: 'zqxh_alice', name: 'Zqxname alice',
    target: '人民日报', targetEntryId: 1, score: 0.9, reasons: ['display name Zqxname alice is 人民日报 with look-alikes', 'handle zqxh_alice'], posts: 4,
  };
  await store.db.insertInto('findings').values({ kind: 'impostor', key: `account:${impostor.accountId}`, score: 0.9, summary: 'An account imitates the watched 人民日报.', evidence: JSON.stringify(impostor), created_at: T0 }).execute();
  const findings = await store.db.selectFrom('findings').select(['id']).orderBy('id').execute();
  // Blocking measurements (no accounts in them): a few, so their routes are walked too.
  const measured = await seedMeasurements(store, { now: T0 + 30 * 86_400_000, days: 1, plan: [{ url: 'https://news.example/', category: 'NEWS', networks: [{ cc: 'XA', asn: 'AS64496', phases: [{ fromDay: 0, scenario: 'dns-injection' }] }] }] });
  // Tracked sites with captures archived through the real web archive (site watch routes).
  const sites = await seedTrackedSites(store, archive, { now: T0 + 30 * 86_400_000 });
  const captures = sites.flatMap((s) => s.captures);
  // The replay answers with the archived status: walk the captures that were answered 200.
  const archived = await store.db.selectFrom('site_captures').select('id').where('record_id', 'is not', null).where('status', '=', 200).orderBy('id').execute();
  return {
    postIds, campaignKey: result.campaigns[0]!.id, findingIds: findings.map((f) => Number(f.id)), term: '政策', measurementIds: measured.map((m) => m.id), hosts: [...new Set(measured.map((m) => m.host))],
    siteIds: sites.map((s) => s.id), captureIds: captures.map((c) => c.id), archivedCaptureIds: archived.map((c) => Number(c.id)),
  };
}

/** Every way to fill each path parameter of the API, from the seeded data. */
function fillers(s: Seeded): Record<string, string[]> {
  return {
    '/api/posts/{id}': s.postIds.map(String),
    '/api/campaigns/{id}': [s.campaignKey],
    '/api/findings/{id}': s.findingIds.map(String),
    '/api/terms/{term}': [s.term],
    '/api/blocking/sites/{host}': s.hosts,
    '/api/blocking/sites/{host}/measurements.jsonl': s.hosts,
    '/api/blocking/measurements/{id}': s.measurementIds.map(String),
    '/api/posts/{id}/evidence.zip': s.postIds.map(String),
    '/api/campaigns/{id}/evidence.zip': [s.campaignKey],
    '/api/downloads/campaigns/{id}/posts': [s.campaignKey],
    '/api/downloads/campaigns/{id}/network': [s.campaignKey],
    '/api/downloads/campaigns/{id}/edges': [s.campaignKey],
    '/api/downloads/terms/{term}/posts': [s.term],
    '/api/downloads/terms/{term}/timeline': [s.term],
    '/api/site-watch/sites/{id}': s.siteIds.map(String),
    '/api/site-watch/captures/{id}': s.captureIds.map(String),
    // One render is enough: screenshots are Chromium's rendering of the archived page, which holds no account.
    '/api/site-watch/captures/{id}/screenshot.png': s.archivedCaptureIds.slice(0, 1).map(String),
    '/api/site-watch/captures/{id}/replay': s.archivedCaptureIds.map(String),
    '/api/site-watch/captures/{id}/replay/*': s.archivedCaptureIds.map(String),
  };
}

/** Query strings routes need that depend on the seeded ids. */
function seededQuery(s: Seeded): Record<string, string> {
  const [a, b] = s.archivedCaptureIds;
  return { '/api/site-watch/diff': `?a=${a}&b=${b}` };
}

/** Query strings some routes need to show the fixture's accounts (each has 4 posts, under the default minimum sample of 10). */
const ROUTE_QUERY: Record<string, string> = { '/api/removal-rates/accounts': '?min_posts=1' };

/** Routes that show accounts: with revealing on, the marker must appear in each. */
const SHOWS_ACCOUNTS = ['/api/posts', '/api/posts/{id}', '/api/removal-rates/accounts', '/api/campaigns/{id}', '/api/findings/{id}', '/api/sources',
  '/api/posts/{id}/evidence.zip', '/api/campaigns/{id}/evidence.zip',
  '/api/downloads/posts', '/api/downloads/campaigns/{id}/posts', '/api/downloads/campaigns/{id}/network', '/api/downloads/campaigns/{id}/edges', '/api/downloads/terms/{term}/posts',
  '/api/impostors'];

for (const b of backends()) {
  describe(`privacy: no raw account identifier leaves by any route or export unless revealed [${b.label}]`, () => {
    let t: TestStore;
    let server: RunningServer;
    let seeded: Seeded;
    let dir: string;
    let archive: Archive;

    before(async () => {
      t = await b.open();
      dir = mkdtempSync(path.join(tmpdir(), 'privacy-walk-'));
      archive = await openArchive(t.store, { dir: path.join(dir, 'archive') });
      seeded = await seedStore(t, archive);
      server = await startServer(t.store, { port: 0, token: TOKEN, archive, rateLimit: { max: 100_000, timeWindowMs: 10_000 } });
    });
    after(async () => {
      await server?.close();
      await archive?.close();
      await t?.cleanup();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    /** GETs every GET route of the OpenAPI document, each path parameter filled every way; returns body text per route. */
    async function walk(): Promise<Map<string, string[]>> {
      const doc = await (await fetch(`${server.url}/openapi.json`)).json() as { paths: Record<string, Record<string, { parameters?: Array<{ in: string; name: string }> }>> };
      const fill = fillers(seeded);
      const bodies = new Map<string, string[]>();
      for (const [p, ops] of Object.entries(doc.paths)) {
        if (!ops.get) continue;
        const params = (ops.get.parameters ?? []).filter((x) => x.in === 'path');
        let urls = [p];
        if (params.length) {
          const values = fill[p];
          assert.ok(values?.length, `the privacy walk cannot fill the path parameters of GET ${p}: add them to fillers() so this route is checked`);
          assert.deepEqual(params.map((x) => x.name), [...p.matchAll(/\{(\w+)\}/g)].map((m) => m[1]), `GET ${p}: one parameter to fill`);
          // A wildcard tail (the replay's paths) is walked at the site's root.
          urls = values.map((v) => p.replace(/\{\w+\}/, encodeURIComponent(v)).replace(/\/\*$/, '/'));
        }
        urls = urls.map((u) => u + (ROUTE_QUERY[p] ?? seededQuery(seeded)[p] ?? ''));
        const got: string[] = [];
        for (const u of urls) {
          const res = await fetch(server.url + u);
          // A ZIP (evidence bundles) is compressed: scan the text of every file inside it.
          const text = res.headers.get('content-type') === 'application/zip'
            ? Object.entries(unzipSync(new Uint8Array(await res.arrayBuffer()))).map(([name, bytes]) => `${name}\n${strFromU8(bytes)}`).join('\n')
            : await res.text();
          assert.equal(res.status, 200, `GET ${u}: ${text.slice(0, 200)}`);
          got.push(text);
        }
        bodies.set(p, got);
      }
      return bodies;
    }

    const put = (body: unknown, headers: Record<string, string> = {}) => fetch(`${server.url}/api/settings`, {
      method: 'PUT', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body),
    });
    const revealed = async () => ((await (await fetch(`${server.url}/api/settings`)).json()) as { revealAccounts: boolean }).revealAccounts;

    it('finds no marker in any GET route by default, and covers every route that shows accounts', async () => {
      const bodies = await walk();
      for (const r of SHOWS_ACCOUNTS) assert.ok(bodies.has(r), `the walk reached ${r}`);
      for (const [route, texts] of bodies) {
        for (const text of texts) assert.ok(!text.toLowerCase().includes(MARKER), `GET ${route} leaks a raw account identifier: ${excerpt(text)}`);
      }
    });

    it('resolves the posts filter by handle, platform id or pseudonym and answers with pseudonyms only', async () => {
      const byHandle = await (await fetch(`${server.url}/api/posts?account=zqxh_alice`)).text();
      assert.ok(!byHandle.toLowerCase().includes(MARKER), `GET /api/posts?account=zqxh_alice leaks: ${excerpt(byHandle)}`);
      const parsed = JSON.parse(byHandle) as { items: Array<{ account: string }>; accounts: Array<{ account: string; matched: string }> };
      assert.deepEqual(parsed.accounts.map((a) => a.matched), ['handle']);
      assert.match(parsed.accounts[0]!.account, /^acct_[0-9a-f]{20}$/);
      assert.ok(parsed.items.length > 0 && parsed.items.every((p) => p.account === parsed.accounts[0]!.account));
      for (const value of ['zqxid-alice', parsed.accounts[0]!.account]) {
        const text = await (await fetch(`${server.url}/api/posts?account=${encodeURIComponent(value)}`)).text();
        assert.ok(!text.toLowerCase().includes(MARKER), `GET /api/posts?account=${value} leaks: ${excerpt(text)}`);
        assert.equal((JSON.parse(text) as { items: unknown[] }).items.length, parsed.items.length, value);
      }
    });

    it('gives an account one pseudonym everywhere: id, handle, mentions, campaign nodes', async () => {
      const first = (await (await fetch(`${server.url}/api/posts/${seeded.postIds[0]}`)).json()) as { post: Record<string, unknown> };
      const post = first.post as { account: string; platform_account_id: string; account_name: unknown; mentions: string[]; url: string; extra: Record<string, string> };
      assert.match(post.platform_account_id, /^acct_[0-9a-f]{20}$/);
      assert.equal(post.account, post.platform_account_id, 'handle and id become the same pseudonym');
      assert.equal(post.account_name, null, 'display names are dropped');
      assert.ok(post.url.includes(`/@${post.platform_account_id}/`), post.url);
      const list = (await (await fetch(`${server.url}/api/posts?limit=200`)).json()) as { items: Array<{ platform_account_id: string; account: string }> };
      const ids = new Set(list.items.map((p) => p.platform_account_id));
      assert.equal(ids.size, 4, 'four accounts, four pseudonyms');
      // alice mentions bob: the mention is bob's own pseudonym; the stranger gets a pseudonym of its own.
      assert.ok(ids.has(post.mentions[0]!), `mention ${post.mentions[0]} links to a known account`);
      assert.ok(!ids.has(post.mentions[1]!) && /^acct_/.test(post.mentions[1]!));
      assert.match(post.extra.retweet_userid!, /^acct_/);
      assert.equal(post.extra.tweet_client_name, 'web');
      const c = (await (await fetch(`${server.url}/api/campaigns/${seeded.campaignKey}`)).json()) as { graph: { nodes: Array<{ id: string }> }; evidence: { postRefs: Array<{ source: string; platform_post_id: string }>; edges: Array<{ evidence: unknown[][] }> } };
      assert.deepEqual(new Set(c.graph.nodes.map((n) => n.id)), ids);
      // Evidence names posts by source and platform post id, never by store row ids.
      assert.ok(c.evidence.postRefs.length >= 8 && c.evidence.postRefs.every((r) => r.source === 'privacy-fixture' && /^m\d-\d$/.test(r.platform_post_id)));
      assert.ok(c.evidence.edges.every((e) => e.evidence.every((pair) => pair.every((r) => /^m\d-\d$/.test((r as { platform_post_id: string }).platform_post_id)))));
    });

    it('refuses to reveal without the admin token (attacks on the switch)', async () => {
      for (const headers of [{} as Record<string, string>, { authorization: 'Bearer wrong' }, { authorization: `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}` }, { 'x-admin-token': TOKEN }, { cookie: `token=${TOKEN}` }]) {
        const res = await put({ revealAccounts: true }, headers);
        assert.equal(res.status, 401, `PUT /api/settings with ${JSON.stringify(headers)}`);
      }
      assert.equal((await fetch(`${server.url}/api/settings?token=${TOKEN}&revealAccounts=true`, { method: 'PUT' })).status, 401);
      assert.equal((await fetch(`${server.url}/api/settings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"revealAccounts":true}' })).status, 404);
      assert.equal((await put({ revealAccounts: 'true' }, { authorization: `Bearer ${TOKEN}` })).status, 400, 'a string is not a boolean');
      assert.equal((await put({ revealAccounts: true, extra: 1 }, { authorization: `Bearer ${TOKEN}` })).status, 400, 'unknown fields are refused');
      assert.equal(await revealed(), false);
      const list = await (await fetch(`${server.url}/api/posts`)).text();
      assert.ok(!list.toLowerCase().includes(MARKER));
    });

    it('shows real accounts on every route that shows accounts once an admin reveals them, and hides them again', async () => {
      const on = await put({ revealAccounts: true }, { authorization: `Bearer ${TOKEN}` });
      assert.equal(on.status, 200);
      assert.deepEqual(await on.json(), { revealAccounts: true });
      assert.equal(await revealed(), true);
      const bodies = await walk();
      for (const r of SHOWS_ACCOUNTS) {
        assert.ok(bodies.get(r)!.some((text) => text.includes('zqxh_') || text.includes('zqxid-')), `GET ${r} shows real accounts when revealed`);
      }
      assert.ok(bodies.get('/api/posts/{id}')!.some((text) => text.includes('Zqxname alice')), 'display names when revealed');
      const off = await put({ revealAccounts: false }, { authorization: `Bearer ${TOKEN}` });
      assert.equal(off.status, 200);
      for (const [route, texts] of await walk()) {
        for (const text of texts) assert.ok(!text.toLowerCase().includes(MARKER), `GET ${route} after hiding again: ${excerpt(text)}`);
      }
    });

    it('refuses the switch entirely on a server started without a token', async () => {
      const open = await startServer(t.store, { port: 0 });
      try {
        const res = await fetch(`${open.url}/api/settings`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"revealAccounts":true}' });
        assert.equal(res.status, 403);
        assert.equal(((await (await fetch(`${open.url}/api/settings`)).json()) as { revealAccounts: boolean }).revealAccounts, false);
      } finally {
        await open.close();
      }
    });

    it('finds no marker in any export unless --reveal-accounts, and finds it with it', () => {
      const run = (reveal: boolean): Record<string, string> => {
        const tag = reveal ? 'revealed' : 'hidden';
        const out: Record<string, string> = {};
        for (const format of ['csv', 'jsonl']) {
          const r = runCli(['export', 'posts', '--format', format, ...(reveal ? ['--reveal-accounts'] : [])], t.env);
          assert.equal(r.status, 0, r.stderr);
          out[`export posts --format ${format}`] = r.stdout;
        }
        const files = { edges: `${tag}.csv`, graphml: `${tag}.graphml`, gexf: `${tag}.gexf`, summary: `${tag}.json` };
        const r = runCli(['coordination', '--json', '--quiet', ...(reveal ? ['--reveal-accounts'] : []),
          ...Object.entries(files).flatMap(([k, f]) => [`--${k}`, path.join(dir, f)])], t.env);
        assert.equal(r.status, 0, r.stderr);
        out['coordination --json'] = r.stdout;
        for (const [k, f] of Object.entries(files)) out[`coordination --${k}`] = readFileSync(path.join(dir, f), 'utf8');
        return out;
      };
      for (const [what, text] of Object.entries(run(false))) {
        assert.ok(text.length > 50, `${what} wrote something`);
        assert.ok(!text.toLowerCase().includes(MARKER), `${what} leaks a raw account identifier: ${excerpt(text)}`);
      }
      for (const [what, text] of Object.entries(run(true))) assert.ok(text.includes('zqxid-') || text.includes('zqxh_'), `${what} --reveal-accounts shows real accounts`);
    });
  });
}

function excerpt(text: string): string {
  const i = text.toLowerCase().indexOf(MARKER);
  return i < 0 ? '' : JSON.stringify(text.slice(Math.max(0, i - 120), i + 60));
}
