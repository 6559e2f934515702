/**
 * Realistic pages for the classifier's tests: a Chinese government portal (the pages hacked sites
 * are most often injected into), a defacement, a parking page, an ICP notice; and the history
 * helper that runs captures through `classifyCapture` the way the watcher does.
 */
import { snapshotOf, classifyCapture, type CaptureHistory } from '../../../src/detect/sites/classify.ts';
import type { Classification, FetchOutcome, ProbeHint } from '../../../src/detect/sites/types.ts';

export const T0 = Date.UTC(2026, 11, 2, 8, 0, 0);

/** An answered fetch of `html` (UTF-8 unless bytes are given). */
export function answer(html: string | Uint8Array, opts: { at?: number; status?: number; url?: string; contentType?: string; truncated?: boolean } = {}): FetchOutcome {
  return {
    kind: 'answer', at: opts.at ?? T0, status: opts.status ?? 200, finalUrl: opts.url ?? 'https://www.example.gov.cn/',
    headers: new Headers({ 'content-type': opts.contentType ?? 'text/html; charset=utf-8' }),
    body: typeof html === 'string' ? new TextEncoder().encode(html) : html, truncated: opts.truncated ?? false,
  };
}

export function failure(code = 'ETIMEDOUT', at = T0): FetchOutcome {
  return { kind: 'failure', at, code, message: `connect ${code} 203.0.113.9:443` };
}

export interface GovOptions {
  /** Visit number: changes the date, the view counter, the CSRF token, the rotating banner ad. */
  visit?: number;
  news?: string[];
  /** Extra HTML at the end of <body> (an injection). */
  extra?: string;
  title?: string;
}

/** A county government portal: header with date, nav, news list, counters, footer with ICP number. */
export function govPage(o: GovOptions = {}): string {
  const v = o.visit ?? 0;
  const day = new Date(T0 + v * 86_400_000);
  const date = `${day.getUTCFullYear()}年${day.getUTCMonth() + 1}月${day.getUTCDate()}日 星期${'日一二三四五六'[day.getUTCDay()]}`;
  const news = o.news ?? ['县政府召开第十二次常务会议', '关于做好今冬明春森林防火工作的通知', '2026年全县粮食生产再获丰收', '县委书记调研乡村振兴工作', '关于公开征求《城市管理条例》意见的公告'];
  return `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>${o.title ?? '清河县人民政府门户网站'}</title>
<meta name="csrf-token" content="${(v * 7919 + 104729).toString(36)}a9f${v}c0d2e8b7">
<link rel="stylesheet" href="/css/main.css?v=${v}"><script src="/js/jquery.min.js"></script>
<script>var _hmt = _hmt || []; var visit = ${v * 31 + 7};</script></head>
<body><div id="top"><header class="site-header"><div class="date">今天是：${date}</div>
<div class="logo"><img src="/img/logo.png" alt="清河县人民政府"></div>
<nav class="main-nav"><ul><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li><li><a href="/bsfw/">办事服务</a></li><li><a href="/hdjl/">互动交流</a></li><li><a href="/zjqh/">走进清河</a></li></ul></nav></header></div>
<div class="ad-banner"><a href="https://ads.example-ads.com/c?id=${v % 5}"><img src="/ad/${v % 5}.jpg"></a></div>
<div id="content" class="container"><div class="col-main"><h2>政务要闻</h2><ul class="news-list">
${news.map((n, i) => `<li><a href="/xwzx/${2026}${String(i + 1).padStart(4, '0')}.html">${n}</a><span class="time">${day.getUTCMonth() + 1}-${String(day.getUTCDate()).padStart(2, '0')}</span></li>`).join('\n')}
</ul><div class="notice"><h3>通知公告</h3><p>关于2026年度政府信息公开工作年度报告的公示，请广大群众监督。</p><p>本站已有 ${12_345 + v * 17} 人次访问</p></div></div>
<aside class="col-side"><h3>便民服务</h3><ul><li><a href="/bsfw/sb.html">社保查询</a></li><li><a href="/bsfw/gjj.html">公积金查询</a></li></ul></aside></div>
<footer><p>主办：清河县人民政府办公室 ICP备案号：冀ICP备05012345号 公安备案 13053402000123</p><p>© 2004-${day.getUTCFullYear()} 版权所有</p></footer>
${o.extra ?? ''}</body></html>`;
}

/** The typical SEO-spam block hacked sites carry: links to gambling sites in a hidden div. */
export function hiddenGamblingBlock(n = 14, hosts = 9): string {
  const terms = ['博彩', '娱乐城', '澳门赌场', '百家乐', '太阳城', '六合彩', '时时彩', '澳门新葡京', '真人棋牌'];
  const links = Array.from({ length: n }, (_, i) => `<a href="https://www.${['bc', 'ylc', 'amdc', 'bjl', 'tyc', 'lhc', 'ssc', 'xpj', 'zrqp'][i % hosts]}${i % hosts}.example/">${terms[i % terms.length]}</a>`);
  return `<div style="position:absolute;top:-9999px;left:-9999px">${links.join(' ')}</div>`;
}

/** A Zone-H style defacement that replaces the whole page. */
export const DEFACEMENT = `<html><head><title>Hacked By Sh4d0w Team</title></head><body bgcolor="black"><center>
<h1><font color="red">Hacked By Sh4d0w Team</font></h1><img src="https://i.imgur.example/skull.gif">
<p>Your security is low. We are everywhere.</p><marquee>Greetz: ./R00t - xN3T - all Indonesian cyber army</marquee></center></body></html>`;

/** A Sedo-style parking page (what an expired domain answers once a parking service has it). */
export const PARKED = `<html><head><title>example.gov.cn - This domain may be for sale!</title><script src="https://img.sedoparking.com/js/park.js"></script></head>
<body><div class="container"><h1>example.gov.cn</h1><p>This domain may be for sale!</p><h2>Related Searches</h2><ul><li><a href="/search?q=loans">Loans</a></li><li><a href="/search?q=travel">Travel</a></li></ul></div></body></html>`;

/** The notice Chinese hosts show when a site's ICP filing is revoked. */
export const ICP_NOTICE = `<html><head><meta charset="utf-8"><title>提示</title></head><body><div class="box"><h2>网站暂停访问</h2>
<p>该网站未备案或ICP备案已注销，根据相关法律法规，暂时无法访问。</p><p>如您是网站管理员，请登录控制台处理。</p></div></body></html>`;

/** Runs captures in order through the classifier, building the history as the watcher does. */
export class SiteRun {
  readonly history: CaptureHistory[] = [];
  constructor(readonly probe: ProbeHint | null = null) {}

  visit(outcome: FetchOutcome, probe: ProbeHint | null = this.probe): Classification {
    const snapshot = snapshotOf(outcome);
    const c = classifyCapture({ outcome, snapshot }, this.history, probe);
    // The stored snapshot is JSON: the classifier must work on what comes back from the store.
    const stored = snapshot ? JSON.parse(JSON.stringify(snapshot)) : null;
    this.history.unshift({ at: outcome.at, status: outcome.kind === 'answer' ? outcome.status : null, verdict: c.verdict, snapshot: stored });
    return c;
  }
}
