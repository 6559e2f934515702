/**
 * The dashboard: a page per URL (History API). Each page module registers its path pattern;
 * adding a capability's page is one entry in PAGES.
 */
import './style.css';
import { disposeCharts } from './charts.ts';
import { h } from './dom.ts';
import { overviewPage } from './pages/overview.ts';
import { postsPage, postPage } from './pages/posts.ts';
import { termsPage, termPage } from './pages/terms.ts';
import { campaignsPage, campaignPage } from './pages/campaigns.ts';
import { sitesPage, sitePage, measurementPage } from './pages/sites.ts';
import { impostorsPage } from './pages/impostors.ts';
import { siteWatchPage, siteWatchSitePage, siteWatchDiffPage, siteWatchCapturePage } from './pages/site-watch.ts';
import { get } from './api.ts';
import { showSimulatedBanner } from './banner.ts';

/** What a page gets: its path parameters, the query string, and a signal aborted on navigation. */
export interface PageContext {
  params: string[];
  query: URLSearchParams;
  signal: AbortSignal;
  /** Runs `fn` every `ms` until the page is left. */
  every(ms: number, fn: () => void): void;
}

export interface Page {
  pattern: RegExp;
  title: string;
  nav: string;
  render(root: HTMLElement, ctx: PageContext): Promise<void>;
}

const PAGES: Page[] = [overviewPage, postsPage, postPage, termsPage, termPage, campaignsPage, campaignPage, impostorsPage];
PAGES.push(sitesPage, sitePage, measurementPage);
PAGES.push(siteWatchPage, siteWatchSitePage, siteWatchDiffPage, siteWatchCapturePage);

let current: AbortController | null = null;
let timers: number[] = [];

async function route(): Promise<void> {
  current?.abort();
  for (const t of timers) clearInterval(t);
  timers = [];
  disposeCharts();
  void showSimulatedBanner();
  const controller = new AbortController();
  current = controller;
  const root = document.getElementById('app')!;
  root.replaceChildren();
  const path = location.pathname.replace(/\/+$/, '') || '/';
  for (const page of PAGES) {
    const m = page.pattern.exec(path);
    if (!m) continue;
    document.title = `${page.title} · Censorscope`;
    for (const a of document.querySelectorAll<HTMLAnchorElement>('header nav a')) a.classList.toggle('active', a.getAttribute('href') === page.nav);
    const ctx: PageContext = {
      params: m.slice(1).map((p) => decodeURIComponent(p)),
      query: new URLSearchParams(location.search),
      signal: controller.signal,
      every: (ms, fn) => { timers.push(window.setInterval(fn, ms)); },
    };
    try {
      await page.render(root, ctx);
      if (!controller.signal.aborted) root.dataset.page = page.title.toLowerCase();
    } catch (err) {
      if (controller.signal.aborted) return;
      root.replaceChildren(h('div', { class: 'error' }, `Could not load this page: ${(err as Error).message}`));
    }
    return;
  }
  root.replaceChildren(h('div', { class: 'error' }, `No page at ${path}.`));
}

/** Navigates within the dashboard without a reload. */
export function navigate(url: string): void {
  history.pushState(null, '', url);
  void route();
}

document.addEventListener('click', (ev) => {
  const a = (ev.target as Element | null)?.closest?.('a');
  if (!a || a.dataset.external || ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey) return;
  const href = a.getAttribute('href');
  if (!href || !href.startsWith('/') || href.startsWith('//') || href.startsWith('/api/')) return;
  ev.preventDefault();
  navigate(href);
});
window.addEventListener('popstate', () => void route());

/** Says in the header, on every page, whether the accounts shown are pseudonyms or real (an admin's server setting). */
async function showPrivacyMode(): Promise<void> {
  const el = h('span', { id: 'privacy-mode', class: 'privacy-mode' }, 'accounts: …');
  document.querySelector('header.top')?.append(el);
  try {
    const s = await get<{ revealAccounts: boolean }>('/api/settings');
    el.textContent = s.revealAccounts ? 'Accounts revealed: real ids and handles are shown' : 'Accounts pseudonymised (acct_…)';
    el.title = s.revealAccounts ? 'An administrator turned revealing on (PUT /api/settings).' : 'Account ids and handles are keyed pseudonyms; display names are hidden.';
    el.classList.add(s.revealAccounts ? 'revealed' : 'pseudonymised');
  } catch {
    el.textContent = 'accounts: unknown privacy mode';
  }
}
void showPrivacyMode();
void route();
