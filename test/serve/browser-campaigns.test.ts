/**
 * Campaign pages in real Chromium (issue 14, item 5): the list names campaigns by their text
 * (the id still shown and linked); a campaign shows its near-duplicate groups with counts, a
 * network that fills its panel with a legend naming each edge type in the colour it is drawn
 * in (and hiding it on a click), and posts over time on an axis of UTC dates whatever the
 * reader's time zone. Pixels are read from the canvases; the texts ECharts drew are read from
 * data-drawn-text. Screenshots go to artifacts/screenshots/.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { backends, type TestStore } from '../helpers/stores.ts';
import { browserSkip as skip, inkedPixels, launchBrowser, SHOTS, type Browser } from '../helpers/browser.ts';
import { startServer, type RunningServer } from '../../src/serve/server.ts';
import { seedObservatory, type Seeded } from '../../src/serve/fixtures.ts';
import { ensureWebBundle } from '../../src/serve/web-build.ts';

interface Detail {
  name: string; evidence: { posts: number };
  edgeTypes: Array<{ type: string; label: string }>;
  textGroups: Array<{ posts: number; examples: unknown[] }>;
  activity: { bucketSeconds: number; buckets: number[] };
}

/** Inked pixels of a canvas: their bounding box, count per quadrant, and count per colour (RGB within `tol`). */
async function canvasInk(page: Page, selector: string, colours: string[] = [], tol = 40) {
  return page.$eval(selector, (c, [colours, tol]) => {
    const cv = c as HTMLCanvasElement;
    const { width: w, height: hgt } = cv;
    const d = cv.getContext('2d')!.getImageData(0, 0, w, hgt).data;
    const rgb = (colours as string[]).map((s) => (s.match(/\d+/g) ?? []).slice(0, 3).map(Number));
    let x0 = w;
    let y0 = hgt;
    let x1 = -1;
    let y1 = -1;
    const quadrants = [0, 0, 0, 0];
    const perColour = rgb.map(() => 0);
    for (let y = 0; y < hgt; y++) {
      for (let x = 0; x < w; x++) {
        const i = (y * w + x) * 4;
        if (d[i + 3]! === 0) continue;
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
        quadrants[(x < w / 2 ? 0 : 1) + (y < hgt / 2 ? 0 : 2)]!++;
        rgb.forEach((c, k) => {
          if (d[i + 3]! > 100 && Math.abs(d[i]! - c[0]!) <= (tol as number) && Math.abs(d[i + 1]! - c[1]!) <= (tol as number) && Math.abs(d[i + 2]! - c[2]!) <= (tol as number)) perColour[k]!++;
        });
      }
    }
    return { width: w, height: hgt, box: { x0, y0, x1, y1 }, quadrants, perColour };
  }, [colours, tol] as const);
}

/** Text a reader must never see on a page. */
const BROKEN = /\bnull\b|\bundefined\b|\bNaN\b|\[object Object\]/;

describe('campaign pages in Chromium', { skip }, () => {
  let ts: TestStore;
  let server: RunningServer;
  let seeded: Seeded;
  let browser: Browser;
  let detail: Detail;

  before(async () => {
    await ensureWebBundle();
    ts = await backends()[0]!.open();
    seeded = await seedObservatory(ts.store, { posts: 3000, seed: 3 });
    server = await startServer(ts.store, { port: 0 });
    browser = await launchBrowser(server.url);
    detail = (await (await fetch(`${server.url}/api/campaigns/${seeded.campaignKey}`)).json()) as Detail;
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await ts?.cleanup();
  });

  it('lists campaigns by their text, with the id shown small and linked, and no stray null', async () => {
    const page = await browser.open('/campaigns');
    await page.waitForSelector('#campaigns-table tbody tr');
    const first = page.locator('#campaigns-table tbody tr').first();
    assert.equal(await first.locator('a.name').textContent(), detail.name);
    assert.equal(await first.locator('a.name').getAttribute('lang'), 'zh');
    assert.equal(await first.locator('a.cid').textContent(), seeded.campaignKey);
    assert.equal(await first.locator('a.cid').getAttribute('href'), `/campaigns/${seeded.campaignKey}`);
    assert.ok((await first.locator('.sample').count()) >= 1, 'other texts of the campaign are quoted under its name');
    const text = await page.locator('main').innerText();
    assert.doesNotMatch(text, BROKEN);
    await page.screenshot({ path: join(SHOTS, 'campaigns-list.png'), fullPage: true });
    assert.deepEqual(browser.problems, []);
    await page.close();
  });

  it('shows a campaign\'s texts as groups with counts, a fitted network with an edge-type legend, and dated posts over time', async () => {
    const page = await browser.open('/campaigns');
    // A reader far from UTC: the time axis must still say UTC dates.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setTimezoneOverride', { timezoneId: 'Asia/Shanghai' });
    await page.click(`#campaigns-table a.name >> nth=0`);
    await page.waitForSelector('#chart-graph[data-chart="ready"] canvas');
    await page.waitForSelector('#chart-timeline[data-chart="ready"] canvas');
    assert.equal(await page.locator('h1').textContent(), detail.name);
    assert.match(await page.locator('#campaign-id').textContent() ?? '', new RegExp(`^Campaign ${seeded.campaignKey} ·`));
    assert.equal(await page.locator('#campaign-actions').count(), 1, 'the spot for download and evidence links');

    // Groups with counts that add up, instead of the same post repeated.
    const groups = page.locator('#text-groups .text-group');
    assert.equal(await groups.count(), detail.textGroups.length);
    const counts = await groups.evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.posts)));
    assert.deepEqual(counts, detail.textGroups.map((g) => g.posts));
    assert.equal(counts.reduce((s, n) => s + n, 0), detail.evidence.posts);
    assert.match(await groups.first().locator('.group-counts').textContent() ?? '', new RegExp(`^${detail.textGroups[0]!.posts} posts · \\d+ accounts · \\d+ wordings$`));
    await groups.first().locator('details summary').click();
    assert.equal(await groups.first().locator('.pair .side').count(), detail.textGroups[0]!.examples.length);
    const shownIds = await page.locator('#text-groups .side .meta a').allTextContents();
    assert.equal(new Set(shownIds).size, shownIds.length, 'no post shown twice');

    // The legend names each edge type in words, in the colour its links are drawn in.
    const keys = page.locator('#edge-legend .edge-key');
    assert.deepEqual(await keys.locator('.edge-label').allTextContents(), detail.edgeTypes.map((t) => t.label));
    const colours = await keys.locator('.swatch').evaluateAll((els) => els.map((e) => getComputedStyle(e).backgroundColor));
    assert.equal(new Set(colours).size, colours.length, `distinct colours ${colours.join(' ')}`);
    await page.waitForTimeout(300);
    const ink = await canvasInk(page, '#chart-graph canvas', colours);
    assert.ok(ink.perColour.every((n) => n > 300), `links drawn in each legend colour: ${ink.perColour.join(', ')}`);

    // The network fills its panel: the drawing spans most of the canvas, every quadrant inked.
    const { box, width, height, quadrants } = ink;
    assert.ok((box.x1 - box.x0) / width > 0.8, `drawing spans ${(box.x1 - box.x0)} of ${width} px wide`);
    assert.ok((box.y1 - box.y0) / height > 0.8, `drawing spans ${(box.y1 - box.y0)} of ${height} px high`);
    assert.ok(quadrants.every((n) => n > 500), `ink per quadrant ${quadrants.join(', ')}`);

    // A legend entry hides its links, and shows them again.
    await keys.first().click();
    assert.equal(await keys.first().getAttribute('aria-pressed'), 'false');
    await page.waitForTimeout(200);
    const hidden = await canvasInk(page, '#chart-graph canvas', colours);
    assert.ok(hidden.perColour[0]! < ink.perColour[0]! / 10, `hidden type still drawn: ${hidden.perColour[0]} px`);
    assert.ok(hidden.perColour[1]! > 300);
    await keys.first().click();
    assert.equal(await keys.first().getAttribute('aria-pressed'), 'true');

    // Posts over time: axis titles with the unit and UTC, labels that are the data's UTC dates.
    const drawn = JSON.parse(await page.locator('#chart-timeline').getAttribute('data-drawn-text') ?? '[]') as string[];
    assert.ok(drawn.includes('time (UTC)'), drawn.join(' | '));
    assert.ok(drawn.some((t) => /^posts per (\d+ )?(minute|minutes|hour|hours|day|days)$/.test(t)), drawn.join(' | '));
    const a = detail.activity;
    // A two-line label ("2026-11-30", "07:30") is drawn as one text per line.
    const dates: string[] = [];
    drawn.forEach((t, i) => {
      if (/^\d{4}-\d{2}-\d{2}$/.test(t)) dates.push(/^\d{2}:\d{2}$/.test(drawn[i + 1] ?? '') ? `${t}\n${drawn[i + 1]}` : t);
      else if (/^\d{4}-\d{2}-\d{2}\n\d{2}:\d{2}$/.test(t)) dates.push(t);
    });
    assert.ok(dates.some((d) => d.includes('\n')) || a.bucketSeconds >= 86_400, `labels show the time of day: ${dates.join(' | ')}`);
    assert.ok(dates.length >= 3, `date labels: ${dates.join(' | ')}`);
    const lo = a.buckets[0]!;
    const hi = a.buckets.at(-1)! + a.bucketSeconds * 1000;
    for (const d of dates) {
      const t = Date.parse(`${d.replace('\n', 'T')}${d.includes('\n') ? ':00Z' : 'T00:00:00Z'}`);
      assert.ok(t >= lo - 86_400_000 && t <= hi, `label ${JSON.stringify(d)} lies outside the data (${new Date(lo).toISOString()} – ${new Date(hi).toISOString()})`);
      if (d.includes('\n')) assert.ok(t >= lo && t <= hi, `label ${JSON.stringify(d)} is not a UTC time of the data`);
    }
    assert.ok((await inkedPixels(page, '#chart-timeline canvas')) > 2000, 'bars drawn');

    assert.doesNotMatch(await page.locator('main').innerText(), BROKEN);
    await page.screenshot({ path: join(SHOTS, 'campaign-detail.png'), fullPage: true });
    assert.deepEqual(browser.problems, []);
    assert.deepEqual(browser.dialogs, []);
    await page.close();
  });

  // The header is the posts pages' (issue 14, item 6); this checks what these pages draw in main.
  it('fits its content to a phone\'s width', async () => {
    for (const path of ['/campaigns', `/campaigns/${seeded.campaignKey}`]) {
      const page = await browser.open(path, { width: 390, height: 844 });
      await page.waitForSelector(path === '/campaigns' ? '#campaigns-table tbody tr' : '#chart-graph[data-chart="ready"] canvas');
      const overflow = await page.evaluate(() => document.querySelector('main')!.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${path} overflows by ${overflow} px at 390 px`);
      if (path !== '/campaigns') {
        const ink = await canvasInk(page, '#chart-graph canvas');
        assert.ok((ink.box.x1 - ink.box.x0) / ink.width > 0.7, `phone network spans ${ink.box.x1 - ink.box.x0} of ${ink.width} px`);
        await page.screenshot({ path: join(SHOTS, 'campaign-detail-phone.png'), fullPage: true });
      }
      await page.close();
    }
  });
});
