/**
 * Boilerplate normalisation and similarity sketches. A live page changes at every visit in ways
 * that mean nothing (the date in the header, "5 minutes ago", view counters, copyright years,
 * CSRF tokens, session ids); these are replaced by placeholders before two captures are
 * compared, so only real content changes count. Marker search runs on `foldText` (case and width
 * folded only), never on the normalised text, whose placeholders would break phrases.
 */

/** Case and width folding (full-width Latin, compatibility forms) and whitespace collapsed. */
export function foldText(s: string): string {
  // NFKC is the costly step, and a no-op on ASCII.
  const n = /^[\x00-\x7f]*$/u.test(s) ? s : s.normalize('NFKC');
  return n.toLowerCase().replace(/\s+/gu, ' ').trim();
}

const MONTHS = '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';
const DAYS = '(?:mon|tue|wed|thu|fri|sat|sun)(?:day|sday|nesday|rsday|urday)?';
const UNITS_EN = '(?:sec(?:ond)?s?|min(?:ute)?s?|h(?:ou)?rs?|hours?|days?|weeks?|months?|years?|yrs?)';
const RULES: Array<[RegExp, string]> = [
  // Relative times: "5 minutes ago", "3小时前", "刚刚", "yesterday".
  [new RegExp(`\\b\\d+\\s*${UNITS_EN}\\s+ago\\b`, 'gu'), ' ⟨t⟩ '],
  [/\d+\s*(?:秒|分钟|分鐘|小时|小時|天|周|週|个月|個月|年)前/gu, '⟨t⟩'],
  [/刚刚|剛剛|\b(?:just now|yesterday|today)\b|昨天|今天|前天/gu, '⟨t⟩'],
  // Month and day names (English), weekday and half-day words (Chinese).
  [new RegExp(`\\b${MONTHS}\\.?(?![a-z])`, 'gu'), '⟨m⟩'],
  [new RegExp(`\\b${DAYS}\\b`, 'gu'), '⟨d⟩'],
  [/(?:星期|周|週|礼拜|禮拜)[一二三四五六日天]/gu, '⟨d⟩'],
  [/上午|下午|凌晨|晚上|\b[ap]\.?m\.?\b/gu, ''],
  [/\b(?:utc|gmt|cst|est|edt|pst|pdt|bst|cet|cest)\b/gu, ''],
  // Numbers of any kind (dates, times, counters, view counts, years, prices): "12,345" "3.5万" "10:22".
  [/\d+(?:[.,:/-]\d+)*(?:\s*(?:万|萬|亿|億|千)|k\b|m\b)?/gu, '#'],
  [/(?:#\s*[年月日号號时時分秒]\s*)+/gu, '#'],
  [/#(?:[\s:/.,-]*#)+/gu, '#'],
];

/** A text line with its boilerplate replaced by placeholders (dates, times, numbers, tokens). */
export function normaliseLine(line: string): string {
  let s = foldText(line);
  // Tokens first (CSRF tokens, nonces, session ids, cache busters): 16+ characters mixing letters and digits.
  s = s.replace(/[a-z0-9_+/=-]{16,}/gu, (m) => (/\d/u.test(m) && /[a-z]/u.test(m) ? '⟨k⟩' : m));
  for (const [re, to] of RULES) s = s.replace(re, to);
  return s.replace(/\s+/gu, ' ').trim();
}

/** True when a normalised line holds nothing but placeholders and punctuation (a bare date, a counter). */
export function isBoilerplateOnly(norm: string): boolean {
  return norm.replace(/⟨[a-z]⟩|#|[\s\p{P}\p{S}]/gu, '').length === 0;
}

/** 32-bit FNV-1a of a string (UTF-16 code units), mixed by a murmur finaliser. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b); h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35); h ^= h >>> 16;
  return h >>> 0;
}

export const SKETCH_K = 128;

/** Bottom-k sketch of a set of strings: the k smallest distinct hashes, ascending. */
export function bottomK(items: Iterable<string>, k = SKETCH_K): number[] {
  const hashes: number[] = [];
  for (const it of items) hashes.push(hash32(it));
  return smallestDistinct(Uint32Array.from(hashes), k);
}

/** The k smallest distinct values, ascending (typed-array sort: no comparator calls). */
function smallestDistinct(hashes: Uint32Array, k: number): number[] {
  hashes.sort();
  const out: number[] = [];
  for (let i = 0; i < hashes.length && out.length < k; i++) if (i === 0 || hashes[i] !== hashes[i - 1]) out.push(hashes[i]!);
  return out;
}

function mix(h: number): number {
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b); h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35); h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Bottom-k sketch of a text's 4-token shingles (up to 400 000 tokens): each token hashed once,
 * a shingle's hash combined from its tokens' (order-sensitive), so no shingle string is built.
 */
export function textSketch(text: string, n = 4, k = SKETCH_K): number[] {
  const toks = tokens(text);
  const m = Math.min(toks.length, 400_000);
  if (m === 0) return [];
  const th = new Uint32Array(m);
  for (let i = 0; i < m; i++) th[i] = hash32(toks[i]!);
  const count = Math.max(1, m - n + 1);
  const sh = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    let h = 0x9e3779b9;
    for (let j = 0; j < n && i + j < m; j++) h = mix((h ^ th[i + j]!) + j);
    sh[i] = h;
  }
  return smallestDistinct(sh, k);
}

/**
 * Estimated Jaccard similarity of the sets behind two bottom-k sketches: of the k smallest hashes
 * of the union, the share present in both. Two empty sets are identical (1).
 */
export function sketchSimilarity(a: readonly number[], b: readonly number[], k = SKETCH_K): number {
  if (a.length === 0 && b.length === 0) return 1;
  if (a.length === 0 || b.length === 0) return 0;
  const sa = new Set(a); const sb = new Set(b);
  const union = [...new Set([...a, ...b])].sort((x, y) => x - y).slice(0, k);
  let both = 0;
  for (const h of union) if (sa.has(h) && sb.has(h)) both++;
  return both / union.length;
}

/** Tokens for shingling: Latin words and digits placeholders as words, each CJK character alone. */
export function tokens(text: string): string[] {
  return text.match(/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]|[\p{L}\p{N}⟨⟩#]+/gu) ?? [];
}
