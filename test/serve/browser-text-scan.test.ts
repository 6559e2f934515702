/**
 * Issue 14's "no page shows null, NaN, epoch numbers or escaped JSON": every page of the
 * dashboard on a seeded store, found from the header nav and the links and filters it leads to
 * (test/helpers/page-walk.ts, so pages added later are scanned too), at desktop width and at
 * 390 px. Each page's visible text must hold no `null`, `undefined`, `NaN`, `[object Object]`,
 * epoch times (10- or 13-digit numbers that decode to a date between 2000 and 2100), escaped or
 * raw JSON, and no error box; at 390 px nothing may stick out of the window.
 */
import { after, before, describe, it } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { backends, type TestStore } from '../helpers/stores.ts';
import { browserSkip as skip, launchBrowser, type Browser } from '../helpers/browser.ts';
import { discoverPages, settle, type FoundPage } from '../helpers/page-walk.ts';
import { startServer, type RunningServer } from '../../src/serve/server.ts';
import { seedMeasurements } from '../../src/serve/fixtures-probe.ts';
import { runImpostors } from '../../src/detect/impostors/scan.ts';
import { seedImpostors } from '../detect/impostors/fixture.ts';
import { seedObservatory } from '../../src/serve/fixtures.ts';
import { ensureWebBundle } from '../../src/serve/web-build.ts';
import { openArchive } from '../../src/archive/index.ts';
import type { Archive } from '../../src/archive/types.ts';
import { seedTrackedSites } from '../../src/serve/fixtures-sites.ts';

const VIEWPORTS = [{ label: 'desktop', width: 1280, height: 900 }, { label: 'phone', width: 390, height: 844 }] as const;
const YEAR_2000 = Date.UTC(2000, 0, 1);
const YEAR_2100 = Date.UTC(2100, 0, 1);

/** What is wrong with a page's visible text; empty when nothing is. */
export function textDefects(text: string): string[] {
  const out: string[] = [];
  const context = (i: number, len: number) => JSON.stringify(text.slice(Math.max(0, i - 30), i + len + 30));
  for (const [re, what] of [
    [/\bnull\b/g, '"null"'], [/\bundefined\b/g, '"undefined"'], [/\bNaN\b/g, '"NaN"'], [/\[object Object\]/g, '"[object Object]"'],
    [/\\"/g, 'escaped JSON (\\")'], [/\\u[0-9a-fA-F]{4}/g, 'escaped JSON (\\u)'], [/\{\s*"[^"\n]{1,40}"\s*:/g, 'raw JSON'],
  ] as const) {
    for (const m of text.matchAll(re)) out.push(`${what} in ${context(m.index, m[0].length)}`);
  }
  // Thousands separators do not hide an epoch: 1,764,633,600,000 is one too.
  const digits = text.replace(/(\d),(?=\d{3}(?!\d))/g, '$1');
  for (const m of digits.matchAll(/(?<![\w.])(\d{13}|\d{10})(?![\w.])/g)) {
    const ms = m[1]!.length === 13 ? Number(m[1]) : Number(m[1]) * 1000;
    if (ms >= YEAR_2000 && ms < YEAR_2100) out.push(`epoch time ${m[1]} (${new Date(ms).toISOString()}) in ${JSON.stringify(digits.slice(Math.max(0, m.index - 30), m.index + 43))}`);
  }
  return out;
}

describe('text scan of every dashboard page', { skip }, () => {
  let ts: TestStore;
  let server: RunningServer;
  let browser: Browser;
  let pages: FoundPage[];
  let archive: Archive;

  before(async () => {
    await ensureWebBundle();
    ts = await backends()[0]!.open();
    await seedObservatory(ts.store, { posts: 3000, seed: 3 });
    // Every page with data behind it: blocking measurements, and impostors found by the detector.
    await seedMeasurements(ts.store);
    await seedImpostors(ts.store);
    await runImpostors(ts.store);
    // One post of each gone status carries evidence as the watcher writes it (epoch ms) and an
    // observation whose detail holds the platform's JSON answer as a string, so the scan sees them.
    const db = ts.store.db;
    for (const status of ['removed_by_platform', 'deleted', 'deleted_by_author', 'account_gone'] as const) {
      const post = await db.selectFrom('posts').select(['id', 'status_changed_at']).where('status', '=', status).orderBy('id', 'desc').executeTakeFirst();
      if (!post) continue;
      const obs = await db.selectFrom('observations').select('id').where('post_id', '=', post.id).where('outcome', '=', status).executeTakeFirst();
      const at = Number(post.status_changed_at);
      await db.updateTable('posts').set({ status_evidence: JSON.stringify({ observationId: Number(obs?.id ?? 0), lastSeenAt: at - 900_000, firstMissingAt: at, httpStatus: 404, errorCode: null }) })
        .where('id', '=', post.id).execute();
      if (obs) await db.updateTable('observations').set({ detail: JSON.stringify({ body: '{"error":"Record not found"}', checkedAt: at }) }).where('id', '=', obs.id).execute();
    }
    // Tracked sites with captures archived through the real web archive (the site watch pages).
    archive = await openArchive(ts.store, { dir: mkdtempSync(join(tmpdir(), 'text-scan-archive-')) });
    await seedTrackedSites(ts.store, archive, { xss: true });
    server = await startServer(ts.store, { port: 0, archive, rateLimit: { max: 100_000, timeWindowMs: 10_000 } });
    browser = await launchBrowser(server.url);
    pages = await discoverPages(browser);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await archive?.close();
    if (archive) rmSync(archive.dir, { recursive: true, force: true });
    await ts?.cleanup();
  });

  it('recognises each defect it scans for, and passes clean text', () => {
    // The scanner itself must be able to fail: each planted defect is found.
    for (const bad of ['Older posts null', 'undefined', 'rate NaN%', '[object Object]', 'a {\\"b\\": 1}', '\\u7ef4', '{"by": "seed"}', 'at 1764633600000', 'at 1764633600',
      'seen 1,764,633,600,000']) {
      assert.ok(textDefects(bad).length > 0, bad);
    }
    assert.deepEqual(textDefects('3,002 posts · 2026-12-02 06:00:00Z · p1234 · 12345 · id 4410123456789012 · nullable · 9999999999999 · acct_1942216155ad3710af80'), []);
  });

  it('finds the pages: every nav page, a detail page of each kind, a post of each gone status', () => {
    const navs = pages.filter((p) => p.kind === 'nav').map((p) => p.path);
    assert.ok(navs.includes('/') && navs.includes('/posts') && navs.includes('/terms') && navs.includes('/campaigns'), navs.join(' '));
    const paths = pages.map((p) => p.path);
    for (const re of [/^\/posts\/\d+$/, /^\/terms\/[^/?]+$/, /^\/campaigns\/[^/?]+$/, /^\/site-watch\/\d+$/, /^\/site-watch\/captures\/\d+$/, /^\/site-watch\/\d+\/diff\?a=\d+&b=\d+$/]) assert.ok(paths.some((p) => re.test(p)), `a page like ${re}: ${paths.join(' ')}`);
    for (const status of ['removed_by_platform', 'deleted', 'deleted_by_author', 'account_gone']) {
      assert.ok(pages.some((p) => p.kind === 'detail' && p.name.endsWith(`(status ${status})`)), `a post of status ${status}`);
    }
  });

  it('shows no null, undefined, NaN, epoch numbers or JSON, and fits 390 px, on every page', async (t) => {
    for (const found of pages) {
      for (const vp of VIEWPORTS) {
        await t.test(`${found.name} (${found.path}) at ${vp.width} px`, async () => {
          const seen = browser.problems.length;
          const page = await browser.open(found.path, { width: vp.width, height: vp.height });
          try {
            await settle(page);
            const problems: string[] = [];
            const error = await page.locator('#app .error').allInnerTexts();
            if (error.length) problems.push(`error box: ${error.join(' | ')}`);
            problems.push(...textDefects(`${await page.title()}\n${await page.locator('body').innerText()}`));
            if (vp.label === 'phone') {
              const overflow = await page.evaluate(() => {
                const w = window.innerWidth;
                const out: string[] = [];
                if (document.documentElement.scrollWidth > w) out.push(`the page is ${document.documentElement.scrollWidth} px wide`);
                for (const e of document.querySelectorAll('body *')) {
                  const r = e.getBoundingClientRect();
                  if (r.width > 0 && r.right > w + 1) out.push(`${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${e.className && typeof e.className === 'string' ? `.${e.className.split(' ').join('.')}` : ''} reaches ${Math.round(r.right)} px`);
                  if (out.length > 6) break;
                }
                return out;
              });
              problems.push(...overflow.map((o) => `overflow at ${vp.width} px: ${o}`));
            }
            // Script errors and requests leaving 127.0.0.1 while this page was open.
            problems.push(...browser.problems.slice(seen));
            assert.deepEqual(problems, [], `${found.path} at ${vp.width} px:\n  ${problems.join('\n  ')}`);
          } finally {
            await page.close();
          }
        });
      }
    }
  });
});
