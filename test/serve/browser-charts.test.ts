/**
 * Charts and numbers that tell the truth, in real Chromium (issue 14, item 4): a "simulated data"
 * banner on every page while a simulated source is present and never otherwise; the overview's
 * tiles and tables agree; every chart titles its axes with units and UTC and names its series in
 * words; a day's posts and removals share one position on the term timeline; minutes without
 * checks are gaps in the health chart; no page prints `null`. The browser runs in UTC+8, so a
 * chart that fell back to local time would show it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { backends, type TestStore } from '../helpers/stores.ts';
import { browserSkip as skip, launchBrowser, SHOTS, type Browser } from '../helpers/browser.ts';
import { startServer, type RunningServer } from '../../src/serve/server.ts';
import { seedObservatory } from '../../src/serve/fixtures.ts';
import { ensureSource } from '../../src/store/queries/sources.ts';
import { ensureWebBundle } from '../../src/serve/web-build.ts';

/** The dashboard's read-only chart hook (src/serve/web/src/charts.ts). */
interface ChartProbe { option(id: string): unknown; bars(id: string, seriesIndex: number): Array<{ x: number; width: number } | null> }

const PAGES = ['/', '/posts', '/terms', `/terms/${encodeURIComponent('维权')}`, '/campaigns'];

interface Observatory { ts: TestStore; server: RunningServer; browser: Browser }

async function observatory(simulated: boolean): Promise<Observatory> {
  const ts = await backends()[0]!.open();
  await seedObservatory(ts.store, { posts: 1500, seed: 11, simulated });
  // A second source under the minimum sample: listed unranked, and still counted in the tiles.
  const tiny = await ensureSource(ts.store, { name: 'tiny-import', kind: 'import', platform: 'test', config: {} });
  await ts.store.bulkWriter().writePosts(Number(tiny.id), [0, 1, 2].map((i) => ({
    platformPostId: `t${i}`, accountId: 'tiny', accountHandle: 'tiny', accountName: null, createdAt: Date.now() - 3 * 3_600_000, text: `tiny ${i}`, language: null,
    url: null, replyToId: null, repostOfId: null, hashtags: null, urls: null, mentions: null, status: i ? 'removed_by_platform' as const : 'visible' as const,
    statusChangedAt: i ? Date.now() - 3_600_000 : null, statusEvidence: null, extra: null,
  })), Date.now());
  const server = await startServer(ts.store, { port: 0 });
  return { ts, server, browser: await launchBrowser(server.url) };
}

/** Opens `path` with the browser's clock in Asia/Shanghai (UTC+8). */
async function openInUtcPlus8(b: Browser, path: string): Promise<Page> {
  const page = await b.open('/favicon.svg');
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setTimezoneOverride', { timezoneId: 'Asia/Shanghai' });
  await page.goto(new URL(path, page.url()).href);
  return page;
}

/** ECharts' option of the chart in `#id`, through the dashboard's read-only test hook. */
async function optionOf(page: Page, id: string): Promise<any> {
  await page.waitForSelector(`#${id}[data-chart="ready"] canvas`);
  return page.evaluate(`window.censorscopeCharts.option(${JSON.stringify(id)})`);
}

const names = (axes: any) => [axes ?? []].flat().map((a: any) => a.name as string);

/** Every series and legend name of a chart reads as words, not as a stored status code. */
function assertReadableNames(option: any, id: string): void {
  const shown = [...option.series.map((s: any) => s.name), ...[option.legend ?? []].flat().flatMap((l: any) => l.data ?? [])]
    .map((n: any) => (typeof n === 'string' ? n : n?.name));
  assert.ok(shown.length > 0, `${id}: no series names`);
  for (const n of shown) assert.doesNotMatch(String(n), /_|^series\d/i, `${id}: raw series name "${n}"`);
}

/** The chart's axis titles: in its data-axes attribute and in ECharts' option alike, x in UTC, y with a unit. */
async function assertAxes(page: Page, id: string, option: any, yUnits: RegExp[]): Promise<void> {
  const attr = JSON.parse((await page.getAttribute(`#${id}`, 'data-axes')) ?? 'null') as { x: string[]; y: string[] };
  assert.deepEqual(attr, { x: names(option.xAxis), y: names(option.yAxis) }, `${id}: data-axes differs from the chart`);
  assert.ok(attr.x.length > 0 && attr.x.every((n) => /\bUTC\b/.test(n)), `${id}: x axis titles ${JSON.stringify(attr.x)} do not say UTC`);
  assert.equal(attr.y.length, yUnits.length, `${id}: y axes ${JSON.stringify(attr.y)}`);
  attr.y.forEach((n, i) => assert.match(n, yUnits[i]!, `${id}: y axis title "${n}" names no unit`));
  assert.equal(option.useUTC, true, `${id}: time is formatted in the browser's zone`);
}

describe('charts and numbers that tell the truth, in Chromium', { skip }, () => {
  let sim: Observatory;
  let real: Observatory;

  before(async () => {
    await ensureWebBundle();
    sim = await observatory(true);
    real = await observatory(false);
  });
  after(async () => {
    for (const o of [sim, real]) {
      await o?.browser.close();
      await o?.server.close();
      await o?.ts.cleanup();
    }
  });

  it('shows the simulated-data banner on every page while a simulated source is present, and never otherwise', async () => {
    for (const path of PAGES) {
      const page = await sim.browser.open(path);
      await page.waitForSelector('#simulated-banner', { timeout: 10_000 });
      const text = await page.locator('#simulated-banner').textContent() ?? '';
      assert.match(text, /^Simulated data\./, path);
      assert.match(text, /sim-mastodon \(posts\)/, path);
      if (path === '/') await page.screenshot({ path: join(SHOTS, 'simulated-banner.png') });
      await page.close();
    }
    for (const path of PAGES) {
      const page = await real.browser.open(path);
      await page.waitForFunction(() => document.getElementById('app')!.dataset.page !== undefined && document.documentElement.dataset.simulated !== undefined);
      assert.equal(await page.getAttribute('html', 'data-simulated'), 'false');
      assert.equal(await page.locator('#simulated-banner').count(), 0, `banner on ${path} of a store without simulated sources`);
      await page.close();
    }
    assert.deepEqual([...sim.browser.problems, ...real.browser.problems], []);
  });

  it('shows tiles and tables that agree, rates with intervals and the minimum sample, and the data\'s own time range', async () => {
    const page = await openInUtcPlus8(real.browser, '/');
    await page.waitForSelector('#top-sources tbody tr');
    const tile = async (cls: string) => Number((await page.locator(`#cards .card${cls} .value`).first().textContent())!.replace(/,/g, ''));
    const posts = Number((await page.locator('#cards .card .value').first().textContent())!.replace(/,/g, ''));
    const removed = (await tile('.s-removed_by_platform')) + (await tile('.s-account_gone'));
    const rows = await page.locator('#top-sources tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    const col = (i: number) => rows.reduce((s, r) => s + Number(r[i]!.replace(/,/g, '')), 0);
    assert.equal(col(2), posts, 'posts tile against the sources table');
    assert.equal(col(3), removed, 'removed tiles against the sources table');
    assert.deepEqual(rows.at(-1)!.slice(0, 4), ['tiny-import', 'import', '3', '2']);
    assert.match(rows.at(-1)![4]!, /too few posts to rank/);
    assert.match(await page.locator('#sources-total').textContent() ?? '', new RegExp(`${posts.toLocaleString('en-US')} posts, ${removed.toLocaleString('en-US')} removed`));
    // Accounts: each rate with its interval, the minimum sample stated, the ranking explained.
    assert.match(await page.locator('#accounts-method').textContent() ?? '', /at least 10 posts, ranked by the lower bound of the 95% Wilson interval/);
    const accounts = await page.locator('#top-accounts tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    assert.ok(accounts.length > 0);
    for (const a of accounts) {
      assert.ok(Number(a[1]!.replace(/,/g, '')) >= 10, `an account with ${a[1]} posts is ranked`);
      const [rate, low, high] = [a[3]!, ...a[4]!.split(' – ')].map((x) => Number(x.replace('%', '')));
      assert.ok(low! <= rate! && rate! <= high!, `interval ${a[4]} does not hold rate ${a[3]}`);
    }
    // The data's time range, in UTC, never after the moment the page was read.
    const range = await page.locator('#data-range').textContent() ?? '';
    assert.match(range, /Posts from \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z to .*UTC/);
    for (const m of range.matchAll(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z/g)) assert.ok(Date.parse(m[0].replace(' ', 'T')) <= Date.now(), `${m[0]} is in the future`);
    await page.close();
  });

  it('titles every axis with its unit and UTC, and names series in words', async () => {
    const page = await openInUtcPlus8(real.browser, '/');
    const dis = await optionOf(page, 'chart-disappearances');
    await assertAxes(page, 'chart-disappearances', dis, [/per hour/]);
    assertReadableNames(dis, 'chart-disappearances');
    assert.ok(dis.series.some((s: any) => s.name === 'removed by platform'));
    const health = await optionOf(page, 'chart-health');
    await assertAxes(page, 'chart-health', health, [/per minute/]);
    assertReadableNames(health, 'chart-health');
    await page.screenshot({ path: join(SHOTS, 'overview-charts.png'), fullPage: true });
    const term = await openInUtcPlus8(real.browser, `/terms/${encodeURIComponent('维权')}`);
    const t = await optionOf(term, 'chart-term');
    await assertAxes(term, 'chart-term', t, [/per day/, /%/]);
    assertReadableNames(t, 'chart-term');
    await page.close();
    await term.close();
  });

  it("draws a day's posts and removals at one position on the term timeline", async () => {
    const page = await openInUtcPlus8(real.browser, `/terms/${encodeURIComponent('维权')}`);
    const option = await optionOf(page, 'chart-term');
    // The seeded timeline: 2026-01-01 40 posts / 8 removed, 2026-01-02 80 / 22.
    assert.deepEqual(option.xAxis[0].type, 'category');
    assert.deepEqual(option.xAxis[0].data, ['2026-01-01', '2026-01-02']);
    const series = (name: string) => option.series.find((s: any) => s.name === name);
    assert.deepEqual(series('posts').data, [40, 80]);
    assert.deepEqual(series('removed').data, [8, 22]);
    const bars = (i: number) => page.evaluate(`window.censorscopeCharts.bars('chart-term', ${i})`) as Promise<ReturnType<ChartProbe['bars']>>;
    const postsBars = await bars(option.series.indexOf(series('posts')));
    const removedBars = await bars(option.series.indexOf(series('removed')));
    assert.equal(postsBars.length, 2);
    for (let d = 0; d < 2; d++) {
      assert.ok(postsBars[d] && removedBars[d], `day ${d} has no bar`);
      assert.ok(Math.abs(postsBars[d]!.x - removedBars[d]!.x) < 0.5 && Math.abs(postsBars[d]!.width - removedBars[d]!.width) < 0.5,
        `day ${d}: posts bar at ${JSON.stringify(postsBars[d])}, removed bar at ${JSON.stringify(removedBars[d])}`);
    }
    assert.ok(postsBars[1]!.x > postsBars[0]!.x + postsBars[0]!.width, 'the two days overlap');
    // The daily rate, in percent, with its interval band: 22 of 80 is 27.5%.
    assert.deepEqual(series('removal rate').data, [20, 27.5]);
    assert.match(await page.locator('#term-chart-note').textContent() ?? '', /95% Wilson interval/);
    await page.screenshot({ path: join(SHOTS, 'term-timeline.png'), fullPage: true });
    await page.close();
  });

  it('leaves minutes without checks as gaps in the health chart', async () => {
    const page = await openInUtcPlus8(real.browser, '/');
    const option = await optionOf(page, 'chart-health');
    const api = (await (await fetch(`${real.server.url}/api/watch/health?minutes=30`)).json()) as { since: number; to: number; series: Array<{ minute: number; checks: number }> };
    const checked = new Map(api.series.map((r) => [r.minute, r.checks]));
    const data = option.series.find((s: any) => s.name === 'checks').data as Array<[number, number | null]>;
    assert.equal(data.length, Math.ceil((api.to - api.since) / 60_000));
    for (const [minute, value] of data) assert.equal(value, checked.get(minute) ?? null, `minute ${new Date(minute).toISOString()}`);
    assert.ok(data.some(([, v]) => v === null), 'the seeded window has minutes without checks');
    assert.ok(option.series.every((s: any) => s.connectNulls !== true));
    assert.match(await page.locator('#health-text').textContent() ?? '', /minutes had no check \(gaps in the lines\)/);
    await page.close();
  });

  it('prints no null, NaN or undefined on the overview and terms pages', async () => {
    for (const path of ['/', '/terms', `/terms/${encodeURIComponent('维权')}`]) {
      const page = await real.browser.open(path);
      await page.waitForFunction(() => document.getElementById('app')!.dataset.page !== undefined);
      const text = await page.locator('main').innerText();
      assert.doesNotMatch(text, /\bnull\b|\bNaN\b|\bundefined\b/, `${path}: ${text.slice(0, 400)}`);
      await page.close();
    }
  });
});
