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
const HAS_CJK_RE = /[\u3400-\u9fff\uf900-\ufaff]/u;
const TRACKING_PARAM = /^(utm_|fbclid$|gclid$|mc_cid$|mc_eid$|igshid$|si$|ref$|ref_src$|spm$)/i;

const PUNCT_ONE = /^[\p{P}\p{S}\s]$/u;
let punctTable: Uint8Array | null = null;
const astralPunct = new Map<number, boolean>();

/** 1 for each BMP code point (surrogates aside) that is punctuation, a symbol or a space: built once, ~5 ms. */
function punctuationTable(): Uint8Array {
  if (punctTable) return punctTable;
  const t = new Uint8Array(0x10000);
  for (let c = 0; c < 0x10000; c++) if ((c < 0xd800 || c > 0xdfff) && PUNCT_ONE.test(String.fromCharCode(c))) t[c] = 1;
  return (punctTable = t);
}

function isAstralPunctuation(cp: number): boolean {
  let p = astralPunct.get(cp);
  if (p === undefined) astralPunct.set(cp, (p = PUNCT_ONE.test(String.fromCodePoint(cp))));
  return p;
}

/**
 * `text.replace(/[\p{P}\p{S}\s]+/gu, ' ').trim()` by table lookup: each run of punctuation, symbols and
 * spaces becomes one space, and none is left at either end. The regular expression's Unicode
 * property classes were the largest single cost of normalising (3 µs of 5 per post).
 */
export function collapsePunctuation(text: string): string {
  const t = punctuationTable();
  const n = text.length;
  let out = '';
  let kept = 0; // start of the text not yet copied to `out`
  let i = 0;
  while (i < n) {
    const start = i;
    // Advance over one run of punctuation (possibly empty).
    for (;;) {
      if (i >= n) break;
      const c = text.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
        const d = text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff && isAstralPunctuation((c - 0xd800) * 0x400 + (d - 0xdc00) + 0x10000)) {
          i += 2;
          continue;
        }
        break;
      }
      if (t[c] !== 1) break;
      i++;
    }
    if (i > start) {
      // Leading and trailing runs vanish (trim); inner runs become one space.
      if (start > 0 && i < n) out += `${text.slice(kept, start)} `;
      else if (start > 0) out += text.slice(kept, start);
      kept = i;
      continue;
    }
    // A character that stays: skip it (both halves of a surrogate pair).
    const c = text.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < n && text.charCodeAt(i + 1) >= 0xdc00 && text.charCodeAt(i + 1) <= 0xdfff ? 2 : 1;
  }
  if (kept === 0) return text;
  return out + text.slice(kept);
}

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
  text = collapsePunctuation(text);
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
