/**
 * The host names a post links to: its own URL, its `urls` column (a JSON array), links written in
 * its text, and links in its importer's extra columns (Twitter archives keep expanded URLs there).
 * Links in text are found by scheme or `www.`; a bare "spiegel.ltd" in prose is not a link.
 */

const LINK = /\b(?:https?:\/\/|www\.)[^\s<>"'`\u3000-\u303f\uff01-\uff5e]+/giu;
const MAX_TEXT = 100_000;

/** Host of one URL-ish string, lower-case, or null when it has none. */
export function hostOf(link: string): string | null {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(link) ? link : `http://${link}`;
  try {
    const host = new URL(withScheme).hostname.toLowerCase();
    return host && host.includes('.') ? host.replace(/\.$/, '') : null;
  } catch {
    return null;
  }
}

/** Every link-like substring of a text. */
export function linksIn(text: string): string[] {
  return text.length > MAX_TEXT ? [...text.slice(0, MAX_TEXT).matchAll(LINK)].map((m) => m[0]) : [...text.matchAll(LINK)].map((m) => m[0]);
}

function strings(value: unknown, out: string[], depth = 0): void {
  if (depth > 8) return;
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out, depth + 1);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) strings(v, out, depth + 1);
}

function parsed(text: string | null): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The distinct hosts a stored post links to. */
export function hostsInPost(p: { url: string | null; urls: string | null; text: string; extra: string | null }): Set<string> {
  const hosts = new Set<string>();
  const add = (link: string) => { const h = hostOf(link); if (h) hosts.add(h); };
  if (p.url) add(p.url);
  const listed: string[] = [];
  strings(parsed(p.urls), listed);
  for (const u of listed) add(u.trim());
  for (const l of linksIn(p.text)) add(l);
  if (p.extra && /https?:\/\/|www\./i.test(p.extra)) {
    const extra: string[] = [];
    strings(parsed(p.extra), extra);
    for (const s of extra) for (const l of linksIn(s)) add(l);
  }
  return hosts;
}
