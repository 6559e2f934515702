/**
 * Lexicons the site classifier looks for in a page's visible text and title (never in attributes:
 * a URL or class name that happens to contain "casino" is not a marker). Each term is matched on
 * text already lower-cased and NFKC-normalised (snapshot.ts), so full-width Latin letters match too.
 *
 * Strength matters: a news front page can mention "casino" or 黑客 in a headline, so weak terms only
 * count where the classifier finds them in a suspicious place (title, hidden text, link farms),
 * and the rules in classify.ts say which place each family needs.
 */

export type MarkerFamily = 'defacement' | 'spam' | 'parked' | 'shutdown' | 'unavailable';

export interface MarkerTerm {
  /** What the reason sentence quotes. */
  term: string;
  re: RegExp;
  family: MarkerFamily;
  /** Strong terms are rarely innocent; weak ones need a suspicious place or a strong companion. */
  strong: boolean;
  /** spam only: gambling | pharma | replica | loans | porn */
  topic?: string;
}

function t(family: MarkerFamily, term: string, strong: boolean, re?: RegExp, topic?: string): MarkerTerm {
  const escaped = term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // Latin terms match on word boundaries; CJK terms have none to match on.
  const latin = /^[\x20-\x7e]+$/.test(term);
  return { term, family, strong, topic, re: re ?? new RegExp(latin ? `(?<![a-z0-9])${escaped}(?![a-z0-9])` : escaped, 'u') };
}

/**
 * Defacement signatures: the phrases defacers sign their pages with, as archived by Zone-H and
 * its mirrors (zone-h.org "special defacements"), in leetspeak variants, and the Chinese forms
 * seen on defaced .gov.cn pages (黑客 "hacker", 被黑 "was hacked", 入侵 "intruded").
 */
export const DEFACEMENT_TERMS: MarkerTerm[] = [
  t('defacement', 'hacked by', true, /(?<![a-z])h[a4@]ck[e3]d\s*by(?![a-z])/u),
  t('defacement', 'defaced by', true, /(?<![a-z])d[e3]f[a4@]c[e3]d\s*by(?![a-z])/u),
  t('defacement', 'owned by', false, /(?<![a-z])(?:[o0]wn[e3]d|pwn[e3]d)\s*by(?![a-z])/u),
  t('defacement', 'h4ck3d', true, /(?<![a-z])h4ck[e3]?d|h[a4]x[o0]r[e3]d/u),
  t('defacement', 'greetz', true, /(?<![a-z])greetz(?![a-z])/u),
  t('defacement', 'zone-h', true, /zone-h(?:\.org)?/u),
  t('defacement', 'cyber army', true),
  t('defacement', 'security is an illusion', true),
  t('defacement', 'your security is low', true, /your\s+security\s+(?:is\s+)?(?:low|poor)/u),
  t('defacement', '黑客', false),
  t('defacement', '被黑', false),
  t('defacement', '黑客入侵', true),
  t('defacement', '被黑客攻击', true),
  t('defacement', '此站已被黑', true, /此?(?:网?站|页面?)已被黑/u),
];

/**
 * Spam injected into hacked sites for search-engine rankings ("黑帽SEO"): gambling (the terms of
 * the Macau/online-casino link farms found on hacked Chinese government and university sites),
 * pharma (the "pharma hack" of WordPress/Joomla sites), replica goods, payday loans, porn.
 * 真人 ("live dealer", but also "real person") and 棋牌 ("board games") are weak: ordinary prose.
 */
export const SPAM_TERMS: MarkerTerm[] = [
  ...['博彩', '娱乐城', '澳门赌场', '百家乐', '太阳城', '六合彩', '时时彩', '赌场', '网上赌博', '彩票平台', '澳门新葡京', '澳门威尼斯人',
    '现金网', '网投', '北京赛车', '老虎机', '开户送'].map((x) => t('spam', x, true, undefined, 'gambling')),
  ...['葡京', '威尼斯人', '真人', '棋牌', 'casino', '博彩公司'].map((x) => t('spam', x, false, undefined, 'gambling')),
  t('spam', 'bet365', true, undefined, 'gambling'),
  t('spam', 'online casino', true, /online\s+casino/u, 'gambling'),
  t('spam', 'slot gacor', true, /slot\s*gacor/u, 'gambling'),
  t('spam', 'judi online', true, /judi\s*(?:online|bola|slot)/u, 'gambling'),
  ...['viagra', 'cialis', 'levitra', 'kamagra', 'tadalafil', 'sildenafil'].map((x) => t('spam', x, true, undefined, 'pharma')),
  t('spam', 'pharmacy', false, undefined, 'pharma'),
  t('spam', 'buy cheap', false, /buy\s+(?:cheap|generic)/u, 'pharma'),
  t('spam', 'replica watches', true, /replica\s+(?:watches|handbags|rolex|bags)/u, 'replica'),
  t('spam', 'payday loans', true, /payday\s+loans?/u, 'loans'),
  ...['porn', 'xxx', 'sex video', '成人视频', '色情', 'av女优', '偷拍'].map((x) => t('spam', x, x !== 'xxx', undefined, 'porn')),
];

/**
 * Parked and expired domains: the landing pages of the big parking services (Sedo, Bodis,
 * ParkingCrew, Dan.com, Afternic, HugeDomains, GoDaddy's CashParking), registrars' "expired"
 * pages and the Chinese for-sale/expired notices (域名出售, 此域名已过期).
 */
export const PARKED_TERMS: MarkerTerm[] = [
  t('parked', 'this domain may be for sale', true, /this\s+domain\s+(?:name\s+)?(?:may\s+be|is)\s+for\s+sale/u),
  t('parked', 'buy this domain', true, /buy\s+this\s+domain/u),
  t('parked', 'domain has expired', true, /domain\s+(?:name\s+)?(?:has\s+)?expired/u),
  t('parked', 'this domain is parked', true, /domain\s+(?:is\s+)?parked|parked\s+(?:free|domain)/u),
  t('parked', 'related searches', false),
  t('parked', 'sedo', false),
  t('parked', 'bodis', false),
  t('parked', 'parkingcrew', true),
  t('parked', 'dan.com', false),
  t('parked', 'hugedomains', true),
  t('parked', 'afternic', false),
  t('parked', '域名出售', true),
  t('parked', '此域名已过期', true),
  t('parked', '域名已过期', true),
  t('parked', '该域名可以出售', true, /该?域名(?:可以|正在)?(?:出售|转让)/u),
  t('parked', '域名停放', true),
];

/**
 * Hosts whose scripts, frames or final URL mean the page is a parking page (parking services'
 * own hosts, as their parked pages load them).
 */
export const PARKING_HOSTS = ['sedoparking.com', 'sedo.com', 'bodis.com', 'parkingcrew.net', 'dan.com', 'afternic.com',
  'hugedomains.com', 'above.com', 'parklogic.com', 'domainmarket.com', 'undeveloped.com', 'sav.com', 'parked.com',
  'cashparking.com', 'namebright.com', 'domainnameshop.com', 'smartname.com', 'uniregistry.com', 'voodoo.com'];

/**
 * Shutdown notices: the hosting-provider "suspended" pages (cPanel's "Account Suspended"), and the
 * Chinese notices shown when a site is closed or its ICP filing (备案) is revoked, in the wording
 * the MIIT filing system and the big Chinese hosts (Aliyun, Tencent Cloud) use. Not a marker:
 * "This site can't be reached" (that is the browser's error page, never served by a site).
 */
export const SHUTDOWN_TERMS: MarkerTerm[] = [
  t('shutdown', '网站暂停访问', true, /网站(?:已)?暂停(?:访问|服务)/u),
  t('shutdown', '该网站已关闭', true, /该?(?:网站|站点)已(?:被)?关闭/u),
  t('shutdown', 'ICP备案已注销', true, /icp备案(?:已|被)?注销|备案(?:已|被)注销/u),
  t('shutdown', '网站已停止服务', true, /(?:网站|站点)已?停止(?:服务|运营|访问)/u),
  t('shutdown', '未备案', false),
  t('shutdown', '根据相关法律法规', false),
  t('shutdown', '依法关闭', true),
  t('shutdown', 'this site has been suspended', true, /this\s+(?:web)?site\s+has\s+been\s+(?:suspended|disabled|shut\s+down)/u),
  t('shutdown', 'account suspended', true, /account\s+(?:has\s+been\s+)?suspended/u),
  t('shutdown', 'this website is no longer available', true, /this\s+website\s+is\s+no\s+longer\s+(?:available|online)/u),
  t('shutdown', 'seized', true, /this\s+(?:domain|website|site)\s+has\s+been\s+seized/u),
];

/**
 * Pages that stand in for the site without being it: bot challenges and web-application
 * firewalls (Cloudflare's interstitials, the Chinese WAFs 安全狗/云锁/宝塔 and hosts' blocks) and
 * maintenance notices. Served with 200 they would otherwise read as a replaced page (defaced);
 * the classifier calls them `down`: the site's own content could not be seen.
 */
export const UNAVAILABLE_TERMS: MarkerTerm[] = [
  t('unavailable', 'checking your browser', true, /checking\s+(?:if\s+the\s+site\s+connection\s+is\s+secure|your\s+browser)/u),
  t('unavailable', 'just a moment', false, /^just a moment/u),
  t('unavailable', 'attention required! | cloudflare', true, /attention\s+required!?\s*\|\s*cloudflare/u),
  t('unavailable', 'ddos protection by', true, /ddos\s+protection\s+by/u),
  t('unavailable', 'enable javascript and cookies to continue', true),
  t('unavailable', 'under maintenance', true, /(?:site|website|page)?\s*(?:is\s+)?(?:currently\s+)?(?:under|down\s+for)\s+(?:scheduled\s+)?maintenance/u),
  t('unavailable', '网站维护中', true, /(?:网站|系统|站点)(?:正在)?(?:维护|升级)(?:中)?/u),
  t('unavailable', '网站防火墙', true, /网站防火墙|安全狗|云锁|宝塔防火墙|您的(?:访问|请求)(?:已)?被(?:拦截|阻断)/u),
];

export const ALL_TERMS: MarkerTerm[] = [...DEFACEMENT_TERMS, ...SPAM_TERMS, ...PARKED_TERMS, ...SHUTDOWN_TERMS, ...UNAVAILABLE_TERMS];

/** The terms of these families found in normalised text (each term once). */
export function findTerms(text: string, terms: readonly MarkerTerm[] = ALL_TERMS): MarkerTerm[] {
  if (text.length === 0) return [];
  const found = terms.filter((m) => m.re.test(text));
  // A term inside a longer one found (赌场 in 澳门赌场) adds nothing to a reason.
  return found.filter((m) => !found.some((o) => o !== m && o.family === m.family && o.term.length > m.term.length && o.term.includes(m.term)));
}

/** A host without its port, lower-cased. */
function bareHost(host: string): string {
  return host.toLowerCase().replace(/:\d+$/u, '');
}

/** True when the host is a parking service's or under one. */
export function isParkingHost(host: string): boolean {
  const h = bareHost(host);
  return PARKING_HOSTS.some((p) => h === p || h.endsWith(`.${p}`));
}

/**
 * Ad and tracking hosts whose iframes and scripts rotate at every visit of an ordinary page
 * (Google's ad stack, the big exchanges and content-recommendation widgets); they are boilerplate.
 */
const AD_HOSTS = ['doubleclick.net', 'googlesyndication.com', 'googleadservices.com', 'googletagservices.com', 'adnxs.com',
  'taboola.com', 'outbrain.com', 'criteo.com', 'criteo.net', 'amazon-adsystem.com', 'adsrvr.org', 'rubiconproject.com',
  'pubmatic.com', 'openx.net', 'casalemedia.com', 'scorecardresearch.com', 'google-analytics.com', 'googletagmanager.com',
  'moatads.com', 'smartadserver.com', 'yieldmo.com', 'teads.tv', 'cpro.baidustatic.com',
  'pos.baidu.com', 'hm.baidu.com', 'tanx.com', 'mmstat.com', 'cnzz.com', 'ad.qq.com', 'gdt.qq.com', 'adform.net', 'media.net'];

/** True when the host serves ads or tracking (their rotation is boilerplate, not injection). */
export function isAdHost(host: string): boolean {
  const h = bareHost(host);
  return AD_HOSTS.some((p) => h === p || h.endsWith(`.${p}`));
}

/** Class/id tokens of ad containers ("ad-slot", "adsbygoogle", "sponsored", 广告). */
const AD_TOKEN = /^(?:ad|ads|advert|adverts|advertisement|adsbygoogle|adslot|ad-slot|adunit|banner-ad|sponsor|sponsored|promo|dfp|gpt-ad|taboola|outbrain|guanggao|广告)$/u;

/** True when a class or id attribute names an ad container. */
export function isAdContainer(classOrId: string): boolean {
  if (!classOrId) return false;
  return classOrId.toLowerCase().split(/[\s_-]+/u).some((tok) => AD_TOKEN.test(tok))
    || /(?:^|[\s_-])(?:ad|ads)[-_]?(?:slot|unit|container|wrapper|banner|box)\b/u.test(classOrId.toLowerCase());
}
