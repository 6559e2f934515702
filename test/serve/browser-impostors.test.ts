/**
 * The impostors page and the post page's impostor note in real Chromium: impostors are listed
 * with their targets, scores and reasons, accounts as pseudonyms, linked to the account's posts
 * and to the posts that link a cloned domain; a hostile watchlist name stays text.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { backends, type TestStore } from '../helpers/stores.ts';
import { browserSkip as skip, launchBrowser, SHOTS, type Browser } from '../helpers/browser.ts';
import { startServer, type RunningServer } from '../../src/serve/server.ts';
import { seedObservatory, XSS_TEXTS } from '../../src/serve/fixtures.ts';
import { ensureWebBundle } from '../../src/serve/web-build.ts';
import { runImpostors } from '../../src/detect/impostors/scan.ts';
import { addWatchEntries } from '../../src/detect/impostors/watchlist.ts';
import { ensureSource } from '../../src/store/queries/sources.ts';
import { seedImpostors } from '../detect/impostors/fixture.ts';

describe('impostors in the dashboard (Chromium)', { skip }, () => {
  let ts: TestStore;
  let server: RunningServer;
  let browser: Browser;
  let postIds: Map<string, number>;

  before(async () => {
    await ensureWebBundle();
    ts = await backends()[0]!.open();
    await seedObservatory(ts.store, { posts: 300, seed: 5 });
    await seedImpostors(ts.store);
    // A watched name that is hostile markup, and an account that copies it.
    await addWatchEntries(ts.store, [{ name: XSS_TEXTS[0]!, handle: 'xss_official', platform: null, domain: null }]);
    const src = await ensureSource(ts.store, { name: 'hostile', kind: 'import', platform: 'weibo' });
    await ts.store.bulkWriter().writePosts(Number(src.id), [{
      platformPostId: 'x1', accountId: 'xss1', accountHandle: 'copycat', accountName: XSS_TEXTS[0]!, createdAt: Date.UTC(2024, 0, 2), text: 'hi', language: null,
      url: null, replyToId: null, repostOfId: null, hashtags: null, urls: null, mentions: null, status: 'visible', statusChangedAt: null, statusEvidence: null, extra: null,
    }], Date.UTC(2024, 0, 3));
    await runImpostors(ts.store);
    postIds = new Map((await ts.store.db.selectFrom('posts').select(['id', 'platform_post_id']).where('platform_post_id', 'like', 'p%').execute()).map((p) => [p.platform_post_id, Number(p.id)]));
    server = await startServer(ts.store, { port: 0 });
    browser = await launchBrowser(server.url);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await ts?.cleanup();
  });

  it('lists impostors with targets, scores and reasons, pseudonymised, linked to their posts', async () => {
    const page = await browser.open('/');
    await page.click('header nav a[href="/impostors"]');
    await page.waitForSelector('#impostors-table tbody tr');
    const rows = await page.locator('#impostors-table tbody tr').allTextContents();
    assert.equal(rows.length, 8, rows.join('\n'));
    const spiegel = rows.find((r) => r.includes('spiegel.ltd'))!;
    assert.match(spiegel, /spiegel\.de/);
    assert.match(spiegel, /suffix \.de→\.ltd/);
    assert.match(spiegel, /0\.85/);
    assert.ok(rows.some((r) => /t-onlinr\.life.*t-online\.de.*'e'→'r' at 8 \(keyboard neighbour\)/.test(r)));
    assert.ok(rows.some((r) => /人民日报.*日→曰/.test(r)), 'the look-alike account and its reason');
    // Accounts are pseudonyms: no raw handle or display name of a flagged account on the page.
    const html = await page.content();
    for (const raw of ['rmrb_news', '人民曰报', 'xhs_gf', 'copycat']) assert.ok(!html.includes(raw), `the page shows ${raw}`);
    // The hostile watched name is shown as text.
    assert.ok(rows.some((r) => r.includes(XSS_TEXTS[0]!)));
    assert.deepEqual(browser.dialogs, []);
    await page.screenshot({ path: join(SHOTS, 'impostors.png'), fullPage: true });
    // A domain row links the posts that link it; an account row links the account's posts.
    await page.locator('#impostors-table tbody tr', { hasText: 'bild.pics' }).locator('a').first().click();
    await page.waitForURL(new RegExp(`/posts/${postIds.get('p4')}$`));
    await page.waitForSelector('#impostor-note');
    const note = await page.locator('#impostor-note').textContent();
    assert.match(note ?? '', /This post's account imitates 人民日报/);
    assert.match(note ?? '', /A link in this post \(bild\.pics\) imitates bild\.de/);
    await page.screenshot({ path: join(SHOTS, 'impostor-note.png'), fullPage: true });
    await page.goBack();
    await page.waitForSelector('#impostors-table tbody tr');
    await page.locator('#impostors-table tbody tr', { hasText: '日→曰' }).locator('a').first().click();
    await page.waitForURL(/\/posts\?account=\d+$/);
    await page.waitForSelector('#posts-table tbody tr');
    assert.equal(await page.locator('#posts-table tbody tr').count(), 1);
    assert.deepEqual(browser.problems, []);
    await page.close();
  });

  it('a post that touches no impostor has no note', async () => {
    const page = await browser.open(`/posts/${postIds.get('p5')}`);
    await page.waitForSelector('#observations');
    await page.waitForTimeout(300);
    assert.equal(await page.locator('#impostor-note').count(), 0);
    await page.close();
  });
});
