/**
 * The site watch pages in real Chromium, over sites seeded through the real web archive: the
 * list with states in words and its filter; a site's timeline coloured by verdict with its legend
 * and UTC axis, and two captures chosen for comparison; the diff page's marked lines (the API's
 * hunks) and its screenshot pair rendered from the archive; a capture page whose sandboxed frame
 * replays the archived page — its text visible, its script not run (no alert, title unchanged),
 * its logo from the archive — while a "live web" server that the archived pages reference on
 * 127.0.0.1 is never reached, by the replay or by the screenshots. Hostile names stay text; the
 * pages fit 390 px.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { backends, type TestStore } from '../helpers/stores.ts';
import { browserSkip as skip, inkedPixels, launchBrowser, SHOTS, type Browser } from '../helpers/browser.ts';
import { startServer, type RunningServer } from '../../src/serve/server.ts';
import { ensureWebBundle } from '../../src/serve/web-build.ts';
import { openArchive } from '../../src/archive/index.ts';
import type { Archive } from '../../src/archive/types.ts';
import { seedTrackedSites, type SeededSite } from '../../src/serve/fixtures-sites.ts';
import { renderArchived } from '../../src/serve/site-screenshot.ts';

const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);

describe('site watch pages in Chromium', { skip }, () => {
  let ts: TestStore;
  let server: RunningServer;
  let browser: Browser;
  let archive: Archive;
  let dir: string;
  let sites: SeededSite[];
  let live: Server;
  let liveUrl: string;
  const liveHits: string[] = [];
  const site = (host: string) => sites.find((s) => s.url.includes(host))!;
  const api = async <T>(path: string): Promise<T> => (await (await fetch(server.url + path)).json()) as T;
  /** Problems other than the sandbox's own refusals (the console reports each blocked load and script). */
  const refusal = (p: string) => p.startsWith(`console: Loading the `) && p.includes(`'${liveUrl}/`) && p.includes('violates the following Content Security Policy directive');
  const unexpected = () => browser.problems.filter((p) => !refusal(p) && !/^console: Blocked script execution in '[^']*\/replay\/' because the document's frame is sandboxed/.test(p));

  before(async () => {
    await ensureWebBundle();
    // Stands for the live web: archived pages reference it; nothing shown from the archive may reach it.
    live = createServer((req, res) => { liveHits.push(req.url ?? ''); res.end('live'); });
    await new Promise<void>((r) => live.listen(0, '127.0.0.1', r));
    const addr = live.address();
    liveUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    ts = await backends()[0]!.open();
    dir = mkdtempSync(join(tmpdir(), 'site-watch-browser-'));
    archive = await openArchive(ts.store, { dir });
    sites = await seedTrackedSites(ts.store, archive, { now: NOW, liveUrl, xss: true });
    server = await startServer(ts.store, { port: 0, archive, rateLimit: { max: 100_000, timeWindowMs: 10_000 } });
    browser = await launchBrowser(server.url);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await archive?.close();
    await ts?.cleanup();
    live?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** No page shows a bare null, NaN or undefined, an epoch time, or JSON (the text scan's rules, for these pages). */
  async function noDefects(page: Page): Promise<void> {
    const text = await page.locator('main').innerText();
    const found = [/\bnull\b/, /\bundefined\b/, /\bNaN\b/, /\[object Object\]/, /\\"/, /\{\s*"[^"\n]{1,40}"\s*:/, /(?<![\w.])1[5-9]\d{11}(?![\w.])/]
      .map((re) => re.exec(text)).filter((m) => m).map((m) => text.slice(Math.max(0, m!.index - 40), m!.index + 40));
    assert.deepEqual(found, []);
  }

  it('lists the tracked sites with their state in words and filters them by state', async () => {
    const page = await browser.open('/site-watch');
    await page.waitForSelector('#site-watch-table tbody tr td a.site-link');
    const list = await api<{ items: Array<{ id: number; state: string | null }> }>('/api/site-watch/sites');
    const links = await page.locator('#site-watch-table a.site-link').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert.deepEqual(links, list.items.map((s) => `/site-watch/${s.id}`));
    const states = await page.locator('#site-watch-table tbody tr td:nth-child(2)').allTextContents();
    assert.deepEqual(states, list.items.map((s) => (s.state === null ? 'not visited yet' : s.state.replace('_', ' '))));
    // The hostile name is shown as text, and opened no dialog.
    assert.ok((await page.locator('#site-watch-table').innerText()).includes('<img src=x onerror=alert(1)> "name"'));
    assert.equal(await page.locator('#site-watch-table img').count(), 0);
    await page.selectOption('#f-state', 'injected');
    await page.click('#site-watch-filters button[type=submit]');
    await page.waitForURL(/\/site-watch\?state=injected$/);
    await page.waitForFunction(() => document.querySelectorAll('#site-watch-table tbody tr').length === 1);
    assert.match(await page.locator('#site-watch-table tbody tr').innerText(), /County portal/);
    await page.screenshot({ path: join(SHOTS, 'site-watch.png'), fullPage: true });
    await noDefects(page);
    await page.close();

    const phone = await browser.open('/site-watch', { width: 390, height: 844 });
    await phone.waitForSelector('#site-watch-table tbody tr td a.site-link');
    const box = await phone.locator('#site-watch-table table').boundingBox();
    assert.ok(box && box.width <= 390, `table is ${box?.width} px wide`);
    assert.ok(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'nothing sticks out at 390 px');
    await phone.screenshot({ path: join(SHOTS, 'site-watch-phone.png'), fullPage: true });
    await phone.close();
    assert.deepEqual(browser.dialogs, []);
  });

  it("draws a site's captures over time coloured by verdict, with a legend in words, and compares two chosen captures", async () => {
    const portal = site('portal');
    const page = await browser.open(`/site-watch/${portal.id}`);
    await page.waitForSelector('#chart-site-watch[data-chart="ready"] canvas');
    assert.ok(await inkedPixels(page, '#chart-site-watch canvas') > 500, 'the chart has marks');
    const d = await api<{ chart: { points: Array<[number, string, number]> } }>(`/api/site-watch/sites/${portal.id}`);
    const order = ['reachable', 'updated', 'defaced', 'injected', 'taken_down', 'down', 'blocked'];
    const drawn = order.filter((v) => d.chart.points.some((p) => p[1] === v));
    assert.equal(await page.locator('#chart-site-watch').getAttribute('data-legend'), drawn.join(','));
    assert.deepEqual(drawn, ['reachable', 'defaced', 'injected']);
    const axes = JSON.parse(await page.locator('#chart-site-watch').getAttribute('data-axes') ?? '{}') as { x: string[]; y: string[] };
    assert.deepEqual(axes, { x: ['time of capture (UTC)'], y: ['verdict'] });
    // The legend is the verdicts in words, each series its verdict's colour.
    const option = await page.evaluate("window.censorscopeCharts.option('chart-site-watch')") as { legend: Array<{ data: string[] }>; series: Array<{ name: string; itemStyle: { color: string }; data: unknown[][] }> };
    assert.deepEqual(option.legend[0]!.data, ['reachable', 'defaced', 'injected']);
    assert.deepEqual(option.series.map((s) => [s.name, s.itemStyle.color, s.data.length]), [['reachable', '#27ae60', 2], ['defaced', '#c0392b', 1], ['injected', '#d35400', 1]]);
    const rows = await page.locator('#site-captures tbody tr td:nth-child(3)').allTextContents();
    assert.deepEqual(rows, [...portal.captures].reverse().map((c) => c.verdict));
    assert.match(await page.locator('#site-captures tbody').innerText(), /Defacement marker "hacked by"/);
    await page.screenshot({ path: join(SHOTS, 'site-watch-site.png'), fullPage: true });
    await noDefects(page);
    // Choose the first and the defaced capture, compare: the diff page, older first.
    const boxes = page.locator('#site-captures tbody input[name=pick]');
    assert.equal(await page.locator('#compare').isDisabled(), true);
    await boxes.nth(3).check();
    await boxes.nth(2).check();
    await page.click('#compare');
    await page.waitForURL(new RegExp(`/site-watch/${portal.id}/diff\\?a=${portal.captures[0]!.id}&b=${portal.captures[1]!.id}$`));
    await page.waitForSelector('#diff-text .diff-line');
    await page.close();
  });

  it('shows the diff of two captures as marked lines and a screenshot pair rendered from the archive', async () => {
    const portal = site('portal');
    const [a, b] = [portal.captures[0]!.id, portal.captures[1]!.id];
    const page = await browser.open(`/site-watch/${portal.id}/diff?a=${a}&b=${b}`);
    await page.waitForSelector('#diff-text .diff-line');
    const d = await api<{ hunks: Array<{ op: string; lines: string[] }> }>(`/api/site-watch/diff?a=${a}&b=${b}`);
    const shown = await page.locator('#diff-text .diff-line').evaluateAll((ls) => ls.map((l) => [l.className.replace('diff-line d-', ''), l.querySelector('.diff-mark')?.textContent, l.querySelector('.text')?.textContent]));
    assert.deepEqual(shown, d.hunks.flatMap((h) => h.lines.map((l) => [h.op, h.op === 'add' ? '+' : h.op === 'remove' ? '−' : ' ', l])));
    assert.ok(shown.some((s) => s[0] === 'add' && s[2] === 'Hacked by zero-crew'));
    assert.ok(shown.some((s) => s[0] === 'remove' && s[2] === 'Office hours and public notices.'));
    assert.match(await page.locator('#side-b').innerText(), /defaced/);
    // Both screenshots render (Chromium from the archive), and differ.
    await page.waitForFunction(() => ['a', 'b'].every((s) => document.getElementById(`shot-${s}`)?.dataset.state), null, { timeout: 90_000 });
    assert.deepEqual(await page.locator('.shot').evaluateAll((fs) => fs.map((f) => (f as HTMLElement).dataset.state)), ['ready', 'ready']);
    const widths = await page.locator('.shot img').evaluateAll((is) => is.map((i) => (i as HTMLImageElement).naturalWidth));
    assert.deepEqual(widths, [1024, 1024]);
    const [pa, pb] = await Promise.all([a, b].map(async (id) => Buffer.from(await (await fetch(`${server.url}/api/site-watch/captures/${id}/screenshot.png`)).arrayBuffer())));
    assert.ok(!pa!.equals(pb!), 'two different pages, two different screenshots');
    await page.screenshot({ path: join(SHOTS, 'site-watch-diff.png'), fullPage: true });
    await noDefects(page);
    await page.close();
    assert.deepEqual(liveHits, [], 'the screenshots reached the live web');
  });

  it('replays a capture in a sandboxed frame: its text shows, its script does not run, nothing loads from the live web', async () => {
    const defaced = site('portal').captures[1]!;
    const page = await browser.open(`/site-watch/captures/${defaced.id}`);
    await page.waitForSelector('#replay-frame');
    const frame = page.frameLocator('#replay-frame');
    await frame.locator('h1').waitFor();
    assert.equal(await frame.locator('h1').textContent(), 'Hacked by zero-crew');
    assert.equal(await page.locator('#replay-frame').getAttribute('sandbox'), '');
    // The archived script would have retitled the page and opened an alert.
    const inner = page.frames().find((f) => f.url().includes('/replay'))!;
    assert.equal(await inner.evaluate(() => document.title).catch(() => 'HACKED BY zero-crew'), 'HACKED BY zero-crew');
    await page.waitForTimeout(500);
    assert.deepEqual(browser.dialogs, []);
    assert.equal(await page.title(), 'Capture · Censorscope');
    assert.match(await page.locator('#capture-verdict').innerText(), /defaced/);
    assert.match(await page.locator('#capture-record').innerText(), /response <urn:uuid:/);
    assert.match(await page.locator('#wacz-command').innerText(), /^censorscope archive export --site 'http:\/\/portal\.example\/' --out portal\.example\.wacz$/);
    await page.screenshot({ path: join(SHOTS, 'site-watch-capture.png'), fullPage: true });
    await noDefects(page);
    await page.close();

    // The news page's logo comes from the archive into the sandboxed frame.
    const news = site('news').captures[2]!;
    const np = await browser.open(`/site-watch/captures/${news.id}`);
    const logo = np.frameLocator('#replay-frame').locator('#logo');
    await logo.waitFor();
    await np.waitForFunction(() => {
      const f = document.getElementById('replay-frame') as HTMLIFrameElement;
      return !!f && f.getBoundingClientRect().height > 0;
    });
    await np.waitForTimeout(500);
    assert.equal(await logo.evaluate((i) => (i as HTMLImageElement).naturalWidth), 2, 'the logo is replayed from the archive');
    assert.match(await np.locator('#capture-record').innerText(), /revisit/);
    await np.close();
    assert.deepEqual(liveHits, [], 'the replay reached the live web');
    // The replay's policy refused the live references (Chromium says so), and nothing else went wrong.
    assert.ok(browser.problems.some((p) => refusal(p) && p.includes('/beacon.png')), browser.problems.join('\n'));
    assert.deepEqual(unexpected(), []);
  });

  it('renders a screenshot with every request answered from the archive or aborted', async () => {
    const c = site('portal').captures[1]!;
    const cap = await api<{ record: { id: number } }>(`/api/site-watch/captures/${c.id}`);
    const main = await archive.read(cap.record.id);
    const out = await renderArchived({ url: 'http://portal.example/', main, lookup: async (url) => (url === 'http://portal.example/style.css' ? { ...main, body: new TextEncoder().encode('h1 { color: red }'), headers: [['content-type', 'text/css']] } : null) });
    assert.deepEqual(out.png.subarray(1, 4).toString(), 'PNG');
    assert.deepEqual(out.served, ['http://portal.example/', 'http://portal.example/style.css']);
    assert.deepEqual(out.blocked.sort(), [`${liveUrl}/beacon.png`, `${liveUrl}/live.css`].sort(), 'the live references were aborted (the script is not even fetched: JavaScript is off)');
    assert.deepEqual(liveHits, []);
  });

  it('fits a capture page and the diff page at 390 px', async () => {
    const portal = site('portal');
    for (const path of [`/site-watch/captures/${portal.captures[1]!.id}`, `/site-watch/${portal.id}/diff?a=${portal.captures[0]!.id}&b=${portal.captures[1]!.id}`, `/site-watch/${portal.id}`]) {
      const phone = await browser.open(path, { width: 390, height: 844 });
      await phone.waitForFunction(() => !!document.getElementById('app')?.dataset.page);
      const over = await phone.evaluate(() => [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1).map((e) => `${e.tagName}#${e.id}.${e.className}`).slice(0, 5));
      assert.deepEqual(over, [], path);
      await phone.close();
    }
  });
});
