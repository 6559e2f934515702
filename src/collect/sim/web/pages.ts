/**
 * The simulated web's HTML: what each kind of site serves in each state, built the way real sites
 * are (doctype, head with charset and title, header, nav, sections, links, scripts, images,
 * footer). Pages carry the boilerplate that changes on every visit on real sites — today's date,
 * "updated N minutes ago", view and visitor counters, a rotating ad — so the classifier's
 * normalisation is exercised. Content is a pure function of (site, state, time).
 */
import { createRng } from '../../../util/random.ts';
import type { Headline, WebText } from './text.ts';
import type { SimSite, SiteState } from './script.ts';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const MINUTE = 60_000;
const WEEKDAYS_ZH = ['星期日', '星期一', '星期二', '星期三', '星期四', '星期五', '星期六'];

/** A stable number for a string (site ids seed their own generators). */
export function hashOf(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

const pad = (n: number) => String(n).padStart(2, '0');
function dateLine(lang: 'zh' | 'en', t: number): string {
  const d = new Date(t + 8 * 3_600_000); // China Standard Time for the Chinese sites
  if (lang === 'zh') return `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日 ${WEEKDAYS_ZH[d.getUTCDay()]} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  return new Date(t).toUTCString().replace(/:\d\d GMT$/, ' GMT');
}

/** A counter that grows with time and jitters per visit, as page-view counters do. */
function counter(site: SimSite, t: number, base: number): string {
  const n = base + Math.floor((t - Date.UTC(2020, 0, 1)) / 9_000) + (hashOf(`${site.id}:${t}`) % 97);
  return n.toLocaleString('en-US');
}

/** The ad slot rotates every visit: a different creative and click id each time. */
function adSlot(site: SimSite, t: number): string {
  const r = hashOf(`${site.id}:ad:${t}`);
  const creative = ['travel', 'phones', 'insurance', 'courses', 'cars', 'banking'][r % 6];
  return `<aside class="ad"><iframe src="https://ads.adnet.example/slot?pub=${hashOf(site.id) % 10_000}&amp;c=${creative}&amp;cb=${r}" width="300" height="250" frameborder="0" scrolling="no" title="advertisement"></iframe></aside>`;
}

const ANALYTICS = (site: SimSite) => `<script async src="https://stats.analytics.example/tag.js?id=UA-${hashOf(site.id) % 900_000}-1"></script>
<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}gtag('js',new Date());</script>`;

function head(site: SimSite, title: string, extra = ''): string {
  return `<!DOCTYPE html>
<html lang="${site.lang === 'zh' ? 'zh-CN' : 'en'}">
<head>
<meta charset="${site.charset}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<link rel="stylesheet" href="/${site.id}/static/style.css">
<link rel="icon" href="/${site.id}/favicon.ico">
${extra}</head>`;
}

function icp(site: SimSite): string {
  const n = 10_000_000 + (hashOf(site.id) % 89_999_999);
  return `<a href="https://beian.miit.gov.cn/" target="_blank">京ICP备${n}号-1</a>`;
}

function footer(site: SimSite): string {
  const year = 2026;
  if (site.lang === 'zh') {
    return `<footer class="footer"><p>主办单位：${esc(site.name)}　　地址：人民路${hashOf(site.id) % 300}号　　联系电话：0${hashOf(site.id) % 900 + 100}-${(hashOf(site.id) % 9_000_000) + 1_000_000}</p>
<p>版权所有 &copy; ${year} ${esc(site.name)}　${icp(site)}　网站标识码：${(hashOf(site.id) % 9_000_000_000) + 1_000_000_000}</p></footer>`;
  }
  return `<footer class="footer"><p>&copy; ${year} ${esc(site.name)}. All rights reserved.</p><nav><a href="/${site.id}/privacy">Privacy</a> · <a href="/${site.id}/contact">Contact</a> · <a href="/${site.id}/accessibility">Accessibility</a></nav></footer>`;
}

function pool(site: SimSite, text: WebText): Headline[] {
  return site.lang === 'zh' ? text.chinese : text.english;
}

/** A news front page: the headlines move every minute (new ones on top, some reordered). */
function newsPage(site: SimSite, text: WebText, t: number): string {
  const minute = Math.floor(t / MINUTE);
  const items = pool(site, text);
  const offset = hashOf(site.id) % items.length;
  const rng = createRng(hashOf(`${site.id}:${minute}`));
  // A sliding window over the pool: one new headline a minute pushes the oldest out.
  const count = 14;
  const shown: Headline[] = [];
  for (let k = 0; k < count; k++) shown.push(items[(offset + minute - k + items.length * 1000) % items.length]!);
  // Editors move a few stories up and down.
  for (let k = 0; k < 3; k++) {
    const a = rng.int(2, count - 1), b = rng.int(2, count - 1);
    [shown[a], shown[b]] = [shown[b]!, shown[a]!];
  }
  const zh = site.lang === 'zh';
  const ago = (minute % 7) + 1;
  const para = (k: number) => text.paragraphs.length ? text.paragraphs[(hashOf(shown[k]!.title) + k) % text.paragraphs.length]! : '';
  const lead = shown[0]!;
  const nav = zh ? ['首页', '要闻', '国内', '国际', '财经', '科技', '体育', '评论'] : ['Home', 'World', 'Business', 'Technology', 'Sport', 'Opinion', 'Culture'];
  return `${head(site, zh ? `${site.name} - 新闻首页` : `${site.name} – Latest news`)}
<body>
<header class="masthead"><a href="/${site.id}/" class="logo"><img src="/${site.id}/static/logo.png" alt="${esc(site.name)}" width="180" height="40"></a>
<span class="date">${esc(dateLine(site.lang, t))}</span>
<span class="updated">${zh ? `更新于 ${ago} 分钟前` : `Updated ${ago} minute${ago === 1 ? '' : 's'} ago`}</span></header>
<nav class="main-nav"><ul>${nav.map((n, k) => `<li><a href="/${site.id}/section/${k}">${esc(n)}</a></li>`).join('')}</ul></nav>
<main>
<section class="lead"><h1><a href="${esc(lead.link)}">${esc(lead.title)}</a></h1>
<img src="/${site.id}/static/lead-${minute % 5}.jpg" alt="" width="640" height="360">
<p>${esc(para(0))}</p></section>
<section class="latest"><h2>${zh ? '最新消息' : 'Latest'}</h2><ul>
${shown.slice(1).map((h, k) => `<li><a href="${esc(h.link)}">${esc(h.title)}</a> <span class="views">${zh ? '阅读' : 'Views'} ${counter(site, t + k, 1000 + k * 37)}</span></li>`).join('\n')}
</ul></section>
${adSlot(site, t)}
<section class="most-read"><h2>${zh ? '热门' : 'Most read'}</h2><ol>${[...shown].sort((a, b) => hashOf(a.title + minute) - hashOf(b.title + minute)).slice(0, 5).map((h) => `<li><a href="${esc(h.link)}">${esc(h.title)}</a></li>`).join('')}</ol></section>
</main>
${footer(site)}
${ANALYTICS(site)}
</body></html>
`;
}

/** A government portal or an institution's site at an edition: notices, news, services. */
function portalPage(site: SimSite, text: WebText, t: number, edition: number, spam: string, titleOverride?: string, banner = ''): string {
  const zh = site.lang === 'zh';
  const items = pool(site, text);
  const base = hashOf(site.id) % items.length;
  // Each edition adds one notice on top; the rest shift down.
  const notices = Array.from({ length: 8 }, (_, k) => items[(base + edition - k + items.length * 100) % items.length]!);
  const noticeDate = (k: number) => new Date(Date.UTC(2026, 0, 5) - (k - edition) * 86_400_000).toISOString().slice(0, 10);
  const title = titleOverride ?? (zh ? `${site.name}门户网站` : `${site.name} – Home`);
  const nav = site.kind === 'gov'
    ? ['首页', '政务公开', '政务服务', '互动交流', '走进本市', '专题专栏']
    : zh ? ['首页', '学院概况', '招生就业', '教学科研', '校园生活', '联系我们'] : ['Home', 'About', 'Admissions', 'Programs', 'Research', 'Contact'];
  const para = text.paragraphs.length ? text.paragraphs[hashOf(site.id) % text.paragraphs.length]! : '';
  return `${head(site, title)}
<body>
${banner}<div class="topbar"><span>${zh ? '今天是' : 'Today is '}${esc(dateLine(site.lang, t).split(' ').slice(0, 2).join(' '))}</span>
<span class="weather">${zh ? '天气：晴 ' : 'Weather: fair '}${(hashOf(`${site.id}:${Math.floor(t / 3_600_000)}`) % 15) + 5}℃</span></div>
<header class="header"><img src="/${site.id}/static/emblem.png" alt="" width="64" height="64"><h1 class="site-name">${esc(site.name)}</h1>
<form action="/${site.id}/search" method="get"><input name="q" placeholder="${zh ? '请输入关键字' : 'Search'}"><button>${zh ? '搜索' : 'Go'}</button></form></header>
<nav class="nav"><ul>${nav.map((n, k) => `<li><a href="/${site.id}/col/${k}/">${esc(n)}</a></li>`).join('')}</ul></nav>
<main class="content">
<section class="notices"><h2>${zh ? '通知公告' : 'Announcements'}</h2><ul>
${notices.map((h, k) => `<li><a href="/${site.id}${h.link.startsWith('/') ? h.link : `/notice/${k}.html`}">${esc(h.title)}</a><span class="date">${noticeDate(k)}</span></li>`).join('\n')}
</ul></section>
<section class="intro"><h2>${zh ? (site.kind === 'gov' ? '政务要闻' : '学院新闻') : 'News'}</h2><p>${esc(para)}</p></section>
<section class="services"><h2>${zh ? '便民服务' : 'Services'}</h2><ul>${(zh ? ['社保查询', '公积金查询', '办事指南', '政策文件', '信息公开目录'] : ['Library', 'Course catalogue', 'Campus map', 'Student portal', 'Careers']).map((s, k) => `<li><a href="/${site.id}/svc/${k}">${s}</a></li>`).join('')}</ul></section>
${spam}
</main>
<div class="visits">${zh ? `您是本站第 ${counter(site, t, 120_000)} 位访客` : `Visitors: ${counter(site, t, 40_000)}`}</div>
${footer(site)}
${ANALYTICS(site)}
</body></html>
`;
}

const GAMBLING = ['澳门赌场', '娱乐城', '博彩', '真人百家乐', '太阳城娱乐', '澳门葡京', '时时彩', '皇冠体育', '威尼斯人娱乐场', '六合彩开奖'];
const PHARMA = ['cheap viagra', 'buy cialis online', 'levitra without prescription', 'tramadol overnight', 'generic propecia', 'discount xanax'];

/** The spam an attacker adds to a page; hosts are under the reserved .example name. */
function spamBlock(site: SimSite, how: 'links' | 'iframe' | 'script' | 'all', kind: 'gambling' | 'pharma'): string {
  const rng = createRng(hashOf(`${site.id}:spam`));
  const words = kind === 'gambling' ? GAMBLING : PHARMA;
  const host = kind === 'gambling' ? `www.${rng.int(100, 999)}bet.example` : `rx-${rng.int(10, 99)}pharm.example`;
  const parts: string[] = [];
  if (how === 'links' || how === 'all') {
    const links = Array.from({ length: 12 }, (_, k) => `<a href="http://${host}/${k}.html">${esc(words[(k + rng.int(0, 9)) % words.length]!)}</a>`).join(' ');
    parts.push(rng.chance(0.5) ? `<div style="display:none">${links}</div>` : `<div style="position:absolute;left:-9999px;top:-9999px">${links}</div>`);
  }
  if (how === 'iframe' || how === 'all') parts.push(`<iframe src="http://${host}/index.html" width="0" height="0" frameborder="0" style="visibility:hidden"></iframe>`);
  if (how === 'script' || how === 'all') parts.push(`<script type="text/javascript" src="http://js.${host}/tj.js"></script>`);
  return parts.join('\n');
}

/** A defacer's page: the whole site replaced. */
function defacedPage(site: SimSite, crew: string): string {
  return `<!DOCTYPE html>
<html><head><meta charset="${site.charset}"><title>Hacked by ${esc(crew)}</title>
<style>body{background:#000;color:#0f0;font-family:monospace;text-align:center}</style></head>
<body>
<h1>Hacked By ${esc(crew)}</h1>
<img src="/${site.id}/static/skull.gif" alt="">
<p>Your security is just an illusion. Patch your system, admin.</p>
<p>${site.lang === 'zh' ? '本站已被黑，管理员请注意网站安全！' : 'We were here. Nothing was deleted.'}</p>
<marquee>Greetz: ${esc(crew)} - all members - we are everywhere</marquee>
<audio src="/${site.id}/static/song.mp3" autoplay loop></audio>
</body></html>
`;
}

/** nginx's default error page for a status (what most sites answer on 404, 410, 503). */
export function nginxError(status: number, reason: string): string {
  return `<html>\r\n<head><title>${status} ${reason}</title></head>\r\n<body>\r\n<center><h1>${status} ${reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}

/** A hosting provider's suspension notice for a site whose ICP filing was revoked. */
function shutdownNotice(site: SimSite): string {
  return `<!DOCTYPE html>
<html><head><meta charset="${site.charset}"><title>网站暂停访问</title></head>
<body style="font-family:sans-serif;background:#f5f5f5">
<div style="width:600px;margin:80px auto;background:#fff;padding:30px">
<h2>网站暂停访问</h2>
<p>该网站已关闭或暂停访问，可能的原因：</p>
<ol><li>该网站的ICP备案已被注销或未备案；</li><li>该网站存在违法违规内容，已根据《互联网信息服务管理办法》停止服务；</li><li>网站主办者申请暂停服务。</li></ol>
<p>如您是网站管理员，请联系您的接入服务商。</p>
</div></body></html>
`;
}

/** cPanel's page for a suspended hosting account (what an English site's host serves once it is shut). */
function suspendedAccount(): string {
  return `<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Account Suspended</title>
<link rel="stylesheet" href="//use.fontawesome.com/releases/v5.0.6/css/all.css"></head>
<body><div class="container"><div class="additional-info"><div class="additional-info-items">
<div class="info-image"><i class="fas fa-user-slash"></i></div>
<div class="info-heading"><h1>This Account has been suspended.</h1></div>
<div class="info-content">Contact your hosting provider for more information.</div>
</div></div></div></body></html>
`;
}

/** A parking service's page for an expired domain, offered for sale. */
export function parkedPage(siteId: string): string {
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>${esc(siteId)}.example is for sale</title>
<script src="https://parking.sedo-like.example/js/parking.js"></script></head>
<body>
<h1>This domain may be for sale!</h1>
<p>The domain ${esc(siteId)}.example has expired and is parked free of charge. Buy this domain today.</p>
<ul class="related"><li><a href="https://parking.sedo-like.example/search?q=insurance">Insurance Quotes</a></li><li><a href="https://parking.sedo-like.example/search?q=loans">Personal Loans</a></li><li><a href="https://parking.sedo-like.example/search?q=hosting">Web Hosting</a></li></ul>
<p>域名已过期，此域名正在出售中。</p>
</body></html>
`;
}

/** The HTML a site serves in a state where it answers 200 with a page. */
export function renderPage(site: SimSite, text: WebText, state: SiteState, t: number): string {
  switch (state.kind) {
    case 'normal':
    case 'blocked':
      return site.kind === 'news' ? newsPage(site, text, t) : portalPage(site, text, t, state.edition, '');
    case 'injected':
      return site.kind === 'news' ? newsPage(site, text, t).replace('</main>', `${spamBlock(site, state.how, state.spam)}\n</main>`) : portalPage(site, text, t, state.edition, spamBlock(site, state.how, state.spam));
    case 'defaced':
      if (state.how === 'replaced') return defacedPage(site, state.crew);
      return portalPage(site, text, t, state.edition, '', `Hacked by ${state.crew}`, `<div style="background:#000;color:red;font-size:40px;text-align:center">HACKED BY ${esc(state.crew)}</div>\n`);
    case 'gone':
      if (state.how === 'notice') return site.lang === 'zh' ? shutdownNotice(site) : suspendedAccount();
      return nginxError(state.how === '410' ? 410 : 404, state.how === '410' ? 'Gone' : 'Not Found');
    case 'down':
      return nginxError(503, 'Service Temporarily Unavailable');
  }
}
