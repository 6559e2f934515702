/**
 * Text normalisation for matching: two posts that a reader would call "the same text" must
 * normalise to the same string, whatever script variant, width, case or punctuation they use.
 * URLs, mentions and hashtags are pulled out as separate features (they feed co-link and
 * co-hashtag networks and would otherwise dominate short texts' shingles).
 */
import * as OpenCC from 'opencc-js';

/** Traditional (any regional variant) → Simplified, as opencc-js converts it. */
const openccToSimplified = OpenCC.Converter({ from: 'tw', to: 'cn' });

/**
 * opencc-js's phrase-level conversion costs ~10 µs per post, a sixth of the whole budget at a
 * million posts. Matching only needs characters to agree, so the converter's own single
 * character mappings are tabulated once (CJK blocks, ~28k code points, ~30 ms) and applied
 * by table lookup.
 */
let charTable: Uint16Array | null = null;
function table(): Uint16Array {
  if (charTable) return charTable;
  const t = new Uint16Array(0x10000);
  const ranges: Array<[number, number]> = [[0x3400, 0x4dbf], [0x4e00, 0x9fff], [0xf900, 0xfaff]];
  for (const [lo, hi] of ranges) {
    let chars = '';
    for (let c = lo; c <= hi; c++) chars += String.fromCharCode(c);
    // Separated so that no two characters form a phrase the converter would treat specially.
    const out = openccToSimplified(chars.split('').join('\n')).split('\n');
    for (let i = 0; i < out.length; i++) {
      const o = out[i];
      if (o.length === 1 && o.charCodeAt(0) !== lo + i) t[lo + i] = o.charCodeAt(0);
    }
  }
  charTable = t;
  return t;
}

/** Traditional → Simplified, character by character (opencc-js's mappings). */
export function toSimplified(text: string): string {
  const t = table();
  let out: number[] | null = null;
  for (let i = 0; i < text.length; i++) {
    const m = t[text.charCodeAt(i)];
    if (m !== 0) {
      if (!out) {
        out = new Array(text.length);
        for (let k = 0; k < i; k++) out[k] = text.charCodeAt(k);
      }
      out[i] = m;
    } else if (out) out[i] = text.charCodeAt(i);
  }
  if (!out) return text;
  let s = '';
  // In slices: spreading a very long array would overflow the call stack.
  for (let i = 0; i < out.length; i += 8192) s += String.fromCharCode(...out.slice(i, i + 8192));
  return s;
}

export interface NormalisedText {
  /** Folded text: NFKC, lower case, Simplified, punctuation → single spaces, features removed. */
  text: string;
  urls: string[];
  mentions: string[];
  hashtags: string[];
}

const URL_RE = /\bhttps?:\/\/[^\s<>"'，。、！？（）【】]+|\bwww\.[^\s<>"'，。、！？（）【】]+/giu;
// A hashtag is #word or the Weibo form #话题# (text between two #).
const WEIBO_TAG_RE = /#([^#\s][^#\n]{0,40}?)#/gu;
const HASHTAG_RE = /(?:^|[^\p{L}\p{N}_&])#([\p{L}\p{N}_]+)/gu;
const MENTION_RE = /(?:^|[^\p{L}\p{N}_.])@([\p{L}\p{N}_.\-]+(?:@[\w.\-]+)?)/gu;
const URL_HINT = /http|www\./i;
const PUNCT_RE = /[\p{P}\p{S}\s]+/gu;
const HAS_CJK_RE = /[\u3400-\u9fff\uf900-\ufaff]/u;
const TRACKING_PARAM = /^(utm_|fbclid$|gclid$|mc_cid$|mc_eid$|igshid$|si$|ref$|ref_src$|spm$)/i;

/** Normalises one post's text for matching. */
export function normaliseText(raw: string): NormalisedText {
  // NFKC folds full-width ASCII (ＡＢＣ１２３) to half width and compatibility forms to canonical.
  let text = raw.normalize('NFKC');
  const urls: string[] = [];
  if (URL_HINT.test(text)) text = text.replace(URL_RE, (u) => {
    const n = normaliseUrl(u);
    if (n) urls.push(n);
    return ' ';
  });
  text = text.toLowerCase();
  if (HAS_CJK_RE.test(text)) text = toSimplified(text);
  const hashtags: string[] = [];
  if (text.includes('#')) text = text.replace(WEIBO_TAG_RE, (_m, tag: string) => {
    hashtags.push(tag.trim());
    return ' ';
  });
  if (text.includes('#')) text = text.replace(HASHTAG_RE, (m, tag: string) => {
    hashtags.push(tag);
    return m[0] === '#' ? ' ' : `${m[0]} `;
  });
  const mentions: string[] = [];
  if (text.includes('@')) text = text.replace(MENTION_RE, (m, who: string) => {
    mentions.push(who);
    return m[0] === '@' ? ' ' : `${m[0]} `;
  });
  text = text.replace(PUNCT_RE, ' ').trim();
  return { text, urls, mentions, hashtags };
}

/**
 * Canonical form of a URL so that trivially different links to the same page match: scheme
 * and "www." dropped, host lower-cased, tracking parameters and fragment removed, remaining
 * parameters sorted, trailing slash dropped. Returns null for something that is not a URL.
 */
export function normaliseUrl(raw: string): string | null {
  let s = raw.trim().replace(/[.,;:!?)\]}'"]+$/u, '');
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) s = `http://${s}`;
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return null;
  }
  if (!u.hostname) return null;
  const host = u.hostname.toLowerCase().replace(/^www\./, '').replace(/^m\./, '');
  const params = [...u.searchParams.entries()].filter(([k]) => !TRACKING_PARAM.test(k)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const query = params.length ? `?${params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}` : '';
  let path = u.pathname.replace(/\/+$/, '');
  if (path === '/') path = '';
  const port = u.port && u.port !== '80' && u.port !== '443' ? `:${u.port}` : '';
  return `${host}${port}${path}${query}`;
}

/** Folds a hashtag for comparison (same folding as the text). */
export function normaliseTag(tag: string): string {
  let t = tag.normalize('NFKC').toLowerCase().replace(/^#+|#+$/g, '').trim();
  if (HAS_CJK_RE.test(t)) t = toSimplified(t);
  return t;
}
