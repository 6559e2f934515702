/**
 * `censorscope source add feed` fetches the URL once and refuses what is not a feed with a
 * sentence; `censorscope source list | head` ends quietly when the reader closes the pipe.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { backends, type TestStore } from '../helpers/stores.ts';
import { addSource } from '../../src/collect/sources/add.ts';
import { serveFeeds, type FeedServer } from '../collect/sources/feed-serve.ts';

interface Run { status: number | null; stdout: string; stderr: string }

/** Runs the CLI without blocking this process (the loopback feed server must keep answering). */
function runCliAsync(args: string[], env: Record<string, string>, opts: { closeStdout?: boolean } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/censorscope.js', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    // Like `| head -0`: the reader goes away before the command writes anything.
    if (opts.closeStdout) child.stdout.destroy();
    else child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const RSS = '<?xml version="1.0"?><rss version="2.0"><channel><title>c</title><link>http://x/</link><description>d</description><item><guid>1</guid><title>t</title></item></channel></rss>';
const PAGE = (feedHref: string | null) => `<!doctype html><html><head><title>Site</title>${feedHref ? `<link rel="alternate" type="application/atom+xml" href="${feedHref}">` : ''}</head><body>news</body></html>`;

// The commands under test fetch and print; the store only holds the rows, and addSource's store
// behaviour is covered on both backends by the watch tests. SQLite alone keeps this file quick.
for (const b of backends().filter((x) => x.label === 'sqlite')) {
  describe(`source add feed / source list [${b.label}]`, () => {
    let t: TestStore;
    let s: FeedServer;
    before(async () => {
      t = await b.open();
      s = await serveFeeds();
      s.routes.set('/feed.xml', { contentType: 'application/rss+xml', body: RSS });
      s.routes.set('/', { contentType: 'text/html; charset=utf-8', body: PAGE('/atom.xml') });
      s.routes.set('/plain', { contentType: 'text/html', body: PAGE(null) });
      s.routes.set('/json', { contentType: 'application/json', body: '{"hello": "world"}' });
    });
    after(async () => { await s.close(); await t.cleanup(); });

    it('adds a real feed', async () => {
      const r = await runCliAsync(['source', 'add', 'feed', '--url', `${s.url}/feed.xml`], t.env);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^added source \d+ "feed:http:\/\/127\.0\.0\.1:\d+\/feed\.xml" \(feed\)\n$/);
    });

    it('refuses an HTML page, naming the feed the page advertises, and stores nothing', async () => {
      const r = await runCliAsync(['source', 'add', 'feed', '--url', `${s.url}/`], t.env);
      assert.equal(r.status, 1);
      assert.equal(r.stderr, `censorscope: ${s.url}/ answered with an HTML page, not a feed; give the feed's own URL (the page advertises this feed: ${s.url}/atom.xml).\n`);
      const plain = await runCliAsync(['source', 'add', 'feed', '--url', `${s.url}/plain`], t.env);
      assert.equal(plain.status, 1);
      assert.match(plain.stderr, /answered with an HTML page, not a feed; give the feed's own URL \(look for <link rel="alternate" type="application\/rss\+xml"> in the page\)/);
      const rows = await t.store.db.selectFrom('sources').select('name').execute();
      assert.deepEqual(rows.map((r) => r.name), [`feed:${s.url}/feed.xml`]);
    });

    it('refuses JSON that is no JSON Feed, a 404 and a dead server with sentences', async () => {
      const json = await runCliAsync(['source', 'add', 'feed', '--url', `${s.url}/json`], t.env);
      assert.equal(json.status, 1);
      assert.match(json.stderr, /\/json: The document is not an RSS, RDF, Atom or JSON feed/);
      const missing = await runCliAsync(['source', 'add', 'feed', '--url', `${s.url}/nope`], t.env);
      assert.match(missing.stderr, /answered HTTP 404, not a feed; give a URL that serves the feed\./);
      const dead = await runCliAsync(['source', 'add', 'feed', '--url', 'http://127.0.0.1:9/feed'], t.env);
      assert.equal(dead.status, 1);
      assert.match(dead.stderr, /^censorscope: Could not fetch http:\/\/127\.0\.0\.1:9\/feed \(.*\); check the URL, or try again when the server answers\.\n$/);
    });

    it('source list | head: a closed stdout ends the command quietly with status 0', async () => {
      for (let i = 0; i < 50; i++) await addSource(t.store, { kind: 'feed', url: `http://127.0.0.1:9/f${i}` });
      for (const args of [['source', 'list'], ['--help']]) {
        const r = await runCliAsync(args, t.env, { closeStdout: true });
        assert.equal(r.stderr, '', `${args.join(' ')}: nothing on stderr`);
        assert.equal(r.status, 0, args.join(' '));
      }
    });
  });
}
