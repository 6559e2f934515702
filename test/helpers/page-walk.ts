/**
 * Finds every page of the dashboard the way a reader would: the header's nav links, then the
 * links those pages show (one page per kind of link: a post, a term, a campaign, a site…), and
 * the list filtered by each value of its select boxes (a post of each status). Nothing is
 * hard-coded, so pages added later (sites, impostors) are walked too. Used by the text scan test
 * and by scripts/screenshots.ts.
 */
import type { Page } from 'playwright-core';
import type { Browser } from './browser.ts';

export interface FoundPage {
  /** A short name: the nav link's text, or the kind of page a link leads to. */
  name: string;
  /** Path and query on the dashboard. */
  path: string;
  /** nav: in the header; detail: reached by a link; variant: a nav page filtered by one select value. */
  kind: 'nav' | 'detail' | 'variant';
}

/** Waits until the page's render finished (or failed) and its charts are drawn. */
export async function settle(page: Page, timeoutMs = 15_000): Promise<void> {
  await page.waitForFunction(() => {
    const app = document.getElementById('app');
    return !!app && (!!app.dataset.page || !!app.querySelector('.error'));
  }, null, { timeout: timeoutMs });
  // Charts mark themselves ready once drawn; a chart that never does is the scan's to report.
  await page.waitForFunction(() => [...document.querySelectorAll('.chart')].every((c) => (c as HTMLElement).dataset.chart === 'ready'), null, { timeout: 5000 })
    .catch(() => undefined);
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
}

/** The same-origin links in a page's main area, as path + query. */
async function mainLinks(page: Page): Promise<string[]> {
  return page.$$eval('main a[href^="/"]', (as) => as.map((a) => a.getAttribute('href')!).filter((h) => !h.startsWith('//')));
}

/** What kind of page a link leads to: its first path segment and whether it has more, plus its query's keys. */
function shape(href: string): string {
  const u = new URL(href, 'http://x');
  const parts = u.pathname.split('/').filter(Boolean);
  const keys = [...u.searchParams.keys()].sort().join('&');
  // Deeper paths keep their word segments (/site-watch/captures/:x and /site-watch/:x/diff are two kinds).
  const rest = parts.length > 2 ? `/${parts.slice(1).map((p) => (/\d/.test(p) ? ':x' : p)).join('/')}` : parts.length > 1 ? '/:x' : '';
  return `/${parts[0] ?? ''}${rest}${keys ? `?${keys}` : ''}`;
}

function detailName(href: string): string {
  const u = new URL(href, 'http://x');
  const parts = u.pathname.split('/').filter(Boolean);
  const base = parts.length > 2 ? parts.filter((p) => !/\d/.test(p)).map((p) => p.replace(/s$/, '')).join(' ')
    : parts.length > 1 ? `${parts[0]!.replace(/s$/, '')}` : (parts[0] ?? 'overview');
  const keys = [...u.searchParams.keys()];
  return keys.length ? `${base} by ${keys.join(', ')}` : base;
}

/** Walks the dashboard from its header; at most `maxPages` pages. */
export async function discoverPages(browser: Browser, maxPages = 80): Promise<FoundPage[]> {
  const found: FoundPage[] = [];
  const seenPaths = new Set<string>();
  const seenShapes = new Set<string>();
  const add = (p: FoundPage) => {
    if (seenPaths.has(p.path) || found.length >= maxPages) return false;
    seenPaths.add(p.path);
    found.push(p);
    return true;
  };

  const home = await browser.open('/');
  await settle(home);
  const nav = await home.$$eval('header nav a', (as) => as
    .filter((a) => !(a as HTMLElement).dataset.external)
    .map((a) => ({ name: (a.textContent ?? '').trim(), path: a.getAttribute('href') ?? '' })));
  await home.close();
  for (const n of nav) {
    if (!n.path.startsWith('/') || n.path.startsWith('/api/') || n.path.includes('.json')) continue;
    add({ name: n.name.toLowerCase(), path: n.path, kind: 'nav' });
    seenShapes.add(shape(n.path));
  }

  // Breadth first from the nav pages: every link of a kind not seen yet, two levels deep.
  let frontier = found.map((f) => f.path);
  for (let depth = 0; depth < 2 && frontier.length; depth++) {
    const next: string[] = [];
    for (const path of frontier) {
      const page = await browser.open(path);
      await settle(page);
      const links = await mainLinks(page);
      // Select boxes in a filter form: the list for each value (a post of each status).
      const selects = depth === 0 ? await page.$$eval('main form select', (ss) => ss.map((s) => ({
        name: (s as HTMLSelectElement).name, values: [...(s as HTMLSelectElement).options].map((o) => o.value).filter(Boolean),
      }))) : [];
      await page.close();
      for (const href of links) {
        const sh = shape(href);
        if (seenShapes.has(sh) || href.startsWith('/api/')) continue;
        seenShapes.add(sh);
        if (add({ name: detailName(href), path: href, kind: 'detail' })) next.push(href);
      }
      for (const s of selects) {
        for (const value of s.values) {
          const variant = `${path}${path.includes('?') ? '&' : '?'}${encodeURIComponent(s.name)}=${encodeURIComponent(value)}`;
          if (!add({ name: `${path.replace(/^\//, '') || 'overview'} ${s.name}=${value}`, path: variant, kind: 'variant' })) continue;
          const list = await browser.open(variant);
          await settle(list);
          // The first link of this filtered list to a page of a kind its nav page links to (a post of this status).
          const first = (await mainLinks(list)).find((h) => shape(h) !== shape(path) && shape(h).startsWith(`/${path.split('/')[1]}/:x`));
          await list.close();
          if (first) add({ name: `${detailName(first)} (${s.name} ${value})`, path: first, kind: 'detail' });
        }
      }
    }
    frontier = next;
  }
  return found;
}
