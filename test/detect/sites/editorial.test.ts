/**
 * Regression (bench/sites, seed 42, site news-190): a news front page whose new headline links
 * happen to contain a spam word ("Porn actor Stormy Daniels ...", a real Guardian headline; "casino"
 * in a business story; 博彩 in a Macau revenue story) was called `injected` as a "visible link farm"
 * (2 links to 1 new host with porn terms). Ordinary visible headlines are `updated`; keyword link
 * farms, hidden spam links and spam links that are most of the page's links still are `injected`.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SiteRun, answer } from './pages.ts';

const MIN = 60_000;
const T = Date.UTC(2026, 11, 2, 6, 0);
const URL0 = 'https://www.courier.example/';

const ORDINARY: Array<[string, string]> = [
  ['City council approves new budget for public transport', 'https://www.courier.example/news/1'],
  ['Storm warning issued for the coast tonight', 'https://feeds.jn.pt/a/2'],
  ['University opens new research centre for water quality', 'https://www.varthabharati.in/x/3'],
  ['Local market prices steady ahead of the holiday', 'https://feedproxy.google.com/~r/4'],
  ['Hospital extends visiting hours after renovation', 'https://www.courier.example/news/5'],
  ['Court hears appeal in long-running land dispute', 'https://feeds.jn.pt/a/6'],
  ['Railway line reopens after two weeks of repairs', 'https://www.varthabharati.in/x/7'],
  ['Schools prepare for the new term with more teachers', 'https://feedproxy.google.com/~r/8'],
  ['Museum shows rare maps from the eighteenth century', 'https://www.courier.example/news/9'],
  ['Farmers report an early harvest after a warm spring', 'https://feeds.jn.pt/a/10'],
];

/** A front page: a lead story, the latest list, a "most read" list repeating some of them, a footer. */
function frontPage(v: number, stories: ReadonlyArray<[string, string]>, extra = ''): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const [lead, ...rest] = stories;
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>The Riverton Courier – Latest news</title></head><body>
<header><span class="date">${new Date(T + v * 5 * MIN).toUTCString()}</span><nav><ul><li><a href="/world">World</a></li><li><a href="/sport">Sport</a></li></ul></nav></header>
<main><section class="lead"><h1><a href="${lead![1]}">${esc(lead![0])}</a></h1><p>Updated ${1 + (v % 7)} minutes ago</p></section>
<section class="latest"><h2>Latest</h2><ul>
${rest.map(([t, h], k) => `<li><a href="${h}">${esc(t)}</a> <span class="views">Views ${1000 + v * 37 + k}</span></li>`).join('\n')}
</ul></section>
<section class="most-read"><h2>Most read</h2><ol>${stories.slice(0, 5).map(([t, h]) => `<li><a href="${h}">${esc(t)}</a></li>`).join('')}</ol></section>
${extra}</main>
<footer><p>&copy; 2026 The Riverton Courier</p></footer></body></html>`;
}

function warmed(): SiteRun {
  const run = new SiteRun();
  for (let v = 0; v < 4; v++) {
    const c = run.visit(answer(frontPage(v, [...ORDINARY.slice(v), ...ORDINARY.slice(0, v)]), { at: T + v * 5 * MIN, url: URL0 }));
    assert.ok(c.verdict === 'reachable' || c.verdict === 'updated', `${c.verdict}: ${c.reasons.join(' | ')}`);
  }
  return run;
}

const GUARDIAN: Array<[string, string]> = [
  ['Porn actor Stormy Daniels casts doubt on denial of affair with Trump', 'https://www.theguardian.com/us-news/2018/jan/31/stormy-daniels-trump-affair'],
  ['Stormy Daniels on Jimmy Kimmel: porn actor casts doubt on denial of Trump affair – video', 'https://www.theguardian.com/us-news/video/2018/jan/31/stormy-daniels-kimmel'],
];
const CASINO: [string, string] = ['Macau casino revenue climbs for a fifth month as visitors return', 'https://www.ft-like.example/content/macau'];
const BOCAI: [string, string] = ['澳门11月博彩收入同比增长百分之十二 旅客人数回升', 'https://www.xinhua-like.example/2026-12/01/c_1.htm'];

describe('ordinary headlines with a spam word are not an injection', () => {
  it('new headlines from a never-linked host with "porn" (lead and most read), "casino" and 博彩 are updated', () => {
    const run = warmed();
    const stories = [GUARDIAN[0]!, GUARDIAN[1]!, CASINO, BOCAI, ...ORDINARY.slice(4)];
    const c = run.visit(answer(frontPage(4, stories), { at: T + 4 * 5 * MIN, url: URL0 }));
    assert.equal(c.verdict, 'updated', c.reasons.join(' | '));
    const next = run.visit(answer(frontPage(5, [...stories.slice(1), stories[0]!]), { at: T + 5 * 5 * MIN, url: URL0 }));
    assert.equal(next.verdict, 'updated', next.reasons.join(' | '));
  });

  it('the first visit after an injection was cleaned, with a headline host first linked during the injection, is updated', () => {
    const run = warmed();
    const iframe = '<iframe src="http://rx-60pharm.example/index.html" width="0" height="0" style="visibility:hidden"></iframe>';
    const during = run.visit(answer(frontPage(4, [ORDINARY[9]!, ['Guardian: markets rally as inflation eases', 'https://www.theguardian.com/business/1'], ...ORDINARY.slice(0, 8)], iframe), { at: T + 20 * MIN, url: URL0 }));
    assert.equal(during.verdict, 'injected', during.reasons.join(' | '));
    // The mobile edition's menu (hidden on this layout) repeats the partner outlet's sections: hidden
    // links to a host the site linked visibly while injected are no "hidden links to new hosts".
    const menu = `<div class="mobile-menu" style="display:none">${['world', 'business', 'sport'].map((x) => `<a href="https://www.theguardian.com/${x}">${x}</a>`).join('')}</div>`;
    const cleaned = run.visit(answer(frontPage(5, [GUARDIAN[0]!, GUARDIAN[1]!, ...ORDINARY.slice(2)], menu), { at: T + 25 * MIN, url: URL0 }));
    assert.equal(cleaned.verdict, 'updated', cleaned.reasons.join(' | '));
  });
});

describe('real injections on the same front page are still injected', () => {
  it('a visible keyword link farm (short spam anchors to new hosts) is injected', () => {
    const run = warmed();
    const farm = `<div class="links">${['澳门赌场', '娱乐城', '博彩'].map((w, i) => `<a href="http://www.${i}bet.example/">${w}</a>`).join(' ')}</div>`;
    const c = run.visit(answer(frontPage(4, ORDINARY, farm), { at: T + 20 * MIN, url: URL0 }));
    assert.equal(c.verdict, 'injected', c.reasons.join(' | '));
    assert.match(c.reasons[0]!, /3 links to 3 new hosts .* with gambling terms/);
  });

  it('two strong pharma keyword links to a new host are injected; so is one hidden "porn" link', () => {
    const run = warmed();
    const farm = '<p><a href="http://rx-shop.example/1">cheap viagra</a> <a href="http://rx-shop.example/2">buy cialis online</a></p>';
    const c = run.visit(answer(frontPage(4, ORDINARY, farm), { at: T + 20 * MIN, url: URL0 }));
    assert.equal(c.verdict, 'injected', c.reasons.join(' | '));
    const hidden = warmed().visit(answer(frontPage(4, ORDINARY, '<div style="display:none"><a href="http://xx.example/">free porn videos</a></div>'), { at: T + 20 * MIN, url: URL0 }));
    assert.equal(hidden.verdict, 'injected', hidden.reasons.join(' | '));
  });

  it('spam-worded "headlines" to new hosts that outnumber the page\'s ordinary ones are injected', () => {
    const run = warmed();
    const spam: Array<[string, string]> = Array.from({ length: 12 }, (_, i) => [`Players say this casino bonus code doubles the first deposit, offer ${i}`, `http://c${i}.bonus-hub${i}.example/p/${i}`]);
    const c = run.visit(answer(frontPage(4, [...spam, ...ORDINARY.slice(0, 3)]), { at: T + 20 * MIN, url: URL0 }));
    assert.equal(c.verdict, 'injected', c.reasons.join(' | '));
    assert.match(c.reasons[0]!, /^12 links to 12 new hosts .* with gambling terms casino, outnumbering the page's 3 ordinary headline links/);
  });
});
