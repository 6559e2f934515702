/**
 * A WACZ exported by the CLI replays in ReplayWeb.page in real Chromium: a plain capture, a revisit
 * of the same URL, and a revisit whose original is another URL's payload (a post repeating a site
 * page) each show the archived page. ReplayWeb.page is not a dependency of the project: the test
 * runs when the `replaywebpage` package is installed, or REPLAYWEBPAGE_DIR names an unpacked copy
 * (`npm pack replaywebpage && tar xzf replaywebpage-*.tgz` gives ./package), and skips otherwise.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import http from 'node:http';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { CHROMIUM, browserSkip } from '../helpers/browser.ts';
import { runCli } from '../helpers/cli.ts';
import { openStore } from '../../src/store/open.ts';
import { openArchive } from '../../src/archive/index.ts';
import { archiveDirFor } from '../../src/archive/location.ts';
import { fillArchive, SITE_URL } from './fixture.ts';

function replayWebPageDir(): string | null {
  if (process.env.REPLAYWEBPAGE_DIR) return existsSync(join(process.env.REPLAYWEBPAGE_DIR, 'sw.js')) ? process.env.REPLAYWEBPAGE_DIR : null;
  try {
    return dirname(createRequire(import.meta.url).resolve('replaywebpage/package.json'));
  } catch {
    return null;
  }
}
const rwp = replayWebPageDir();
const skip = browserSkip || (rwp ? false : 'ReplayWeb.page is not installed (REPLAYWEBPAGE_DIR=$(bash scripts/replaywebpage.sh) fetches it)');

/** Serves the replay page, ReplayWeb.page's ui.js and sw.js, and the WACZ files with range requests. */
function serve(rwpDir: string, waczs: Record<string, string>): http.Server {
  return http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (u.pathname === '/') {
      const attr = (s: string | null) => (s ?? '').replace(/[^A-Za-z0-9:/._%-]/g, '');
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!doctype html><script src="/replay/ui.js"></script><replay-web-page source="${attr(u.searchParams.get('src'))}" url="${attr(u.searchParams.get('url'))}" ts="${attr(u.searchParams.get('ts'))}" replayBase="/replay/" embed="replayonly"></replay-web-page>`);
      return;
    }
    const file = u.pathname === '/replay/ui.js' ? join(rwpDir, 'ui.js') : u.pathname === '/replay/sw.js' ? join(rwpDir, 'sw.js') : waczs[u.pathname];
    if (!file) { res.writeHead(404); res.end(); return; }
    const data = readFileSync(file);
    const type = file.endsWith('.js') ? 'application/javascript' : 'application/zip';
    const range = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    const end = range?.[2] ? Math.min(Number(range[2]), data.length - 1) : data.length - 1;
    res.writeHead(range ? 206 : 200, {
      'content-type': type, 'content-length': end - start + 1, 'accept-ranges': 'bytes',
      ...(range ? { 'content-range': `bytes ${start}-${end}/${data.length}` } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : data.subarray(start, end + 1));
  });
}

test('a WACZ exported by the CLI replays in ReplayWeb.page (captures, same-URL and cross-URL revisits)', { skip, timeout: 600_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'censorscope-replay-'));
  const db = join(dir, 'replay.db');
  const store = await openStore({ db });
  // The default folder beside the SQLite file, which the CLI finds on its own.
  const archive = await openArchive(store, { dir: archiveDirFor({ db, env: {} }) });
  const { postId } = await fillArchive(store, archive);
  await archive.close();
  await store.close();
  const env = { CENSORSCOPE_DB: db, DATABASE_URL: '' };
  for (const [flag, value, out] of [['--site', SITE_URL, 'site.wacz'], ['--post', String(postId), 'post.wacz']] as const) {
    const r = runCli(['archive', 'export', flag, value, '--out', join(dir, out)], env);
    assert.equal(r.status, 0, r.stderr);
  }
  const server = serve(rwp!, { '/site.wacz': join(dir, 'site.wacz'), '/post.wacz': join(dir, 'post.wacz') });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const cases = [
      { src: '/site.wacz', url: SITE_URL, ts: '20261101080000', text: 'Morning news 新闻 body', title: 'Morning news 新闻' },
      { src: '/site.wacz', url: SITE_URL, ts: '20261101080100', text: 'Morning news 新闻 body', title: 'Morning news 新闻' },
      { src: '/site.wacz', url: SITE_URL, ts: '20261101080200', text: 'Hacked by nobody body', title: 'Hacked by nobody' },
      { src: '/post.wacz', url: 'http://social.example.test/p/1', ts: '20261101080320', text: 'Morning news 新闻 body', title: 'Morning news 新闻' },
    ];
    for (const c of cases) {
      // A fresh context per capture: each replay registers its own service worker and collection.
      const context = await browser.newContext();
      const page = await context.newPage();
      try {
        await page.goto(`${base}/?src=${encodeURIComponent(c.src)}&url=${encodeURIComponent(c.url)}&ts=${c.ts}`);
        const shown = await replayedText(page, `${c.ts}mp_/${c.url}`);
        assert.deepEqual(shown, { title: c.title, text: c.text }, `${c.src} ${c.url} at ${c.ts}`);
      } finally {
        await context.close();
      }
    }
  } finally {
    await browser.close();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** The title and text of the replayed page in ReplayWeb.page's innermost frame, once it has loaded. */
async function replayedText(page: import('playwright-core').Page, frameUrlEnd: string): Promise<{ title: string; text: string }> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    for (const f of page.frames()) {
      if (!f.url().endsWith(frameUrlEnd)) continue;
      const got = await f.evaluate(() => ({ title: document.title, text: document.body?.innerText?.trim() ?? '' })).catch(() => null);
      if (got?.text) return got;
    }
    await page.waitForTimeout(500);
  }
  throw new Error(`no replayed frame ending ${frameUrlEnd} showed text; frames: ${page.frames().map((f) => f.url()).join(' ')}`);
}
