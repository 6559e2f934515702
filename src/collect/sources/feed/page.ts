/**
 * Recognising an HTML page given where a feed was expected, and the feed links it advertises
 * (`<link rel="alternate" type="application/rss+xml" href="…">`), so the refusal can name them.
 */

const FEED_TYPES = /^application\/(rss\+xml|atom\+xml|rdf\+xml|feed\+json|json)$/i;

/** True when the answer is an HTML page rather than a feed. */
export function looksLikeHtml(text: string, contentType: string | null | undefined): boolean {
  if (/^\s*(text\/html|application\/xhtml\+xml)\b/i.test(contentType ?? '')) {
    // Some servers label every document text/html; a document that opens as a feed is still one.
    return !/^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<(rss|feed|rdf:RDF)\b/i.test(text.replace(/^\uFEFF/, ''));
  }
  return /^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])/i.test(text.replace(/^\uFEFF/, ''));
}

function attr(tag: string, name: string): string | null {
  const m = tag.match(new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i'));
  return m ? (m[1] ?? m[2] ?? m[3]) : null;
}

/** Feed URLs an HTML page advertises, resolved against the page's URL. */
export function advertisedFeeds(html: string, pageUrl: string): string[] {
  const found: string[] = [];
  for (const [tag] of html.matchAll(/<link\b[^>]*>/gi)) {
    const rel = (attr(tag, 'rel') ?? '').toLowerCase().split(/\s+/);
    const type = attr(tag, 'type') ?? '';
    const href = attr(tag, 'href');
    if (!rel.includes('alternate') || !FEED_TYPES.test(type.trim()) || !href) continue;
    try {
      const url = new URL(href.replace(/&amp;/g, '&'), pageUrl).href;
      if (!found.includes(url)) found.push(url);
    } catch {
      // An unusable href is no feed link.
    }
  }
  return found;
}

/** The sentence for an HTML page given as a feed URL. */
export function htmlPageMessage(url: string, html: string): string {
  const feeds = advertisedFeeds(html, url);
  const hint = feeds.length
    ? `the page advertises ${feeds.length === 1 ? 'this feed' : 'these feeds'}: ${feeds.join(', ')}`
    : 'look for <link rel="alternate" type="application/rss+xml"> in the page';
  return `${url} answered with an HTML page, not a feed; give the feed's own URL (${hint}).`;
}
