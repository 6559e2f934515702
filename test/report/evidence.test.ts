/**
 * Evidence bundles on both store backends: what a post's and a campaign's bundle hold, that the
 * report names every observation, that hostile text stays text, that the same store gives the
 * same bytes, that tampering is caught and named, and that no account leaves unless revealed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { unzipSync, zipSync, strFromU8, strToU8 } from 'fflate';
import { backends, type TestStore } from '../helpers/stores.ts';
import { seedEvidence, EDITED, HOSTILE, MARKER, SOURCE, T0, type EvidenceFixture } from './evidence-fixture.ts';
import { campaignBundle, postBundle } from '../../src/report/evidence/bundle.ts';
import { verifyBundle } from '../../src/report/evidence/verify.ts';
import { readZip } from '../../src/report/evidence/zip.ts';
import { resolvePostId } from '../../src/report/evidence/post-evidence.ts';
import { UserError } from '../../src/util/errors.ts';
import { ensureSource } from '../../src/store/queries/sources.ts';
import { startServer } from '../../src/serve/server.ts';
import { shellQuote, verifyMd } from '../../src/report/evidence/verify-md.ts';
import { checkRequest } from '../../src/report/evidence/fetched.ts';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const texts = (zip: Uint8Array) => Object.fromEntries(Object.entries(unzipSync(zip)).map(([k, v]) => [k, strFromU8(v)]));
const haveTools = spawnSync('sh', ['-c', 'command -v unzip && command -v sha256sum']).status === 0;

for (const b of backends()) {
  describe(`evidence bundles [${b.label}]`, () => {
    let t: TestStore;
    let fx: EvidenceFixture;
    let dir: string;

    before(async () => {
      t = await b.open();
      fx = await seedEvidence(t.store);
      dir = mkdtempSync(join(tmpdir(), 'evidence-test-'));
    });
    after(async () => {
      await t?.cleanup();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("holds a post's report, raw files and manifests, every hash right", async () => {
      const bundle = await postBundle(t.store, fx.postId, { reveal: false });
      const files = unzipSync(bundle.bytes);
      assert.deepEqual(Object.keys(files).sort(), ['MANIFEST.sha256', 'VERIFY.md', 'disappearances.json', 'manifest.json', 'observations.jsonl', 'post.json', 'report.html', 'versions.jsonl']);
      // MANIFEST.sha256 lists every file but itself, in sha256sum's format, each hash right.
      const lines = strFromU8(files['MANIFEST.sha256']!).trimEnd().split('\n');
      assert.equal(lines.length, Object.keys(files).length - 1);
      for (const line of lines) {
        const m = /^([0-9a-f]{64}) {2}(\S+)$/.exec(line);
        assert.ok(m, line);
        assert.equal(sha(files[m[2]!]!), m[1], `${m[2]} hash`);
      }
      const manifest = JSON.parse(strFromU8(files['manifest.json']!)) as { kind: string; accounts: string; files: Array<{ file: string; bytes: number; sha256: string }>; subject: Record<string, unknown> };
      assert.equal(manifest.kind, 'post');
      assert.equal(manifest.accounts, 'pseudonymised');
      assert.deepEqual(manifest.subject, { post_id: fx.postId, source: SOURCE, platform_post_id: fx.platformPostId, status: 'deleted' });
      assert.deepEqual(manifest.files.map((f) => f.file), ['VERIFY.md', 'disappearances.json', 'observations.jsonl', 'post.json', 'report.html', 'versions.jsonl']);
      for (const f of manifest.files) assert.deepEqual([f.bytes, f.sha256], [files[f.file]!.byteLength, sha(files[f.file]!)], f.file);
      assert.equal(bundle.sha256, sha(bundle.bytes));
      // The raw data: every observation, both versions with their hashes checked, the interval.
      const obs = strFromU8(files['observations.jsonl']!).trimEnd().split('\n').map((l) => JSON.parse(l) as { id: number; observed_at: string; outcome: string; request_url: string });
      assert.deepEqual(obs.map((o) => o.id), fx.observationIds);
      assert.equal(obs[1]!.outcome, 'transient');
      assert.equal(obs[3]!.request_url, `https://social.example.invalid/api/v1/statuses/${fx.platformPostId}`);
      const versions = strFromU8(files['versions.jsonl']!).trimEnd().split('\n').map((l) => JSON.parse(l) as { text: string; sha256: string; sha256_matches: boolean });
      assert.deepEqual(versions.map((v) => v.text), [HOSTILE, EDITED]);
      assert.ok(versions.every((v) => v.sha256_matches && v.sha256 === createHash('sha256').update(v.text).digest('hex')));
      const gone = JSON.parse(strFromU8(files['disappearances.json']!)) as Array<{ kind: string; last_seen_at: string; first_missing_at: string; observation_id: number; interval_seconds: number }>;
      assert.deepEqual(gone.map((g) => [g.kind, g.observation_id, g.interval_seconds]), [['deleted', fx.observationIds[3], 3600]]);
      const verify = strFromU8(files['VERIFY.md']!);
      for (const cmd of [`unzip 'censorscope-evidence-post-${fx.postId}.zip'`, 'sha256sum -c MANIFEST.sha256', `censorscope evidence verify 'censorscope-evidence-post-${fx.postId}.zip'`,
        `curl -sS -i 'https://social.example.invalid/api/v1/statuses/${fx.platformPostId}'`]) assert.ok(verify.includes(cmd), `VERIFY.md gives: ${cmd}`);
    });

    it('names every observation of the post in report.html, with ISO times and the disappearance interval, never epoch numbers', async () => {
      const report = texts((await postBundle(t.store, fx.postId, { reveal: false })).bytes)['report.html']!;
      const rows = await t.store.db.selectFrom('observations').select(['id', 'observed_at']).where('post_id', '=', fx.postId).execute();
      assert.equal(rows.length, 4);
      for (const r of rows) {
        const at = new Date(Number(r.observed_at)).toISOString();
        assert.match(report, new RegExp(`<td id="obs-${r.id}">#${r.id}</td><td><time datetime="${at}">`), `observation #${r.id} at ${at}`);
        assert.ok(!report.includes(String(r.observed_at)), `no epoch milliseconds (${r.observed_at})`);
      }
      const d = await t.store.db.selectFrom('disappearances').selectAll().where('post_id', '=', fx.postId).executeTakeFirstOrThrow();
      const interval = /<p class="summary" id="interval">(.*?)<\/p>/s.exec(report)![1]!;
      assert.ok(interval.includes(new Date(Number(d.last_seen_at)).toISOString()) && interval.includes(new Date(Number(d.first_missing_at)).toISOString()), interval);
      assert.match(interval, /deleted \(actor unknown\)/);
      assert.match(interval, new RegExp(`#${fx.observationIds[3]} at`));
      assert.match(interval, /1 h 0 min 0 s/);
    });

    it('keeps hostile text as text: escaped, no script, no tag from the data, a CSP that allows nothing', async () => {
      const report = texts((await postBundle(t.store, fx.postId, { reveal: true })).bytes)['report.html']!;
      assert.ok(!/<script|<img|<b>|<[^>]*\sonerror=/i.test(report), 'no markup from the data survives');
      assert.ok(report.includes('&lt;/blockquote&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; 看看 &amp; &quot;q&quot; &apos;s&apos;'), 'the text is there, escaped');
      assert.ok(report.includes('Service Unavailable &lt;script&gt;alert(9)&lt;/script&gt;'), 'observation details are escaped too');
      assert.match(report, /<meta http-equiv="Content-Security-Policy" content="default-src &apos;none&apos;; style-src &apos;sha256-[A-Za-z0-9+/=]+&apos;/);
      // The style hash in the CSP is the hash of the one stylesheet, so the page keeps its styles and nothing else.
      const css = /<style>([\s\S]*?)<\/style>/.exec(report)![1]!;
      assert.ok(report.includes(`sha256-${createHash('sha256').update(css).digest('base64')}`));
      assert.equal((report.match(/<style>/g) ?? []).length, 1);
      assert.match(report, /@media print/);
    });

    it('gives byte-identical bundles for the same store, whatever the time zone', async () => {
      const a = await postBundle(t.store, fx.postId, { reveal: false });
      const again = await postBundle(t.store, `${SOURCE}:${fx.platformPostId}`, { reveal: false });
      assert.equal(again.sha256, a.sha256, 'by store id and by SOURCE:PLATFORM_POST_ID');
      const c1 = await campaignBundle(t.store, fx.campaignKey, { reveal: false });
      const c2 = await campaignBundle(t.store, fx.campaignKey, { reveal: false });
      assert.equal(c1.sha256, c2.sha256);
      // Another process in zones with other offsets and daylight saving (ZIP stores local time).
      for (const tz of ['Pacific/Chatham', 'America/Sao_Paulo']) {
        const out = join(dir, `tz-${tz.replace('/', '-')}.zip`);
        const r = spawnSync(process.execPath, ['bin/censorscope.js', 'evidence', 'post', String(fx.postId), '--out', out, '--json'], { env: { ...process.env, ...t.env, TZ: tz }, encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
        assert.equal((JSON.parse(r.stdout) as { sha256: string }).sha256, a.sha256, `TZ=${tz}`);
      }
      // The entries are sorted and dated from the data, not from the clock.
      const names: string[] = [];
      unzipSync(a.bytes, { filter: (f) => { names.push(f.name); return false; } });
      assert.deepEqual(names, [...names].sort());
      if (haveTools) {
        const zipFile = join(dir, 'listing.zip');
        writeFileSync(zipFile, a.bytes);
        const listing = spawnSync('unzip', ['-l', zipFile], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } }).stdout;
        assert.match(listing, /2024-05-06 12:00/, listing);
      }
    });

    it('unpacks with unzip and checks with sha256sum -c, as VERIFY.md says', { skip: haveTools ? false : 'unzip or sha256sum is not installed' }, async () => {
      const bundle = await campaignBundle(t.store, fx.campaignKey, { reveal: false });
      const zipFile = join(dir, bundle.name);
      writeFileSync(zipFile, bundle.bytes);
      const out = join(dir, 'unpacked');
      assert.equal(spawnSync('unzip', ['-q', zipFile, '-d', out]).status, 0);
      const r = spawnSync('sha256sum', ['-c', 'MANIFEST.sha256'], { cwd: out, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.equal((r.stdout.match(/: OK$/gm) ?? []).length, bundle.files.length - 1);
      // And fails once a file changes.
      writeFileSync(join(out, 'posts.jsonl'), 'changed\n');
      const bad = spawnSync('sha256sum', ['-c', 'MANIFEST.sha256'], { cwd: out, encoding: 'utf8' });
      assert.notEqual(bad.status, 0);
      assert.match(bad.stdout, /posts\.jsonl: FAILED/);
    });

    it('resolves SOURCE:PLATFORM_POST_ID (colons allowed on both sides) and refuses what names no post, with a sentence', async () => {
      assert.equal(await resolvePostId(t.store, `${SOURCE}:${fx.platformPostId}`), fx.postId);
      assert.equal(await resolvePostId(t.store, ` ${fx.postId} `), fx.postId);
      const refused: Array<[string, RegExp]> = [
        ['99999999', /^No post 99999999 in this store; give its store id/],
        [`${SOURCE}:nope`, /^No post "masto-ev:nope" in this store: source "masto-ev" has no post with that platform id\.$/],
        ['elsewhere:1', /^No post "elsewhere:1" in this store: no source is named "elsewhere" \(sources: masto @zqxh_followed, masto-ev\)\.$/],
        ['abc', /^"abc" is not a post id: give the store id \(a number\) or SOURCE:PLATFORM_POST_ID\.$/],
      ];
      for (const [ref, message] of refused) await assert.rejects(resolvePostId(t.store, ref), (err: Error) => err instanceof UserError && message.test(err.message), ref);
      // A source name and a platform id that both hold colons (feed item ids are often URLs).
      const src = await ensureSource(t.store, { name: 'feed:news', kind: 'import', platform: 'test' });
      await t.store.bulkWriter().writePosts(Number(src.id), [{
        platformPostId: 'https://news.example.invalid/a:1', accountId: null, accountHandle: null, accountName: null, createdAt: T0, text: 'x', language: null,
        url: null, replyToId: null, repostOfId: null, hashtags: null, urls: null, mentions: null, status: 'visible', statusChangedAt: null, statusEvidence: null, extra: null,
      }], T0);
      const colon = await t.store.db.selectFrom('posts').select('id').where('platform_post_id', '=', 'https://news.example.invalid/a:1').executeTakeFirstOrThrow();
      assert.equal(await resolvePostId(t.store, 'feed:news:https://news.example.invalid/a:1'), Number(colon.id));
      await assert.rejects(campaignBundle(t.store, 'cmp-missing', { reveal: false }), /^UserError: No campaign "cmp-missing" in this store; campaign ids look like/);
    });

    it('catches tampering and names the file: changed, removed, added, or disagreeing with manifest.json', async () => {
      const bundle = await postBundle(t.store, fx.postId, { reveal: false });
      assert.deepEqual(verifyBundle(bundle.bytes, 'b.zip').problems, []);
      assert.equal(verifyBundle(bundle.bytes, 'b.zip').ok, true);
      const files = unzipSync(bundle.bytes);
      const rezip = (f: Record<string, Uint8Array>) => zipSync(f);
      const changed = verifyBundle(rezip({ ...files, 'report.html': strToU8(strFromU8(files['report.html']!).replace('deleted (actor unknown)', 'removed by the platform')) }), 'b.zip');
      assert.equal(changed.ok, false);
      assert.deepEqual([...new Set(changed.problems.map((p) => p.file))], ['report.html']);
      assert.match(changed.problems[0]!.message, /^report\.html has SHA-256 [0-9a-f]{64} but MANIFEST\.sha256 says [0-9a-f]{64}: the file was changed after the bundle was made\.$/);
      const { 'observations.jsonl': _gone, ...rest } = files;
      const removed = verifyBundle(rezip(rest), 'b.zip');
      assert.ok(removed.problems.some((p) => p.file === 'observations.jsonl' && /listed in MANIFEST\.sha256 but missing from b\.zip/.test(p.message)), JSON.stringify(removed.problems));
      const added = verifyBundle(rezip({ ...files, 'extra.txt': strToU8('planted') }), 'b.zip');
      assert.ok(added.problems.some((p) => p.file === 'extra.txt' && /not listed in MANIFEST\.sha256: it was added/.test(p.message)), JSON.stringify(added.problems));
      // A forger who also fixes MANIFEST.sha256 is still caught by manifest.json (and the bundle's own hash changes).
      const forged: Record<string, Uint8Array> = { ...files, 'post.json': strToU8('{}\n') };
      const sums = Object.keys(forged).filter((f) => f !== 'MANIFEST.sha256').sort().map((f) => `${sha(forged[f]!)}  ${f}\n`).join('');
      const inconsistent = verifyBundle(rezip({ ...forged, 'MANIFEST.sha256': strToU8(sums) }), 'b.zip');
      assert.deepEqual(inconsistent.problems.map((p) => p.file), ['post.json']);
      assert.match(inconsistent.problems[0]!.message, /but manifest\.json says/);
      assert.notEqual(inconsistent.bundle_sha256, bundle.sha256);
      const noManifest = verifyBundle(rezip({ 'report.html': files['report.html']! }), 'b.zip');
      assert.match(noManifest.problems[0]!.message, /MANIFEST\.sha256 is missing from b\.zip/);
      assert.match(verifyBundle(strToU8('not a zip at all'), 'x.zip').problems[0]!.message, /^x\.zip cannot be read as an evidence bundle: it is not a ZIP archive/);
    });

    it('refuses an entry that inflates past the size its archive declares (a zip bomb)', () => {
      const big = zipSync({ 'MANIFEST.sha256': new Uint8Array(4_000_000) }, { level: 9 });
      // Patch the declared uncompressed size (local header +22, central directory +24) down to 100 bytes.
      const view = new DataView(big.buffer, big.byteOffset, big.byteLength);
      view.setUint32(22, 100, true);
      const cd = big.findLastIndex((_x, i) => i + 3 < big.length && view.getUint32(i, true) === 0x02014b50);
      view.setUint32(cd + 24, 100, true);
      assert.throws(() => readZip(big), /inflates to more than the 100 bytes it declares/);
      assert.match(verifyBundle(big, 'bomb.zip').problems[0]!.message, /bomb\.zip cannot be read as an evidence bundle: MANIFEST\.sha256 inflates to more than the 100 bytes/);
      assert.throws(() => readZip(zipSync({ a: new Uint8Array(5000) }), 1000), /declare 5000 bytes uncompressed, more than the 1000/);
    });

    it('holds a campaign: its finding, accounts, every post, edges with evidence, grouped texts, observations', async () => {
      const bundle = await campaignBundle(t.store, fx.campaignKey, { reveal: false });
      const f = texts(bundle.bytes);
      assert.deepEqual(Object.keys(f).sort(), ['MANIFEST.sha256', 'VERIFY.md', 'accounts.jsonl', 'disappearances.jsonl', 'edges.csv', 'finding.json', 'manifest.json', 'observations.jsonl', 'posts.jsonl', 'report.html', 'texts.jsonl']);
      assert.deepEqual(verifyBundle(bundle.bytes, bundle.name).problems, []);
      const stored = await t.store.db.selectFrom('findings').select(['key', 'evidence']).where('kind', '=', 'campaign').executeTakeFirstOrThrow();
      const ev = JSON.parse(stored.evidence) as { postIds: number[]; edges: Array<{ source: string; target: string; edge_type: string; evidence: Array<[number, number]> }>; accounts: string[] };
      const refs = await t.store.db.selectFrom('posts').select(['id', 'platform_post_id']).where('id', 'in', ev.postIds).execute();
      const posts = f['posts.jsonl']!.trimEnd().split('\n').map((l) => JSON.parse(l) as { source: string; platform_post_id: string; status: string; created_at: string });
      assert.deepEqual(new Set(posts.map((p) => p.platform_post_id)), new Set(refs.map((r) => r.platform_post_id)), 'every post of the finding');
      assert.ok(posts.every((p) => p.source === SOURCE && /^\d{4}-\d\d-\d\dT/.test(p.created_at)));
      assert.ok(posts.some((p) => p.status === 'removed_by_platform'));
      const edges = f['edges.csv']!.trimEnd().split('\n');
      assert.equal(edges[0], 'source,target,weight,edge_type,evidence');
      assert.equal(edges.length - 1, ev.edges.length);
      assert.ok(edges.slice(1).every((l) => /^acct_[0-9a-f]{20},acct_[0-9a-f]{20},\d+,[a-z_]+,"\[\[\[""masto-ev"",""m\d-\d""\]/.test(l)), edges[1]);
      const groups = f['texts.jsonl']!.trimEnd().split('\n').map((l) => JSON.parse(l) as { count: number; accounts: number; text: string });
      assert.equal(groups.reduce((s, g) => s + g.count, 0), posts.length, 'every post in one text group');
      assert.ok(groups.length <= 3 && groups[0]!.count >= 4 && groups[0]!.accounts >= 2, JSON.stringify(groups));
      const accounts = f['accounts.jsonl']!.trimEnd().split('\n').map((l) => JSON.parse(l) as { account: string; posts: number });
      assert.equal(accounts.length, ev.accounts.length);
      // The report names every post and every observation of them.
      const report = f['report.html']!;
      for (const r of refs) assert.ok(report.includes(`<code>${SOURCE}:${r.platform_post_id}</code>`), `post ${r.platform_post_id}`);
      const obs = await t.store.db.selectFrom('observations').select(['id', 'observed_at']).where('post_id', 'in', ev.postIds).execute();
      assert.ok(obs.length >= ev.postIds.length);
      for (const o of obs) assert.ok(report.includes(`<td id="obs-${o.id}">#${o.id}</td>`) && report.includes(new Date(Number(o.observed_at)).toISOString()), `observation ${o.id}`);
      assert.equal(JSON.parse(f['manifest.json']!).kind, 'campaign');
    });

    it('serves the same bundle over the API, under the server\'s privacy setting, and 404s with a sentence', async () => {
      const server = await startServer(t.store, { port: 0, token: 'evidence-token' });
      try {
        const res = await fetch(`${server.url}/api/posts/${fx.postId}/evidence.zip`);
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('content-type'), 'application/zip');
        assert.equal(res.headers.get('content-disposition'), `attachment; filename="censorscope-evidence-post-${fx.postId}.zip"`);
        const body = new Uint8Array(await res.arrayBuffer());
        assert.equal(sha(body), (await postBundle(t.store, fx.postId, { reveal: false })).sha256, 'the same bytes as the CLI');
        assert.equal(res.headers.get('x-bundle-sha256'), sha(body));
        assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'/);
        const camp = await fetch(`${server.url}/api/campaigns/${encodeURIComponent(fx.campaignKey)}/evidence.zip`);
        assert.equal(sha(new Uint8Array(await camp.arrayBuffer())), (await campaignBundle(t.store, fx.campaignKey, { reveal: false })).sha256);
        const missing = await fetch(`${server.url}/api/posts/99999999/evidence.zip`);
        assert.equal(missing.status, 404);
        assert.match(((await missing.json()) as { error: { message: string } }).error.message, /^No post 99999999 in this store/);
        const noCampaign = await fetch(`${server.url}/api/campaigns/cmp-nope/evidence.zip`);
        assert.equal(noCampaign.status, 404);
        assert.match(((await noCampaign.json()) as { error: { message: string } }).error.message, /^No campaign "cmp-nope" in this store/);
        const bad = await fetch(`${server.url}/api/posts/abc/evidence.zip`);
        assert.equal(bad.status, 400);
        assert.equal(((await bad.json()) as { error: { param: string } }).error.param, 'id');
        // An admin reveals accounts: the bundle says so and shows them.
        const put = await fetch(`${server.url}/api/settings`, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: 'Bearer evidence-token' }, body: '{"revealAccounts":true}' });
        assert.equal(put.status, 200);
        const revealed = texts(new Uint8Array(await (await fetch(`${server.url}/api/posts/${fx.postId}/evidence.zip`)).arrayBuffer()));
        assert.equal(JSON.parse(revealed['manifest.json']!).accounts, 'revealed');
        assert.ok(revealed['post.json']!.includes('zqxh_alice'));
        await fetch(`${server.url}/api/settings`, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: 'Bearer evidence-token' }, body: '{"revealAccounts":false}' });
      } finally {
        await server.close();
      }
    });

    it('leaves no account identifier in any file unless revealed, and says which policy was in force', async () => {
      for (const make of [() => postBundle(t.store, fx.postId, { reveal: false }), () => campaignBundle(t.store, fx.campaignKey, { reveal: false })]) {
        const f = texts((await make()).bytes);
        for (const [name, text] of Object.entries(f)) {
          const i = text.toLowerCase().indexOf(MARKER);
          assert.equal(i, -1, `${name} leaks an account: ${JSON.stringify(text.slice(Math.max(0, i - 80), i + 40))}`);
        }
        assert.equal(JSON.parse(f['manifest.json']!).accounts, 'pseudonymised');
        assert.match(f['report.html']!, /<p class="privacy" id="privacy">Accounts pseudonymised/);
      }
      const post = texts((await postBundle(t.store, fx.postId, { reveal: true })).bytes);
      assert.equal(JSON.parse(post['manifest.json']!).accounts, 'revealed');
      assert.match(post['report.html']!, /id="privacy">Accounts revealed/);
      assert.ok(post['post.json']!.includes('zqxh_alice') && post['report.html']!.includes('Zqxname alice'), 'real handle and name when revealed');
      assert.ok(post['observations.jsonl']!.includes('zqxh_followed'));
      const campaign = texts((await campaignBundle(t.store, fx.campaignKey, { reveal: true })).bytes);
      assert.ok(campaign['edges.csv']!.includes('zqxid-') && campaign['posts.jsonl']!.includes('zqxid-'));
    });
  });
}

describe('evidence bundle commands and requests from hostile data', () => {
  it('quotes a hostile URL so the curl line in VERIFY.md runs curl on that one URL and nothing else', () => {
    const hostile = "https://evil.example.invalid/a'; touch /tmp/pwned; echo '`id`$(id)\n```\nmore";
    const md = verifyMd({ bundleName: "b'x.zip", subject: 'post x', remake: 'censorscope evidence post 1', revealed: true, asOf: '2024-01-01T00:00:00.000Z', requests: [{ label: 'post', url: hostile }, { label: 'script', url: 'javascript:alert(1)' }] });
    const curl = md.split('\n').filter((l) => l.startsWith('curl '));
    assert.equal(curl.length, 1, 'only the http(s) URL gets a curl line');
    assert.equal((md.match(/^```/gm) ?? []).length % 2, 0, 'code fences stay balanced');
    // The shell sees exactly one argument after the options: the URL as the WHATWG parser normalises it.
    const args = spawnSync('sh', ['-c', `set -- ${curl[0]!.slice('curl -sS -i '.length)}; printf '%s\\n' "$#" "$1"`], { encoding: 'utf8' }).stdout.split('\n');
    assert.equal(args[0], '1');
    assert.equal(args[1], new URL(hostile).href);
    assert.ok(md.includes(`unzip ${shellQuote("b'x.zip")}`));
  });

  it('rebuilds the request a check made from the source configuration, with credentials redacted', () => {
    const httpJson = { list: { url: 'https://api.example.invalid/list', fields: { id: 'id', text: 't' } }, check: { url: 'https://api.example.invalid/post/{id}?access_token=s3cret&x=1', rules: [{ status: 404, outcome: 'deleted' }] } };
    const r = checkRequest({ name: 'j', kind: 'http-json', platform: 'x', config: JSON.stringify(httpJson) }, 'a/b', null);
    assert.equal(r.url, 'https://api.example.invalid/post/a%2Fb?access_token=[redacted]&x=1');
    const m = checkRequest({ name: 'm', kind: 'mastodon', platform: 'mastodon', config: JSON.stringify({ url: 'https://user:pw@m.example.invalid///' }) }, '42', null);
    assert.equal(m.url, 'https://[redacted]@m.example.invalid/api/v1/statuses/42');
    const feedListed = checkRequest({ name: 'f', kind: 'feed', platform: 'rss', config: JSON.stringify({ url: 'https://f.example.invalid/rss' }) }, 'i1', 'https://f.example.invalid/item/1', 'feed');
    assert.equal(feedListed.url, 'https://f.example.invalid/rss');
    const feedUrl = checkRequest({ name: 'f', kind: 'feed', platform: 'rss', config: JSON.stringify({ url: 'https://f.example.invalid/rss' }) }, 'i1', 'https://f.example.invalid/item/1', 'url');
    assert.equal(feedUrl.url, 'https://f.example.invalid/item/1');
    assert.equal(checkRequest({ name: 'i', kind: 'import', platform: 'weibo', config: '{}' }, '1', null).url, null);
    assert.equal(checkRequest({ name: 'b', kind: 'mastodon', platform: 'mastodon', config: 'not json' }, '1', null).url, null);
  });
});
