/**
 * A live news front page for the classifier's tests and benchmark: every visit changes the
 * headlines (a window moving over a pool of real feed items), their order, the times ("5 minutes
 * ago"), the counters, the date line, the rotating ads and ad frames, the CSRF token and the
 * script nonces. Real headlines come from the shared feeds (Guardian, Heise, UOL, ...); a seeded
 * generator makes a pool when those are absent.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { mulberry32 } from '../../../src/util/random.ts';

export const FEEDS_DIR = path.resolve(import.meta.dirname, '../../../../shared/data/feeds/rss-parser/input');
const FEEDS = ['guardian.rss', 'heise.atom', 'uolNoticias.rss', 'craigslist.rss', 'encoding.rss', 'itunes-missing-image.rss', 'rss-1.rss', 'atom-customfields.atom', 'many-links.rss'];

export interface NewsItem {
  title: string;
  teaser: string;
}

/** Deterministic PRNG. */
export const rng = mulberry32;

function clean(s: string): string {
  return s.replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1').replace(/<[^>]*>/g, ' ').replace(/&lt;[\s\S]*?&gt;/g, ' ')
    .replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;|&apos;/g, "'").replace(/&[a-z]+;|&#\d+;/g, ' ').replace(/\s+/g, ' ').trim();
}

/** Items of one real feed (title and a teaser), or [] when the file is absent. */
export function feedItems(file: string): NewsItem[] {
  const p = path.join(FEEDS_DIR, file);
  if (!existsSync(p)) return [];
  const raw = readFileSync(p);
  const text = /encoding="ISO-8859-1"/i.test(raw.subarray(0, 100).toString('latin1')) ? iconv.decode(raw, 'windows-1252') : raw.toString('utf-8');
  const out: NewsItem[] = [];
  for (const m of text.matchAll(/<(item|entry)[\s>][\s\S]*?<\/\1>/g)) {
    const title = clean(/<title[^>]*>([\s\S]*?)<\/title>/.exec(m[0])?.[1] ?? '');
    const teaser = clean(/<(?:description|summary|content)[^>]*>([\s\S]*?)<\/(?:description|summary|content)>/.exec(m[0])?.[1] ?? '').slice(0, 240);
    if (title) out.push({ title: title.slice(0, 200), teaser });
  }
  return out;
}

/** All real feed items available (empty when the shared data is absent). */
export function realPool(): NewsItem[] {
  return FEEDS.flatMap(feedItems);
}

const WORDS = ['minister', 'council', 'budget', 'election', 'storm', 'court', 'league', 'market', 'river', 'school', 'hospital', 'strike',
  'rail', 'festival', 'vote', 'climate', 'bank', 'police', 'museum', 'harbour', 'energy', 'talks', 'report', 'record', 'final', 'crisis',
  '经济', '发布会', '天气', '交通', '教育', '医疗', '改革', '市场', '比赛', '科技'];

/** A seeded pool of plausible headlines (the fallback that always runs). */
export function generatedPool(n = 200, seed = 7): NewsItem[] {
  const r = rng(seed);
  const pick = () => WORDS[Math.floor(r() * WORDS.length)]!;
  return Array.from({ length: n }, (_, i) => ({
    title: `${pick()} ${pick()} ${pick()} ${i % 3 === 0 ? `${1 + Math.floor(r() * 90)} ` : ''}${pick()} ${pick()}`.replace(/^./, (c) => c.toUpperCase()),
    teaser: Array.from({ length: 12 + Math.floor(r() * 10) }, pick).join(' '),
  }));
}

export interface NewsVisit {
  /** Items shown on this visit. */
  start: number;
}

/**
 * The front page at visit `v`: `shown` items from the pool starting at `start` (the caller moves
 * the window), shuffled by the visit's seed, with all the per-visit boilerplate.
 */
export function newsPage(pool: readonly NewsItem[], v: number, start: number, shown = 24, name = 'The Daily Courier'): string {
  const r = rng(1000 + v);
  const when = new Date(Date.UTC(2026, 11, 2, 6, 0) + v * 61_000);
  const items = Array.from({ length: shown }, (_, i) => pool[(start + i) % pool.length]!);
  // Editors reorder: a few swaps per visit.
  for (let k = 0; k < 4; k++) {
    const i = Math.floor(r() * items.length); const j = Math.floor(r() * items.length);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const ago = () => { const m = 1 + Math.floor(r() * 300); return m < 60 ? `${m} minutes ago` : `${Math.floor(m / 60)} hours ago`; };
  const nonce = Math.floor(r() * 2 ** 31).toString(36) + Math.floor(r() * 2 ** 31).toString(16);
  const adHost = ['securepubads.g.doubleclick.net', 'tpc.googlesyndication.com', 'ib.adnxs.com', 'cdn.taboola.com'][v % 4];
  const advertiser = ['Acme Travel', 'Northwind Bank', 'Contoso Cars', 'Fabrikam Phones', 'Litware Shoes'][Math.floor(r() * 5)];
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>News, sport and opinion | ${name}</title>
<meta name="csrf-token" content="${nonce}${v}">
<script src="https://assets.couriercdn.example/app.js?build=${1000 + v}"></script>
<script src="https://${adHost}/tag/js/gpt.js?cb=${nonce}"></script>
<script nonce="${nonce}">window.__config = { page: "front", ts: ${when.getTime()}, ab: "${nonce}" };</script></head>
<body class="front">
<header><div class="top-bar"><span class="date">${when.toUTCString().replace(/:\d\d GMT$/, '')} GMT</span> <a href="/login">Sign in</a></div>
<h1 class="logo"><a href="/">${name}</a></h1>
<nav><ul><li><a href="/news">News</a></li><li><a href="/opinion">Opinion</a></li><li><a href="/sport">Sport</a></li><li><a href="/culture">Culture</a></li><li><a href="/lifestyle">Lifestyle</a></li></ul></nav></header>
<div class="ad-slot ad-slot--top"><a href="https://ad.example-exchange.com/click?c=${nonce}">${advertiser}: offers this week</a>
<iframe src="https://${adHost}/frame?slot=top&amp;r=${nonce}" width="728" height="90"></iframe></div>
<main id="maincontent"><section id="headlines"><h2>Headlines</h2><p class="updated">Updated ${ago()}</p>
${items.map((it, i) => `<div class="card"><h3><a href="/news/2026/dec/${(start + i) % 997}">${esc(it.title)}</a></h3>
<p class="teaser">${esc(it.teaser)}</p><p class="meta"><time>${ago()}</time> · <span class="comments">${Math.floor(r() * 5000).toLocaleString('en')} comments</span></p></div>`).join('\n')}
</section>
<section id="most-viewed"><h2>Most viewed</h2><ol>${items.slice(0, 10).sort(() => r() - 0.5).map((it) => `<li><a href="/mv">${esc(it.title)}</a> <span>${Math.floor(r() * 90_000)} views</span></li>`).join('')}</ol></section>
<div class="hidden-mobile-menu" style="display:none"><a href="/news">News</a><a href="/sport">Sport</a></div>
<form action="/newsletter" method="post"><input type="hidden" name="_csrf" value="${nonce}"><input name="email"><button>Sign up</button></form>
</main>
<aside class="ad-rail"><div class="advert"><a href="https://ad.example-exchange.com/click?rail=${nonce}">${advertiser}</a></div></aside>
<footer><p>© ${when.getUTCFullYear()} ${name} Ltd. All rights reserved. Registered in England No. 908396.</p><p>${Math.floor(r() * 1e6)} readers online</p></footer>
</body></html>`;
}
