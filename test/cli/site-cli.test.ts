/**
 * `censorscope site add|list|history|remove|webhook` through the real command line, on both store
 * backends: URLs validated and normalised, intervals of any length (seconds included), test lists
 * with bad rows quarantined (file, line, field), idempotent re-adds, unknown URLs refused with a
 * sentence and a non-zero exit.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { backends, type TestStore } from '../helpers/stores.ts';
import { runCli } from '../helpers/cli.ts';
import { tempDir, csv } from '../helpers/files.ts';
import { spawn } from 'node:child_process';
import { scriptedSite } from '../watch/sites-fixture.ts';

/** Runs the CLI without blocking this process (the loopback site must keep answering). */
function runCliAsync(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/censorscope.js', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const HEADER = ['url', 'category_code', 'category_description', 'date_added', 'source', 'notes'];
const REAL_LIST = join(process.cwd(), '..', 'shared', 'data', 'test-lists', 'cn.csv');

for (const b of backends()) {
  describe(`site CLI [${b.label}]`, () => {
    let t: TestStore;
    const files = tempDir();
    before(async () => { t = await b.open(); });
    after(async () => { await t.cleanup(); files.cleanup(); });

    it('adds a site with --every 5s, --name and --webhook, normalised, and lists it', () => {
      const r = runCli(['site', 'add', 'HTTP://News.Example.ORG#top', '--every', '5s', '--name', 'News', '--webhook', 'http://127.0.0.1:9/hook'], t.env);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^tracking site \d+ http:\/\/news\.example\.org\/ every 5s \("News"\), webhook http:\/\/127\.0\.0\.1:9\/hook\n$/);
      const again = runCli(['site', 'add', 'http://news.example.org/'], t.env);
      assert.equal(again.status, 0, again.stderr);
      assert.match(again.stdout, /^already tracked site \d+ http:\/\/news\.example\.org\/ every 5s/);
      const list = runCli(['site', 'list', '--json'], t.env);
      assert.equal(list.status, 0, list.stderr);
      const sites = JSON.parse(list.stdout) as Array<Record<string, unknown>>;
      assert.equal(sites.length, 1);
      assert.equal(sites[0].url, 'http://news.example.org/');
      assert.equal(sites[0].everyMs, 5000);
      assert.equal(sites[0].every, '5s');
      assert.equal(sites[0].name, 'News');
      assert.equal(sites[0].webhook, 'http://127.0.0.1:9/hook');
      assert.equal(sites[0].state, null);
      const human = runCli(['site', 'list'], t.env);
      assert.match(human.stdout, /new\s+-\s+5s\s+http:\/\/news\.example\.org\/ {2}\(News\)/);
    });

    it('refuses what is not an http(s) URL and intervals under a second, with sentences', () => {
      const ftp = runCli(['site', 'add', 'ftp://example.org/'], t.env);
      assert.equal(ftp.status, 1);
      assert.match(ftp.stderr, /"ftp:\/\/example\.org\/" is not a site URL: only http:\/\/ and https:\/\/ URLs can be tracked/);
      const fast = runCli(['site', 'add', 'https://example.org/', '--every', '200ms'], t.env);
      assert.equal(fast.status, 1);
      assert.match(fast.stderr, /The revisit interval must be at least 1 s/);
      const bad = runCli(['site', 'add', 'https://example.org/', '--every', 'soon'], t.env);
      assert.equal(bad.status, 1);
      assert.match(bad.stderr, /"soon" is not a duration/);
    });

    it('names an unknown URL in history and remove, exiting non-zero', () => {
      const h = runCli(['site', 'history', 'https://unknown.example/', '--json'], t.env);
      assert.equal(h.status, 1);
      assert.equal(h.stdout, '');
      assert.match(h.stderr, /https:\/\/unknown\.example\/ is not a tracked site/);
      const rm = runCli(['site', 'remove', 'https://unknown.example/'], t.env);
      assert.equal(rm.status, 1);
      assert.match(rm.stderr, /https:\/\/unknown\.example\/ is not a tracked site/);
    });

    it('prints an empty history in the documented shape, then removes the site', () => {
      const h = runCli(['site', 'history', 'http://news.example.org', '--json'], t.env);
      assert.equal(h.status, 0, h.stderr);
      assert.deepEqual(JSON.parse(h.stdout), { url: 'http://news.example.org/', captures: [] });
      const rm = runCli(['site', 'remove', 'http://news.example.org/'], t.env);
      assert.equal(rm.status, 0, rm.stderr);
      assert.match(rm.stdout, /^removed site \d+ http:\/\/news\.example\.org\/\n$/);
      assert.deepEqual(JSON.parse(runCli(['site', 'list', '--json'], t.env).stdout), []);
    });

    it('adds a test list, quarantining bad rows with file, line and field; adding it again adds nothing', async () => {
      const file = files.file('list.csv', csv([
        HEADER,
        ['https://a.example/', 'NEWS', 'News Media', '2020-01-01', 'citizenlab', ''],
        ['not a url', 'NEWS', 'News Media', '2020-01-01', 'citizenlab', ''],
        ['https://b.example/path', 'HUMR', 'Human Rights Issues', '2020-01-01', 'citizenlab'],
        ['javascript:alert(1)', 'NEWS', 'News Media', '2020-01-01', 'citizenlab', ''],
        ['http://c.example/', 'GMB', 'Gambling', '2020-01-01', 'citizenlab', 'note'],
      ]));
      const r = runCli(['site', 'add', '--list', file, '--every', '10m'], t.env);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.split('\n')[0], `${file}: 2 site(s) added, 0 already tracked, 3 row(s) quarantined (kept in the import_errors table).`);
      assert.match(r.stdout, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}, line 3, field url: "not a url" is not an http\\(s\\) URL`));
      assert.match(r.stdout, /line 4, field \(row\): the row has 5 fields, the header 6/);
      assert.match(r.stdout, /line 5, field url: "javascript:alert\(1\)" is not an http\(s\) URL/);
      const errors = await t.store.db.selectFrom('import_errors').select(['file', 'line', 'field', 'reason']).orderBy('line').execute();
      assert.deepEqual(errors.map((e) => [e.file, Number(e.line), e.field]), [[file, 3, 'url'], [file, 4, '(row)'], [file, 5, 'url']]);
      const again = runCli(['site', 'add', '--list', file, '--json'], t.env);
      assert.equal(again.status, 0, again.stderr);
      const summary = JSON.parse(again.stdout) as { added: number; alreadyTracked: number; quarantined: unknown[] };
      assert.equal(summary.added, 0);
      assert.equal(summary.alreadyTracked, 2);
      assert.equal(summary.quarantined.length, 3);
      assert.equal((await t.store.db.selectFrom('import_errors').select('id').execute()).length, 3, 'quarantine is idempotent');
      const sites = await t.store.db.selectFrom('tracked_sites').select(['url', 'category', 'every_ms']).orderBy('url').execute();
      assert.deepEqual(sites.map((s) => [s.url, s.category, Number(s.every_ms)]), [['http://c.example/', 'GMB', 600_000], ['https://a.example/', 'NEWS', 600_000]]);
    });

    it('refuses a list whose header is not a test list, naming file and line', () => {
      const file = files.file('wrong.csv', 'address,kind\nhttps://x.example/,NEWS\n');
      const r = runCli(['site', 'add', '--list', file], t.env);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /wrong\.csv, line 1: the header must be url,category_code,category_description,date_added,source,notes/);
    });

    it('sets, shows and clears the global webhook', () => {
      const set = runCli(['site', 'webhook', 'https://hooks.example/x'], t.env);
      assert.equal(set.status, 0, set.stderr);
      assert.equal(set.stdout, 'global site webhook: https://hooks.example/x\n');
      assert.equal(runCli(['site', 'webhook'], t.env).stdout, 'global site webhook: https://hooks.example/x\n');
      assert.equal(runCli(['site', 'webhook', '--clear'], t.env).stdout, 'global site webhook cleared\n');
      assert.match(runCli(['site', 'webhook'], t.env).stdout, /^no global site webhook/);
    });

    it('`watch` with only a tracked site revisits it every 5 s; `site history --json` prints the captures oldest first in the documented shape', async () => {
      const site = await scriptedSite(() => ({ body: `<html><head><title>Local news</title></head><body><h1>Local news</h1><p>Story one of the day.</p><p>Story two.</p></body></html>` }));
      const env = { ...t.env, CENSORSCOPE_ARCHIVE: join(files.dir, 'archive') };
      try {
        // Only this site: the list's sites (a.example, ...) would be visited too.
        await t.store.db.deleteFrom('tracked_sites').execute();
        const add = await runCliAsync(['site', 'add', site.url, '--every', '5s'], env);
        assert.equal(add.status, 0, add.stderr);
        const w = await runCliAsync(['watch', '--for', '8s'], env);
        assert.equal(w.status, 0, w.stderr);
        assert.match(w.stderr, /sites=1 captures\/min=2 states: reachable=1/);
        assert.equal(site.hits.length, 2, `hits ${site.hits.length}`);
        const gap = site.hits[1] - site.hits[0];
        assert.ok(gap >= 4500 && gap < 6500, `revisited after ${gap} ms`);
        const h = await runCliAsync(['site', 'history', site.url, '--json'], env);
        assert.equal(h.status, 0, h.stderr);
        const doc = JSON.parse(h.stdout) as { url: string; captures: Array<Record<string, unknown>> };
        assert.deepEqual(Object.keys(doc), ['url', 'captures']);
        assert.equal(doc.url, site.url);
        assert.equal(doc.captures.length, 2);
        for (const c of doc.captures) {
          assert.deepEqual(Object.keys(c), ['at', 'status', 'verdict', 'reasons', 'digest']);
          assert.match(c.at as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
          assert.equal(c.status, 200);
          assert.equal(c.verdict, 'reachable');
          assert.ok(Array.isArray(c.reasons) && (c.reasons as unknown[]).every((r) => typeof r === 'string'));
          assert.match(c.digest as string, /^sha256:[0-9a-f]{64}$/);
        }
        assert.ok(Date.parse(doc.captures[0].at as string) < Date.parse(doc.captures[1].at as string), 'oldest first');
        assert.equal((await t.store.db.selectFrom('archive_records').select('id').where('subject', '=', 'site').execute()).length >= 2, true, 'archived');
        const human = await runCliAsync(['site', 'history', site.url], env);
        assert.match(human.stdout, /reachable\s+sha256:/);
        await runCliAsync(['site', 'remove', site.url], env);
      } finally {
        await site.close();
      }
    });

    it('adds the real Citizen Lab China list (skipped when the shared data is absent)', { skip: existsSync(REAL_LIST) ? false : `${REAL_LIST} is absent (shared test data)` }, async () => {
      const r = runCli(['site', 'add', '--list', REAL_LIST, '--json'], t.env);
      assert.equal(r.status, 0, r.stderr);
      const s = JSON.parse(r.stdout) as { added: number; alreadyTracked: number; quarantined: unknown[] };
      assert.ok(s.added > 500, `added ${s.added}`);
      const n = await t.store.db.selectFrom('tracked_sites').select((eb) => eb.fn.countAll().as('n')).where('category', 'is not', null).executeTakeFirst();
      assert.ok(Number(n?.n) >= s.added);
    });
  });
}
