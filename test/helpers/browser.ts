/**
 * Real Chromium for dashboard tests (Debian's /usr/bin/chromium through playwright-core): one
 * launch per test file, a fresh profile, and every request outside 127.0.0.1 aborted and
 * reported. Pages opened through `open` record console errors, page errors and dialogs.
 */
import { mkdirSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { PROJECT_ROOT } from '../../src/serve/web-build.ts';

export const CHROMIUM = '/usr/bin/chromium';
/** Where tests write their screenshots (not committed; scripts/screenshots.ts writes the README's). */
export const SHOTS = join(PROJECT_ROOT, 'artifacts/screenshots');
/** The skip reason for browser tests on a machine without Chromium (never in CI). */
export const browserSkip: string | false = !existsSync(CHROMIUM) && !process.env.CI ? 'chromium is not installed at /usr/bin/chromium (apt-get install chromium)' : false;

export interface Browser {
  context: BrowserContext;
  /** Opens `path` on `baseUrl` in a new page (optionally at a viewport size). */
  open(path: string, viewport?: { width: number; height: number }): Promise<Page>;
  /** Console errors, page errors and requests that left 127.0.0.1. */
  problems: string[];
  /** Messages of every dialog (alert, confirm) a page opened: hostile text must open none. */
  dialogs: string[];
  close(): Promise<void>;
}

/** Launches headless Chromium against a test server at `baseUrl`. */
export async function launchBrowser(baseUrl: string, opts: { viewport?: { width: number; height: number }; acceptDownloads?: boolean } = {}): Promise<Browser> {
  mkdirSync(SHOTS, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), 'censorscope-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: opts.viewport ?? { width: 1280, height: 900 },
    acceptDownloads: opts.acceptDownloads ?? true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const problems: string[] = [];
  const dialogs: string[] = [];
  await context.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (u.hostname === '127.0.0.1') return route.continue();
    problems.push(`external request: ${u.href}`);
    return route.abort();
  });
  return {
    context, problems, dialogs,
    async open(path, viewport) {
      const page = await context.newPage();
      if (viewport) await page.setViewportSize(viewport);
      page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
      page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      await page.goto(baseUrl + path);
      return page;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Counts non-transparent pixels of the canvas under `selector`: a drawn chart has many. */
export async function inkedPixels(page: Page, selector: string): Promise<number> {
  return page.$eval(selector, (c) => {
    const cv = c as HTMLCanvasElement;
    const d = cv.getContext('2d')!.getImageData(0, 0, cv.width, cv.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) n++;
    return n;
  });
}
