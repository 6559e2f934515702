/**
 * The dashboard in real Chromium (Debian's /usr/bin/chromium through playwright-core): pages
 * render, filters change the URL and the table, charts draw under the strict CSP, and hostile
 * text stays text. Screenshots go to artifacts/screenshots/.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { backends, type TestStore } from '../helpers/stores.ts';
import { browserSkip as skip, inkedPixels, launchBrowser, SHOTS, type Browser } from '../helpers/browser.ts';
import { startServer, type RunningServer } from '../../src/serve/server.ts';
import { seedObservatory, XSS_TEXTS, type Seeded } from '../../src/serve/fixtures.ts';
import { ensureWebBundle } from '../../src/serve/web-build.ts';

describe('dashboard in Chromium', { skip }, () => {
  let ts: TestStore;
  let server: RunningServer;
  let seeded: Seeded;
  let browser: Browser;
  let dialogs: string[];
  let problems: string[];

  before(async () => {
    await ensureWebBundle();
    ts = await backends()[0]!.open();
    seeded = await seedObservatory(ts.store, { posts: 3000, seed: 3 });
    server = await startServer(ts.store, { port: 0 });
    browser = await launchBrowser(server.url);
    ({ dialogs, problems } = browser);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await ts?.cleanup();
  });

  const open = (path: string) => browser.open(path);

  it('renders the overview with its charts', async () => {
    const page = await open('/');
    await page.waitForSelector('#chart-disappearances[data-chart="ready"] canvas');
    await page.waitForSelector('#chart-health[data-chart="ready"] canvas');
    const cards = await page.locator('#cards .card .value').allTextContents();
    assert.equal(cards[0], '3,002');
    // Gone with the actor unknown has its own card, under a label that does not name the author.
    const deletedCard = page.locator('#cards .card.s-deleted');
    assert.equal(await deletedCard.locator('.label').textContent(), 'deleted (actor unknown)');
    assert.match(await deletedCard.locator('.value').textContent() ?? '', /^[1-9][\d,]*$/);
    assert.ok((await page.locator('#top-accounts tbody tr').count()) > 0);
    // Accounts are pseudonyms by default, and the header says so on every page.
    await page.waitForSelector('#privacy-mode.pseudonymised');
    assert.match(await page.locator('#privacy-mode').textContent() ?? '', /Accounts pseudonymised/);
    const shown = await page.locator('#top-accounts tbody tr td:first-child').allTextContents();
    assert.ok(shown.every((a) => /^acct_[0-9a-f]{20}$/.test(a)), shown.join(', '));
    // The stacked bars are drawn: the canvas has non-blank pixels.
    const inked = await inkedPixels(page, '#chart-disappearances canvas');
    assert.ok(inked > 1000, `chart canvas looks empty (${inked} pixels)`);
    await page.screenshot({ path: join(SHOTS, 'overview.png'), fullPage: true });
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('filters posts through the URL', async () => {
    const page = await open('/posts');
    await page.waitForSelector('#posts-table tbody tr');
    await page.selectOption('#f-status', 'removed_by_platform');
    await page.fill('#f-q', '维权');
    await page.click('#post-filters button[type=submit]');
    await page.waitForURL(/\/posts\?q=.*status=removed_by_platform/);
    await page.waitForFunction(() => document.querySelectorAll('#posts-table tbody tr').length > 0 && location.search.includes('status'));
    const statuses = await page.locator('#posts-table tbody tr td:nth-child(6)').allTextContents();
    assert.ok(statuses.length > 0);
    assert.ok(statuses.every((s) => s === 'removed by platform'), statuses.join(','));
    const texts = await page.locator('#posts-table tbody tr td:nth-child(5)').allTextContents();
    assert.ok(texts.every((t) => t.includes('维权')));
    // The filter state survives a reload.
    await page.reload();
    await page.waitForSelector('#posts-table tbody tr');
    assert.equal(await page.inputValue('#f-q'), '维权');
    assert.equal(await page.inputValue('#f-status'), 'removed_by_platform');
    await page.screenshot({ path: join(SHOTS, 'posts.png'), fullPage: true });
    await page.close();
  });

  it("shows a post's history", async () => {
    const page = await open(`/posts/${seeded.removedPostId}`);
    await page.waitForSelector('#observations tbody tr');
    assert.equal(await page.locator('#observations tbody tr').count(), 2);
    assert.match(await page.locator('h1').textContent() ?? '', /removed by platform/);
    // The interval the API holds, as the page must show it: last seen, first missing, length, proof.
    const api = (await (await fetch(`${server.url}/api/posts/${seeded.removedPostId}`)).json()) as { disappearances: Array<{ last_seen_at: number; first_missing_at: number; observation_id: number }> };
    assert.equal(api.disappearances.length, 1);
    const d = api.disappearances[0]!;
    const iso = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
    const cells = await page.locator('#disappearance tbody tr td').allTextContents();
    assert.deepEqual(cells.slice(0, 5), ['removed by platform', iso(d.last_seen_at), iso(d.first_missing_at), '15.0 min', `#${d.observation_id}`]);
    await page.screenshot({ path: join(SHOTS, 'post.png'), fullPage: true });
    await page.close();
  });

  it('shows a campaign with its account graph', async () => {
    const page = await open('/campaigns');
    await page.click(`a[href="/campaigns/${seeded.campaignKey}"]`);
    await page.waitForSelector('#chart-graph[data-chart="ready"] canvas');
    await page.waitForSelector('#chart-timeline[data-chart="ready"] canvas');
    assert.ok((await page.locator('#text-groups .text-group').count()) > 0);
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(SHOTS, 'campaign.png'), fullPage: true });
    await page.close();
  });

  it('shows the terms table and a term timeline', async () => {
    const page = await open('/terms');
    await page.waitForSelector('#terms-table tbody tr');
    // The stored finding's rows in its order (ranked by the deciding test), and which test that was.
    const rows = await page.locator('#terms-table tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    assert.deepEqual(rows, [
      ['维权', '120', '30', '12.5', '25.0%', '18.0% – 33.0%', '1.00e-4', '1.00e-9'],
      ['上访', '90', '18', '9.0', '20.0%', '13.0% – 29.0%', '2.00e-3', '3.00e-6'],
      ['<script>alert(5)</script>', '10', '2', '1.0', '20.0%', '5.0% – 50.0%', '2.00e-1', '1.00e-1'],
    ]);
    assert.match(await page.locator('#terms-test').textContent() ?? '', /author-stratified test/);
    await page.screenshot({ path: join(SHOTS, 'terms.png'), fullPage: true });
    await page.click('#terms-table a >> nth=0');
    await page.waitForSelector('#chart-term[data-chart="ready"] canvas');
    assert.equal(await page.locator('h1').textContent(), 'Term: 维权');
    assert.match(await page.locator('main p').first().textContent() ?? '', /^120 posts, 30 removed \(25\.0%, interval 18\.0% – 33\.0%\)/);
    // The chart holds the stored timeline's two days: its canvas is drawn.
    const inked = await inkedPixels(page, '#chart-term canvas');
    assert.ok(inked > 500, `term chart looks empty (${inked} pixels)`);
    await page.screenshot({ path: join(SHOTS, 'term.png'), fullPage: true });
    await page.close();
  });

  it('displays XSS payloads as text and runs nothing', async () => {
    for (const id of seeded.xssPostIds) {
      const page = await open(`/posts/${id}`);
      await page.waitForSelector('#post-text');
      assert.equal(await page.locator('#post-text').textContent(), XSS_TEXTS[seeded.xssPostIds.indexOf(id)]);
      // No element came from the payload, and the javascript: link was not rendered as a link.
      assert.equal(await page.locator('main img, main script, main b').count(), 0);
      assert.equal(await page.locator('a[href^="javascript"]').count(), 0);
      assert.equal(await page.locator('main a:has-text("javascript:")').count(), 0);
      if (id === seeded.xssPostIds[0]) await page.screenshot({ path: join(SHOTS, 'xss-post.png'), fullPage: true });
      await page.close();
    }
    const list = await open('/posts?status=removed_by_platform');
    await list.waitForSelector('#posts-table tbody tr');
    const text = await list.locator('#posts-table').textContent();
    assert.ok(text?.includes('<img src=x onerror=alert(1)>'));
    const terms = await open('/terms');
    await terms.waitForSelector('#terms-table tbody tr');
    assert.ok((await terms.locator('#terms-table').textContent())?.includes('<script>alert(5)</script>'));
    await terms.waitForTimeout(300);
    assert.deepEqual(dialogs, []);
    assert.deepEqual(problems, []);
    await list.close();
    await terms.close();
  });
});
