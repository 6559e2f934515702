/**
 * `npm run screenshots`: the README's screenshots. Seeds a throwaway store with the test
 * fixture (src/serve/fixtures.ts), starts the server on it, finds every page from the header
 * nav as the text scan test does (test/helpers/page-walk.ts), and writes each page at desktop
 * (1280 px) and phone (390 px) width to docs/screenshots/NAME-desktop.png and NAME-phone.png.
 * Needs Debian's chromium; says so when no CJK font is installed (Chinese would show as boxes).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { openStore } from '../src/store/open.ts';
import { seedMeasurements } from '../src/serve/fixtures-probe.ts';
import { runImpostors } from '../src/detect/impostors/scan.ts';
import { seedImpostors } from '../test/detect/impostors/fixture.ts';
import { seedObservatory } from '../src/serve/fixtures.ts';
import { startServer } from '../src/serve/server.ts';
import { openArchive } from '../src/archive/index.ts';
import { seedTrackedSites } from '../src/serve/fixtures-sites.ts';
import { ensureWebBundle, PROJECT_ROOT } from '../src/serve/web-build.ts';
import { CHROMIUM, launchBrowser } from '../test/helpers/browser.ts';
import { discoverPages, settle, type FoundPage } from '../test/helpers/page-walk.ts';

const OUT = join(PROJECT_ROOT, 'docs/screenshots');
/** Full pages, cut at a height that still shows what the page is (a 50-card list is 8,000 px at phone width). */
const VIEWPORTS = [
  { label: 'desktop', width: 1280, height: 900, maxHeight: 2400 },
  { label: 'phone', width: 390, height: 844, maxHeight: 3000 },
] as const;

/** The first font family fontconfig has for Chinese, null when none, undefined when fc-list is missing. */
function cjkFont(): string | null | undefined {
  try {
    return execFileSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8' }).trim().split('\n')[0] || null;
  } catch {
    return undefined;
  }
}

/** One screenshot per kind of page: the nav pages, and one detail page of each kind (a removed post rather than any post). */
function pick(pages: FoundPage[]): Array<{ slug: string; page: FoundPage }> {
  const out = new Map<string, FoundPage>();
  for (const p of pages) {
    if (p.kind === 'variant' || (p.kind === 'detail' && p.path.includes('?'))) continue;
    const slug = p.name.replace(/\s*\(.*\)$/, '').replace(/[^a-z0-9]+/gi, '-').toLowerCase();
    const had = out.get(slug);
    if (!had || (p.name.includes('removed_by_platform') && !had.name.includes('removed_by_platform'))) out.set(slug, p);
  }
  return [...out].map(([slug, page]) => ({ slug, page }));
}

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM}: install Debian's chromium (apt-get install chromium) and run again.`);
  const font = cjkFont();
  if (font === undefined) console.warn('warning: fc-list is not installed, so whether a CJK font is present is unknown; Chinese text may render as boxes (apt-get install fontconfig fonts-noto-cjk).');
  else if (font === null) console.warn('warning: no CJK font is installed (fc-list :lang=zh found none): Chinese text will render as boxes. Install one (apt-get install fonts-noto-cjk) and run again.');
  else console.log(`CJK font: ${font}`);

  const dir = mkdtempSync(join(tmpdir(), 'censorscope-screenshots-'));
  const store = await openStore({ db: join(dir, 'screenshots.db') });
  try {
    // The test fixture without its XSS payload posts: the screenshots show the dashboard, not its hardening tests.
    await seedObservatory(store, { posts: 3000, seed: 3, xss: false });
    // Every page with data behind it: blocking measurements, and impostors found by the detector.
    await seedMeasurements(store);
    await seedImpostors(store);
    await runImpostors(store);
    // Tracked sites with their captures archived through the real web archive (the site watch pages).
    const archive = await openArchive(store, { dir: join(dir, 'archive') });
    await seedTrackedSites(store, archive);
    await ensureWebBundle({ log: (l) => console.log(l) });
    const server = await startServer(store, { port: 0, archive });
    const browser = await launchBrowser(server.url);
    try {
      const chosen = pick(await discoverPages(browser));
      mkdirSync(OUT, { recursive: true });
      for (const f of readdirSync(OUT)) if (f.endsWith('.png')) rmSync(join(OUT, f));
      for (const { slug, page: found } of chosen) {
        for (const vp of VIEWPORTS) {
          const seen = browser.problems.length;
          const page = await browser.open(found.path, { width: vp.width, height: vp.height });
          await settle(page);
          await page.waitForTimeout(1200); // chart animations
          const height = Math.min(vp.maxHeight, await page.evaluate(() => document.documentElement.scrollHeight));
          const file = join(OUT, `${slug}-${vp.label}.png`);
          await page.screenshot({ path: file, fullPage: true, clip: { x: 0, y: 0, width: vp.width, height } });
          await page.close();
          console.log(`${relative(PROJECT_ROOT, file)}  ${found.path}  ${Math.round(statSync(file).size / 1024)} KB`);
          // The page's own errors (a script error, a request leaving 127.0.0.1) belong in its report.
          for (const problem of browser.problems.slice(seen)) console.warn(`warning: ${found.path} at ${vp.width} px: ${problem}`);
        }
      }
    } finally {
      await browser.close();
      await server.close();
      await archive.close();
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(`screenshots: ${(err as Error).message}`);
  process.exit(1);
});
