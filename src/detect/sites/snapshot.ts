/**
 * A captured page's features (PageSnapshot, types.ts): decoded text, title, visible main text
 * apart from navigation chrome, ads and hidden elements, links, frames and scripts with their
 * hosts and visibility, redirects and marker terms. One streaming pass of htmlparser2 (no DOM, so
 * deep nesting costs nothing but a bounded stack) over at most 4 MB of decoded text.
 */
import { createHash } from 'node:crypto';
import { Parser } from 'htmlparser2';
import { parse as parseDomain } from 'tldts';
import type { FetchOutcome, PageSnapshot, SnapshotLink } from './types.ts';
import { decodeBody } from './decode.ts';
import { foldText, normaliseLine, isBoilerplateOnly, bottomK, textSketch, hash32 } from './normalise.ts';
import { ALL_TERMS, DEFACEMENT_TERMS, SPAM_TERMS, findTerms, isAdContainer, isAdHost } from './markers.ts';

/** Caps that bound a snapshot's size (documented on PageSnapshot). */
export const SNAPSHOT_CAPS = {
  parseChars: 4_000_000, lines: 600, lineChars: 200, textChars: 64_000, chrome: 150, links: 300, iframes: 40,
  scriptHosts: 60, inlineScripts: 60, navTexts: 60, hiddenText: 2_000, titleChars: 300, hrefChars: 300, anchorChars: 100,
  stack: 2_000, skeletonPathDepth: 8, maxDepth: 10_000,
};

const BLOCK = new Set(['address', 'article', 'aside', 'blockquote', 'br', 'dd', 'details', 'dialog', 'div', 'dl', 'dt', 'fieldset',
  'figcaption', 'figure', 'footer', 'form', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'li', 'main', 'nav', 'ol', 'p', 'pre',
  'section', 'table', 'tbody', 'td', 'th', 'thead', 'tr', 'ul', 'option', 'center', 'marquee', 'body', 'html', 'title', 'caption', 'summary', 'button']);
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr']);
const SKIP_TEXT = new Set(['script', 'style', 'noscript', 'template', 'svg', 'math', 'textarea', 'select', 'object']);
/** Inline elements whose neighbours are separate words (menu links, table-like spans). */
const INLINE_SPACED = new Set(['a', 'img', 'label', 'span', 'input', 'select', 'time']);
const CHROME_TAGS = new Set(['nav', 'header', 'footer', 'aside']);
const CHROME_ROLES = new Set(['navigation', 'banner', 'contentinfo', 'complementary', 'menu', 'menubar']);

/** Inline styles that hide an element from a reader. */
function hidesByStyle(style: string, tag: string): boolean {
  const s = style.toLowerCase().replace(/\s+/gu, '');
  if (/display:none|visibility:hidden|visibility:collapse|opacity:0(?:\.0+)?(?:;|!|$)|font-size:0(?:px|pt|em|rem|%)?(?:;|!|$)/u.test(s)) return true;
  if (/(?:^|;)(?:left|top|right|text-indent|margin-left|margin-top):-\d{3,}/u.test(s)) return true;
  if (/clip:rect\(0(?:px)?,?0(?:px)?,?0(?:px)?,?0(?:px)?\)/u.test(s) && /position:absolute/u.test(s)) return true;
  const zero = /(?:^|;)(?:height|width|max-height|max-width):0(?:px)?(?:;|!|$)/u.test(s);
  return zero && (tag === 'iframe' || /overflow:hidden/u.test(s));
}

/** Class and id selectors that a page's own <style> blocks hide (the usual trick of SEO spam). */
function hiddenSelectors(html: string): { classes: Set<string>; ids: Set<string> } {
  const classes = new Set<string>(); const ids = new Set<string>();
  const styleRe = /<style[^>]*>([\s\S]*?)<\/style>/giu;
  let m: RegExpExecArray | null; let budget = 200_000;
  while ((m = styleRe.exec(html)) !== null && budget > 0) {
    const css = m[1]!.slice(0, budget); budget -= css.length;
    const ruleRe = /([^{}]{1,300})\{([^{}]{0,1000})\}/gu;
    let r: RegExpExecArray | null;
    while ((r = ruleRe.exec(css)) !== null) {
      if (!hidesByStyle(r[2]!, 'div')) continue;
      for (const sel of r[1]!.split(',')) {
        const one = /^\s*(?:[a-z0-9]*)?([.#])([\w-]+)\s*$/iu.exec(sel);
        if (one) (one[1] === '.' ? classes : ids).add(one[2]!.toLowerCase());
      }
    }
  }
  return { classes, ids };
}

function hostOf(href: string, base: URL | null): { href: string; host: string } {
  try {
    const u = new URL(href.trim(), base ?? undefined);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return { href: `${u.protocol}`, host: '' };
    // host with its port (when not the default): sites on one address differ only by port.
    return { href: u.href.slice(0, SNAPSHOT_CAPS.hrefChars), host: u.host.toLowerCase() };
  } catch {
    return { href: href.trim().slice(0, SNAPSHOT_CAPS.hrefChars), host: '' };
  }
}

/**
 * The registrable domain (eTLD+1) of a host, or the host itself with its port where there is none
 * (IP addresses, localhost: sites on one address are told apart by port).
 */
export function registrableDomain(host: string): string {
  if (!host) return '';
  const d = parseDomain(host, { allowPrivateDomains: true });
  return d.domain ?? host.toLowerCase();
}

interface Frame {
  tag: string;
  hidden: boolean;
  chrome: boolean;
  ad: boolean;
  skip: boolean;
  path: string;
}

/** Redirect targets a script sets: `location = '…'`, `location.href = "…"`, `location.replace('…')`. */
const JS_REDIRECT = /(?:window\.|document\.|top\.|self\.)?location(?:\.href)?\s*=\s*["'`]([^"'`]{1,500})["'`]|location\.(?:replace|assign)\(\s*["'`]([^"'`]{1,500})["'`]/u;

/** The snapshot of an answered fetch, or null for a failure (nothing to look at). */
export function snapshotOf(outcome: FetchOutcome): PageSnapshot | null {
  if (outcome.kind !== 'answer') return null;
  const contentType = (outcome.headers.get('content-type') ?? '').slice(0, 200);
  const decoded = decodeBody(outcome.body, contentType || null);
  let html = decoded.text;
  let truncated = outcome.truncated;
  if (html.length > SNAPSHOT_CAPS.parseChars) { html = html.slice(0, SNAPSHOT_CAPS.parseChars); truncated = true; }
  const bodyDigest = `sha256:${createHash('sha256').update(outcome.body).digest('hex')}`;
  let base: URL | null = null;
  try { base = new URL(outcome.finalUrl); } catch { base = null; }
  const pageHost = base?.host.toLowerCase() ?? '';
  const isPlain = /^text\/plain/iu.test(contentType) || (!/html|xml/iu.test(contentType) && contentType !== '' && !/^\s*</u.test(html.slice(0, 200)));

  const hidden = hiddenSelectors(html);
  const stack: Frame[] = [];
  const top = (): Frame | undefined => stack[stack.length - 1];
  let title = ''; let inTitle = false;
  const mainRaw: string[] = []; const chromeRaw: string[] = []; const hiddenParts: string[] = [];
  let cur = ''; let curNonLink = ''; let curChrome = false;
  const bannerTerms = new Set<string>();
  const links: SnapshotLink[] = []; let linkCount = 0;
  let openLink: { link: SnapshotLink; text: string } | null = null;
  const navTexts: string[] = [];
  const iframes: PageSnapshot['iframes'] = [];
  const scriptHosts = new Set<string>(); const inlineScripts = new Set<string>();
  let scriptText: string | null = null;
  const redirects: PageSnapshot['redirects'] = [];
  const paths = new Set<string>();
  let overflow = 0;
  let textLength = 0;

  const flush = (): void => {
    const line = cur.replace(/\s+/gu, ' ').trim();
    if (line) {
      (curChrome ? chromeRaw : mainRaw).push(line);
      const nonLink = foldText(curNonLink);
      if (nonLink && nonLink.length <= 80) for (const m of findTerms(nonLink, DEFACEMENT_TERMS)) bannerTerms.add(m.term);
    }
    cur = ''; curNonLink = '';
  };

  const parser = new Parser({
    onopentag(name, attribs) {
      const parent = top();
      const cls = (attribs.class ?? '').toLowerCase();
      const id = (attribs.id ?? '').toLowerCase();
      const style = attribs.style ?? '';
      const role = (attribs.role ?? '').toLowerCase();
      const isHidden = (parent?.hidden ?? false) || attribs.hidden !== undefined || attribs['aria-hidden'] === 'true' && /display|visibility/u.test(style)
        || (style !== '' && hidesByStyle(style, name)) || cls.split(/\s+/u).some((c) => hidden.classes.has(c)) || (id !== '' && hidden.ids.has(id))
        || name === 'input' && (attribs.type ?? '').toLowerCase() === 'hidden';
      const isChrome = (parent?.chrome ?? false) || CHROME_TAGS.has(name) || CHROME_ROLES.has(role);
      const isAd = (parent?.ad ?? false) || isAdContainer(cls) || isAdContainer(id);
      const skip = (parent?.skip ?? false) || SKIP_TEXT.has(name);
      if (BLOCK.has(name) || isChrome !== curChrome) flush();
      // Structure: tag names with stable ids (no digits: generated ids change at every visit).
      const label = id && !/\d/u.test(id) && id.length <= 30 ? `${name}#${id}` : name;
      const depth = stack.length;
      if (INLINE_SPACED.has(name) && cur && !cur.endsWith(' ')) { cur += ' '; curNonLink += ' '; }
      const path = depth < SNAPSHOT_CAPS.skeletonPathDepth ? `${parent?.path ?? ''}>${label}` : parent?.path ?? '';
      if (depth < SNAPSHOT_CAPS.skeletonPathDepth && !skip && !isAd) paths.add(path);
      if (!VOID.has(name)) {
        if (stack.length < SNAPSHOT_CAPS.stack) stack.push({ tag: name, hidden: isHidden, chrome: isChrome, ad: isAd, skip, path });
        else overflow++; // deeper than the cap: counted, so closes pair up without a long stack
      }
      curChrome = isChrome;

      if (parent?.skip && name !== 'script' && name !== 'meta' && name !== 'title') {
        // Inside noscript/template/svg: not part of the page a reader sees.
      } else if (name === 'a' && attribs.href !== undefined) {
        linkCount++;
        const { href, host } = hostOf(attribs.href, base);
        const link: SnapshotLink = { href, host, text: '', hidden: isHidden, ad: isAd || (host !== '' && isAdHost(host)) };
        if (links.length < SNAPSHOT_CAPS.links) links.push(link);
        openLink = { link, text: '' };
      } else if (name === 'iframe' || name === 'frame') {
        const src = attribs.src ?? '';
        const { href, host } = hostOf(src, base);
        const zero = attribs.width === '0' || attribs.height === '0' || attribs.width === '1' && attribs.height === '1';
        if (iframes.length < SNAPSHOT_CAPS.iframes) iframes.push({ src: href, host, hidden: isHidden || zero, ad: isAd || isAdHost(host) });
      } else if (name === 'script') {
        if (attribs.src) {
          const { host } = hostOf(attribs.src, base);
          if (host && host !== pageHost && scriptHosts.size < SNAPSHOT_CAPS.scriptHosts) scriptHosts.add(host);
        } else scriptText = '';
      } else if (name === 'meta' && (attribs['http-equiv'] ?? '').toLowerCase() === 'refresh') {
        const m = /url\s*=\s*['"]?([^'"\s>]+)/iu.exec(attribs.content ?? '');
        if (m && !redirects.some((r) => r.kind === 'meta')) {
          const { href, host } = hostOf(m[1]!, base);
          redirects.push({ kind: 'meta', target: href, host });
        }
      } else if (name === 'title' && !inTitle && title === '' && !(parent?.tag === 'svg')) inTitle = true;
    },
    ontext(data) {
      const f = top();
      if (scriptText !== null) { if (scriptText.length < 20_000) scriptText += data; return; }
      if (inTitle) { if (title.length < SNAPSHOT_CAPS.titleChars) title += data; return; }
      if (f?.skip) return;
      if (f?.hidden) { if (hiddenParts.join(' ').length < SNAPSHOT_CAPS.hiddenText * 4) hiddenParts.push(data); if (openLink) openLink.text += data; return; }
      if (f?.ad) return;
      textLength += f?.chrome ? 0 : data.length;
      if (cur.length < 4000) cur += data;
      if (!openLink && curNonLink.length < 4000) curNonLink += data;
      if (openLink && openLink.text.length < 1000) openLink.text += data;
    },
    onclosetag(name) {
      if (name === 'title' && inTitle) { inTitle = false; return; }
      if (name === 'script' && scriptText !== null) {
        const js = scriptText; scriptText = null;
        const m = JS_REDIRECT.exec(js);
        if (m && !redirects.some((r) => r.kind === 'script')) {
          const { href, host } = hostOf(m[1] ?? m[2]!, base);
          redirects.push({ kind: 'script', target: href, host });
        }
        const norm = js.replace(/\d+/gu, '#').replace(/[a-z0-9_-]{16,}/giu, '~').replace(/\s+/gu, ' ').trim();
        if (norm && inlineScripts.size < SNAPSHOT_CAPS.inlineScripts) inlineScripts.add(hash32(norm).toString(16).padStart(8, '0'));
      }
      if (name === 'a' && openLink) {
        const l = openLink.link;
        l.text = foldText(openLink.text).slice(0, SNAPSHOT_CAPS.anchorChars);
        const spam = findTerms(foldText(openLink.text), SPAM_TERMS).map((x) => x.term);
        if (spam.length) l.spam = spam;
        if (top()?.chrome && !l.hidden && l.text && navTexts.length < SNAPSHOT_CAPS.navTexts) navTexts.push(normaliseLine(l.text));
        openLink = null;
      }
      // Close up to the matching element (htmlparser2 reports implied closes too); a stray close
      // tag is looked up a bounded way down, so hostile nesting stays linear.
      if (overflow > 0 && !VOID.has(name)) overflow--;
      else {
        for (let i = stack.length - 1; i >= Math.max(0, stack.length - 64); i--) {
          if (stack[i]!.tag === name) { stack.length = i; break; }
        }
      }
      if (BLOCK.has(name)) flush();
      curChrome = top()?.chrome ?? false;
    },
  }, { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true, recognizeSelfClosing: false });

  if (isPlain) {
    for (const line of html.split(/\r?\n/u)) if (line.trim()) mainRaw.push(line.trim());
    textLength = html.length;
  } else {
    // Fed in slices so that absurd nesting can be cut off: htmlparser2's own element stack turns
    // quadratic beyond some 40 000 open elements, and no real page nests more than a few hundred.
    for (let i = 0; i < html.length; i += 32_768) {
      parser.write(html.slice(i, i + 32_768));
      if (stack.length + overflow > SNAPSHOT_CAPS.maxDepth) { truncated = true; break; }
    }
    parser.end();
    flush();
  }

  // Normalised lines, bounded: the sketch sees the whole text, the stored lines are capped.
  const normLines: string[] = [];
  for (const raw of mainRaw) {
    const n = normaliseLine(raw);
    if (n && !isBoilerplateOnly(n)) normLines.push(n);
  }
  const sketch = textSketch(normLines.join('\n'));
  const lines: string[] = []; let chars = 0;
  for (const n of normLines) {
    if (lines.length >= SNAPSHOT_CAPS.lines || chars >= SNAPSHOT_CAPS.textChars) { truncated = true; break; }
    const s = n.slice(0, SNAPSHOT_CAPS.lineChars); lines.push(s); chars += s.length;
  }
  const chrome = chromeRaw.map(normaliseLine).filter((n) => n && !isBoilerplateOnly(n)).slice(0, SNAPSHOT_CAPS.chrome).map((s) => s.slice(0, SNAPSHOT_CAPS.lineChars));
  const titleClean = title.replace(/\s+/gu, ' ').trim().slice(0, SNAPSHOT_CAPS.titleChars);
  const visibleFold = foldText([...mainRaw, ...chromeRaw].join('\n').slice(0, 1_000_000));
  const hiddenFold = foldText(hiddenParts.join(' ')).slice(0, SNAPSHOT_CAPS.hiddenText * 4);

  return {
    v: 1,
    url: outcome.finalUrl.slice(0, 2000),
    domain: registrableDomain(pageHost),
    status: outcome.status,
    contentType,
    charset: decoded.charset,
    charsetFrom: decoded.from,
    bodyDigest,
    truncated,
    title: titleClean,
    titleNorm: normaliseLine(titleClean),
    lines,
    chrome,
    textLength,
    sketch,
    skeleton: bottomK(paths),
    navTexts,
    links,
    linkCount,
    iframes,
    scriptHosts: [...scriptHosts].sort(),
    inlineScripts: [...inlineScripts].sort(),
    redirects,
    markers: {
      title: findTerms(foldText(titleClean), ALL_TERMS).map((m) => m.term),
      visible: findTerms(visibleFold, ALL_TERMS).map((m) => m.term),
      hidden: findTerms(hiddenFold, ALL_TERMS).map((m) => m.term),
      banner: [...bannerTerms],
    },
    hiddenText: normaliseLine(hiddenFold).slice(0, SNAPSHOT_CAPS.hiddenText),
  };
}
