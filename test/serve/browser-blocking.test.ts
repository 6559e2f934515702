/**
 * The blocking pages in real Chromium: the sites list and its filters through the URL, a site's
 * timeline chart drawn with its legend, a measurement's OONI view, the OONI JSONL download
 * parsed back into the stored measurements, the overview tile and chart, hostile input kept as
 * text; and OONI's own QA measurements (../shared/data/ooni-webconnectivity-qa) imported and each
 * one's OONI verdict found on its site's page.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { backends, type TestStore } from '../helpers/stores.ts';
import { browserSkip as skip, inkedPixels, launchBrowser, SHOTS, type Browser } from '../helpers/browser.ts';
import { tempDir } from '../helpers/files.ts';
import { startServer, type RunningServer } from '../../src/serve/server.ts';
import { seedObservatory } from '../../src/serve/fixtures.ts';
import { seedMeasurements, XSS_SITE, type SeededMeasurement } from '../../src/serve/fixtures-probe.ts';
import { ensureWebBundle } from '../../src/serve/web-build.ts';
import { importOoniFile } from '../../src/probe/ooni/import.ts';
import { measurementIdentity } from '../../src/probe/ooni/identity.ts';

const QA = resolve(import.meta.dirname, '../../../shared/data/ooni-webconnectivity-qa/qa-measurements.jsonl');
const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);

/** Text a page shows that no page may show: a bare null or NaN, an epoch timestamp, JSON escaped twice. */
async function badText(page: Page): Promise<string[]> {
  const text = await page.locator('main').innerText();
  const found: string[] = [];
  for (const [what, re] of [['null', /\bnull\b/], ['NaN', /\bNaN\b/], ['undefined', /\bundefined\b/], ['epoch ms', /\b1[5-9]\d{11}\b/], ['escaped JSON', /\\"/]] as const) {
    const m = re.exec(text);
    if (m) found.push(`${what}: …${text.slice(Math.max(0, m.index - 60), m.index + 40)}…`);
  }
  return found;
}

describe('blocking pages in Chromium', { skip }, () => {
  let ts: TestStore;
  let server: RunningServer;
  let browser: Browser;
  let seeded: SeededMeasurement[];
  const api = async <T>(path: string): Promise<T> => (await (await fetch(server.url + path)).json()) as T;

  before(async () => {
    await ensureWebBundle();
    ts = await backends()[0]!.open();
    await seedObservatory(ts.store, { posts: 400, seed: 5, now: NOW });
    seeded = await seedMeasurements(ts.store, { now: NOW, xss: true });
    server = await startServer(ts.store, { port: 0, rateLimit: { max: 100_000, timeWindowMs: 10_000 } });
    browser = await launchBrowser(server.url);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await ts?.cleanup();
  });

  it('lists the sites and filters them through the URL', async () => {
    const page = await browser.open('/sites');
    await page.waitForSelector('#sites-table tbody tr td a.site-host');
    const hosts = async () => page.locator('#sites-table tbody tr td a.site-host').allTextContents();
    const all = await api<{ items: Array<{ host: string; by_verdict: Record<string, number> }> }>('/api/blocking/sites?limit=200');
    assert.deepEqual(await hosts(), all.items.map((s) => s.host));
    assert.equal(all.items.length, 7);
    // The blocked column is the API's count for each site.
    const blockedCells = await page.locator('#sites-table tbody tr td:nth-child(7)').allTextContents();
    assert.deepEqual(blockedCells, all.items.map((s) => String(s.by_verdict.blocked)));
    assert.match(await page.locator('#blocking-simulated').textContent() ?? '', /simulated/);

    await page.selectOption('#f-cc', 'XA');
    await page.click('#site-filters button[type=submit]');
    await page.waitForURL(/\/sites\?cc=XA$/);
    await page.waitForFunction(() => document.querySelectorAll('#sites-table tbody tr').length > 0 && location.search === '?cc=XA');
    const xa = await api<{ items: Array<{ host: string }> }>('/api/blocking/sites?cc=XA&limit=200');
    assert.deepEqual(await hosts(), xa.items.map((s) => s.host));
    assert.ok(xa.items.length < all.items.length);
    await page.reload();
    await page.waitForSelector('#sites-table tbody tr td a.site-host');
    assert.equal(await page.inputValue('#f-cc'), 'XA');
    assert.deepEqual(await hosts(), xa.items.map((s) => s.host));
    // Links to a site keep the network filter.
    assert.match(await page.locator('#sites-table a.site-host').first().getAttribute('href') ?? '', /\?cc=XA$/);

    await page.goto(`${server.url}/sites?category=HUMR&asn=AS64497`);
    await page.waitForSelector('#sites-table tbody tr td a.site-host');
    assert.deepEqual(await hosts(), ['rights.example.org']);
    assert.equal(await page.inputValue('#f-category'), 'HUMR');
    assert.equal(await page.inputValue('#f-asn'), 'AS64497');
    await page.screenshot({ path: join(SHOTS, 'sites.png'), fullPage: true });
    assert.deepEqual(await badText(page), []);
    assert.deepEqual(browser.problems, []);
    await page.close();

    // At phone width each site is a card: the table fits the screen and host names are not squeezed.
    const phone = await browser.open('/sites', { width: 390, height: 844 });
    await phone.waitForSelector('#sites-table tbody tr td a.site-host');
    const box = await phone.locator('#sites-table table').boundingBox();
    assert.ok(box && box.width <= 390, `table is ${box?.width} px wide`);
    const host = await phone.locator('#sites-table a.site-host').first().boundingBox();
    assert.ok(host && host.height < 30, `a host name wraps to ${host?.height} px`);
    assert.equal(await phone.locator('#sites-table tbody tr').first().locator('td').first().getAttribute('data-label'), 'site');
    await phone.screenshot({ path: join(SHOTS, 'sites-phone.png'), fullPage: true });
    await phone.close();
  });

  it("draws a site's timeline with dates, a legend of states, and its changes", async () => {
    const page = await browser.open('/sites/news.example');
    await page.waitForSelector('#chart-site[data-chart="ready"] canvas');
    assert.ok(await inkedPixels(page, '#chart-site canvas') > 1000, 'the chart has marks');
    assert.equal(await page.locator('#chart-site').getAttribute('data-legend'), 'reachable,blocked');
    assert.match(await page.locator('#chart-site').getAttribute('data-x-axis') ?? '', /UTC/);
    const d = await api<{ timelines: Array<{ probe_cc: string; probe_asn: string; timeline: Array<{ state: string; how: string[]; at: string; measurements: number }> }> }>('/api/blocking/sites/news.example');
    const want = d.timelines.flatMap((t) => t.timeline.map((s) => [`${t.probe_cc} ${t.probe_asn}`, s.how.length ? `${s.state} (${s.how.join(', ')})` : s.state,
      `${s.at.replace('T', ' ').replace('Z', '')} UTC`, String(s.measurements)]));
    const rows = await page.locator('#site-timeline tbody tr').evaluateAll((trs) => trs.map((tr) => {
      const td = [...tr.querySelectorAll('td')].map((x) => x.textContent ?? '');
      return [td[0], td[2], td[3], td[5]];
    }));
    assert.deepEqual(rows, want);
    assert.ok(rows.some((r) => r[1] === 'blocked (dns-injection)'));
    assert.ok(rows.some((r) => r[1] === 'blocked (sni-reset)'));
    await page.screenshot({ path: join(SHOTS, 'site.png'), fullPage: true });
    assert.deepEqual(await badText(page), []);

    // One network through the URL.
    await page.goto(`${server.url}/sites/news.example?cc=XC`);
    await page.waitForSelector('#chart-site[data-chart="ready"] canvas');
    const nets = await page.locator('#site-timeline tbody tr td:first-child').allTextContents();
    assert.ok(nets.length > 0 && nets.every((n) => n === 'XC AS64510'), nets.join(','));
    assert.equal(await page.locator('#chart-site').getAttribute('data-legend'), 'reachable,blocked');

    // A span of one state that holds days without any measurement says so.
    await page.goto(`${server.url}/sites/rights.example.org?cc=XB`);
    await page.waitForSelector('#chart-site[data-chart="ready"] canvas');
    const gap = await page.locator('#site-timeline tbody tr td:nth-child(7)').allTextContents();
    assert.equal(gap.length, 1);
    assert.match(gap[0]!, /^3\.5 days: 2026-11-1\d \d\d:\d\d:00 UTC to 2026-11-1\d \d\d:\d\d:00 UTC$/);
    await page.close();
  });

  it("downloads a site's measurements as OONI JSONL that parses back into the stored ones", async () => {
    const page = await browser.open('/sites/rights.example.org?cc=XA');
    await page.waitForSelector('#site-download');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#site-download')]);
    assert.equal(download.suggestedFilename(), 'rights.example.org-measurements.jsonl');
    const text = readFileSync((await download.path())!, 'utf8');
    const lines = text.split('\n').filter((l) => l);
    const stored = await ts.store.db.selectFrom('probe_measurements').select(['id', 'body']).where('hostname', '=', 'rights.example.org').where('probe_cc', '=', 'XA').orderBy('id').execute();
    assert.equal(lines.length, seeded.filter((m) => m.host === 'rights.example.org' && m.cc === 'XA').length);
    assert.deepEqual(lines, stored.map((s) => s.body));
    for (const l of lines) assert.equal(JSON.parse(l).probe_cc, 'XA');
    await page.close();
  });

  it("shows a measurement's OONI view", async () => {
    const page = await browser.open('/sites/search.example.net?cc=XA');
    await page.waitForSelector('#site-measurements tbody tr a');
    const href = await page.locator('#site-measurements tbody tr a').first().getAttribute('href');
    await page.click('#site-measurements tbody tr a >> nth=0');
    await page.waitForURL(/\/measurements\/\d+$/);
    await page.waitForSelector('#measurement-facts dl');
    const id = Number(href!.split('/').pop());
    const m = seeded.find((x) => x.id === id)!;
    assert.equal(m.scenario, 'dns-nxdomain');
    const facts = await page.locator('#measurement-facts dd').allTextContents();
    const body = JSON.parse((await ts.store.db.selectFrom('probe_measurements').select('body').where('id', '=', id).executeTakeFirstOrThrow()).body);
    assert.deepEqual(facts.slice(0, 5), [m.input, 'XA', 'AS64496 (Simulated network AS64496)', `${body.test_start_time} UTC`, `${body.measurement_start_time} UTC`]);
    assert.match(await page.locator('h1').textContent() ?? '', /blocked \(dns-nxdomain\).*simulated/);
    const verdicts = await page.locator('#measurement-verdicts dd').allTextContents();
    assert.equal(verdicts[0], 'blocked (dns-nxdomain)');
    assert.match(verdicts[1]!, /^blocking dns, accessible false/);
    const dns = await page.locator('#measurement-dns tbody tr td:nth-child(4)').allTextContents();
    assert.deepEqual(dns, ['dns_nxdomain_error', 'dns_nxdomain_error']);
    // The whole measurement, once encoded: it parses back to the stored JSON.
    await page.click('#measurement-json summary');
    assert.deepEqual(JSON.parse(await page.locator('#measurement-json pre').textContent() ?? ''), body);
    await page.click('#measurement-json summary');
    assert.deepEqual(await badText(page), []);
    await page.screenshot({ path: join(SHOTS, 'measurement.png'), fullPage: true });
    await page.close();
  });

  it('shows the blocking tile and chart on the overview', async () => {
    const page = await browser.open('/');
    await page.waitForSelector('#chart-blocking[data-chart="ready"] canvas');
    const o = await api<{ sites: number; measurements: number; sites_blocked: number; countries: number; networks: number }>('/api/blocking/overview');
    const values = await page.locator('#blocking-cards .card .value').allTextContents();
    assert.deepEqual(values, [o.sites, o.measurements, o.sites_blocked, o.countries, o.networks].map((n) => n.toLocaleString('en-US')));
    assert.ok(await inkedPixels(page, '#chart-blocking canvas') > 1000);
    assert.equal(await page.locator('#chart-blocking').getAttribute('data-legend'), 'reachable,blocked,down,unknown');
    assert.match(await page.locator('#blocking-note').textContent() ?? '', /simulated/);
    await page.locator('#blocking-overview').screenshot({ path: join(SHOTS, 'overview-blocking.png') });
    await page.close();
  });

  it('keeps a hostile URL as text and runs nothing', async () => {
    const host = new URL(XSS_SITE.url).hostname;
    const page = await browser.open(`/sites/${host}`);
    await page.waitForSelector('#site-measurements tbody tr');
    const urls = await page.locator('#site-timeline tbody tr td:nth-child(2)').allTextContents();
    assert.ok(urls.every((u) => u === XSS_SITE.url), urls.join(','));
    assert.equal(await page.locator('main img').count(), 0);
    await page.waitForTimeout(300);
    assert.deepEqual(browser.dialogs, []);
    assert.deepEqual(browser.problems, []);
    await page.close();
  });

  describe("OONI's QA measurements", { skip: existsSync(QA) ? false : `${QA} is absent (the shared data folder is not mounted)` }, () => {
    if (!existsSync(QA) && process.env.CI) throw new Error(`CI is set but the OONI QA corpus is missing at ${QA}.`);
    let qa: TestStore;
    let qaServer: RunningServer;
    let files: ReturnType<typeof tempDir>;
    before(async () => {
      qa = await backends()[0]!.open();
      files = tempDir();
      qaServer = await startServer(qa.store, { port: 0, rateLimit: { max: 100_000, timeWindowMs: 10_000 } });
    });
    after(async () => {
      await qaServer?.close();
      await qa?.cleanup();
      files?.cleanup();
    });

    it("imports all 50 and shows each one's OONI verdict on its site's page", async () => {
      const items = readFileSync(QA, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as { scenario: string; measurement: Record<string, any> });
      assert.equal(items.length, 50);
      const file = files.file('qa.jsonl', items.map((x) => JSON.stringify(x.measurement)).join('\n') + '\n');
      assert.deepEqual(await importOoniFile(qa.store, file, { quiet: true }), { rows: 50, imported: 50, duplicates: 0, quarantined: 0 });
      const byHost = new Map<string, Array<{ id: number; scenario: string; text: string }>>();
      for (const { scenario, measurement: m } of items) {
        const row = await qa.store.db.selectFrom('probe_measurements').select(['id', 'hostname']).where('uid', '=', measurementIdentity(m).key).executeTakeFirstOrThrow();
        const tk = m.test_keys;
        const text = `blocking ${tk.blocking === null ? 'not determined' : String(tk.blocking)}, accessible ${tk.accessible === null ? 'not determined' : String(tk.accessible)}`;
        byHost.set(row.hostname, [...(byHost.get(row.hostname) ?? []), { id: Number(row.id), scenario, text }]);
      }
      const page = await browser.context.newPage();
      await page.goto(`${qaServer.url}/sites?sort=host`);
      await page.waitForSelector('#sites-table tbody tr td a.site-host');
      assert.deepEqual(await page.locator('#sites-table a.site-host').allTextContents(), [...byHost.keys()].sort());
      let checked = 0;
      for (const [host, list] of byHost) {
        await page.goto(`${qaServer.url}/sites/${encodeURIComponent(host)}`);
        await page.waitForSelector('#site-measurements tbody tr a');
        for (const m of list) {
          const row = page.locator(`#site-measurements tbody tr:has(a[href="/measurements/${m.id}"])`);
          assert.equal(await row.locator('td:nth-child(6)').textContent(), m.text, `${m.scenario} (${host})`);
          assert.equal(await row.locator('td:nth-child(7)').textContent(), 'imported (ooniprobe 3.22.0-alpha)', m.scenario);
          checked++;
        }
        assert.deepEqual(await badText(page), [], host);
      }
      assert.equal(checked, 50);
      await page.close();
    });
  });
});
