/**
 * Downloads from the dashboard in real Chromium (issue 14, items 1 and 7): every Download link
 * of the posts list (with its current filters), a campaign and a term is clicked, the saved file
 * is read back and parsed, and it must be the API's file byte for byte, under the name the
 * server gives, holding what the page shows.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { XMLParser } from 'fast-xml-parser';
import { MultiUndirectedGraph } from 'graphology';
import { parse as parseGexf } from 'graphology-gexf';
import type { Page } from 'playwright-core';
import { backends, type TestStore } from '../helpers/stores.ts';
import { browserSkip as skip, launchBrowser, SHOTS, type Browser } from '../helpers/browser.ts';
import { startServer, type RunningServer } from '../../src/serve/server.ts';
import { seedObservatory, type Seeded } from '../../src/serve/fixtures.ts';
import { ensureWebBundle } from '../../src/serve/web-build.ts';

interface Saved { name: string; text: string; href: string; format: string }

describe('downloads in Chromium', { skip }, () => {
  let ts: TestStore;
  let server: RunningServer;
  let seeded: Seeded;
  let browser: Browser;

  before(async () => {
    await ensureWebBundle();
    ts = await backends()[0]!.open();
    seeded = await seedObservatory(ts.store, { posts: 800, seed: 4 });
    server = await startServer(ts.store, { port: 0 });
    browser = await launchBrowser(server.url, { acceptDownloads: true });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await ts?.cleanup();
  });

  /** Clicks every link of the bar `bar`, saves each download and checks it is the API's file. */
  async function clickAll(page: Page, bar: string): Promise<Saved[]> {
    await page.waitForSelector(`${bar} a.download`);
    const links = page.locator(`${bar} a.download`);
    const saved: Saved[] = [];
    for (let i = 0; i < await links.count(); i++) {
      const link = links.nth(i);
      assert.equal(await link.getAttribute('download'), '', 'a download link, not a navigation');
      const href = (await link.getAttribute('href'))!;
      const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
      assert.equal(await download.failure(), null, `${href} downloaded`);
      const text = readFileSync((await download.path())!, 'utf8');
      const api = await fetch(server.url + href);
      assert.equal(text, await api.text(), `the saved file is the API's file (${href})`);
      const cd = decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(api.headers.get('content-disposition') ?? '')?.[1] ?? '');
      assert.equal(download.suggestedFilename(), cd, 'saved under the name the server gives');
      saved.push({ name: download.suggestedFilename(), text, href, format: (await link.getAttribute('data-format'))! });
    }
    // The page is still the page: a download never navigates away.
    assert.ok(await page.locator(bar).isVisible());
    return saved;
  }

  const csv = (text: string) => parseCsv(text, { columns: true, skip_empty_lines: true }) as Array<Record<string, string>>;
  const jsonl = (text: string) => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, string>);

  it('the posts list downloads every post its current filters select, not one page', async () => {
    const page = await browser.open('/posts?q=%E7%BB%B4%E6%9D%83&status=removed_by_platform');
    await page.waitForSelector('#posts-table tbody tr');
    const files = await clickAll(page, '#posts-downloads');
    assert.deepEqual(files.map((f) => f.format), ['csv', 'jsonl']);
    const expected = await ts.store.db.selectFrom('posts').select('platform_post_id').where('text', 'like', '%维权%').where('status', '=', 'removed_by_platform').orderBy('id').execute();
    assert.ok(expected.length > 5);
    for (const f of files) {
      assert.match(f.name, /^censorscope-posts_q-维权_status-removed_by_platform\.(csv|jsonl)$/);
      const rows = f.format === 'csv' ? csv(f.text) : jsonl(f.text);
      assert.deepEqual(rows.map((r) => r.platform_post_id), expected.map((r) => r.platform_post_id), f.name);
      assert.ok(rows.every((r) => r.status === 'removed_by_platform' && r.text!.includes('维权') && /^acct_[0-9a-f]{20}$/.test(r.account!)));
    }
    // Changing the filters changes the links.
    await page.selectOption('#f-status', 'visible');
    await page.click('#post-filters button[type=submit]');
    await page.waitForURL(/status=visible/);
    await page.waitForFunction(() => document.querySelector('#posts-downloads a')?.getAttribute('href')?.includes('status=visible'));
    await page.close();
  });

  it("a campaign's page downloads its posts, its network (GEXF, GraphML) and its edges with evidence", async () => {
    const page = await browser.open(`/campaigns/${seeded.campaignKey}`);
    await page.waitForSelector('#chart-graph canvas');
    const files = await clickAll(page, '#campaign-downloads');
    assert.deepEqual(files.map((f) => f.format), ['posts-csv', 'posts-jsonl', 'network-gexf', 'network-graphml', 'edges-csv']);
    const api = await (await fetch(`${server.url}/api/campaigns/${seeded.campaignKey}`)).json() as { graph: { nodes: Array<{ id: string }>; edges: unknown[] }; evidence: { postRefs: Array<{ platform_post_id: string }> }; timeline: Array<{ platform_post_id: string; text: string }> };
    const [postsCsv, postsJsonl, gexf, graphml, edges] = files as [Saved, Saved, Saved, Saved, Saved];
    const ids = api.evidence.postRefs.map((r) => r.platform_post_id).sort();
    assert.deepEqual(csv(postsCsv.text).map((r) => r.platform_post_id).sort(), ids);
    assert.deepEqual(jsonl(postsJsonl.text).map((r) => r.platform_post_id).sort(), ids);
    // The texts are the ones the campaign page shows.
    const shown = new Map(api.timeline.map((p) => [p.platform_post_id, p.text]));
    assert.ok(jsonl(postsJsonl.text).every((r) => shown.get(r.platform_post_id!) === r.text));
    const g = parseGexf(MultiUndirectedGraph, gexf.text);
    assert.deepEqual(g.nodes().sort(), api.graph.nodes.map((n) => n.id).sort());
    assert.equal(g.size, api.graph.edges.length);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (n, _p, _l, attr) => !attr && ['node', 'edge', 'data'].includes(n) }).parse(graphml.text) as { graphml: { graph: { node: unknown[]; edge: unknown[] } } };
    assert.equal(doc.graphml.graph.node.length, api.graph.nodes.length);
    assert.equal(doc.graphml.graph.edge.length, api.graph.edges.length);
    const rows = csv(edges.text);
    assert.ok(rows.length >= api.graph.edges.length && rows.every((r) => r.a_post_id && r.b_post_id && r.a_text && r.b_text && r.a_created_at), 'every edge row carries both posts');
    assert.match(gexf.name, /^censorscope-campaign-c-seed-1-network\.gexf$/);
    await page.screenshot({ path: join(SHOTS, 'campaign-downloads.png') });
    await page.close();
  });

  it("a term's page downloads its posts and its timeline", async () => {
    const page = await browser.open(`/terms/${encodeURIComponent('维权')}`);
    const files = await clickAll(page, '#term-downloads');
    assert.deepEqual(files.map((f) => f.format), ['posts-csv', 'posts-jsonl', 'timeline-csv', 'timeline-json']);
    const [postsCsv, postsJsonl, timelineCsv, timelineJson] = files as [Saved, Saved, Saved, Saved];
    const posts = jsonl(postsJsonl.text);
    assert.ok(posts.length > 20 && posts.every((p) => p.text!.includes('维权')));
    assert.deepEqual(csv(postsCsv.text).map((r) => r.platform_post_id), posts.map((p) => p.platform_post_id));
    // The seeded run stored two days for 维权; the page's chart draws the same ones.
    assert.deepEqual(csv(timelineCsv.text).map((r) => [r.day, r.posts, r.removed]), [['2026-01-01', '40', '8'], ['2026-01-02', '80', '22']]);
    const json = JSON.parse(timelineJson.text) as { term: string; timezone: string; timeline: Array<{ day: string; posts: number; removed: number }> };
    assert.equal(json.term, '维权');
    assert.equal(json.timezone, 'UTC');
    assert.deepEqual(json.timeline.map((p) => p.posts), [40, 80]);
    assert.match(timelineCsv.name, /^censorscope-term-维权-timeline\.csv$/);
    await page.close();
  });

  it('the download bar fits a phone screen', async () => {
    const page = await browser.open(`/campaigns/${seeded.campaignKey}`, { width: 390, height: 844 });
    await page.waitForSelector('#campaign-downloads a.download');
    const width = await page.$eval('#campaign-downloads', (el) => el.scrollWidth);
    assert.ok(width <= 390, `the bar is ${width} px wide`);
    await page.screenshot({ path: join(SHOTS, 'campaign-downloads-phone.png') });
    await page.close();
    assert.deepEqual(browser.problems, []);
    assert.deepEqual(browser.dialogs, []);
  });
});
