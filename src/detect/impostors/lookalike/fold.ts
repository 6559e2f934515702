/**
 * Folds a display name or handle into the form look-alike matching compares, keeping track of
 * where every piece came from so that each difference can be told to a reader ("zero-width
 * space at 3", "Traditional 報→报", "added 官方").
 *
 * Steps, code point by code point: invisible characters are noted and dropped; fake-authority
 * ticks (✓ ✔ ☑ ✅) are noted and dropped; NFKC (width, compatibility forms); lower case;
 * separators, brackets, punctuation and symbols dropped (they only mark word boundaries);
 * Traditional → Simplified (opencc-js's mappings, as the coordination detector uses them);
 * UTS #39 skeleton. Finally fake-authority words at either end (官方, 官博, official, a
 * trailing V …) are noted and set aside: the name is indexed with and without them.
 */
import { toSimplified } from '../../coordination/normalise.ts';
import { skeletonOf } from './skeleton.ts';
import { cjkLookalikes, lookalikeClasses } from './tables.ts';

/** One visible character of the folded name and where it came from. */
export interface Glyph {
  /** The original code point(s) as written. */
  raw: string;
  /** 1-based code-point position in the original string. */
  pos: number;
  /** After NFKC, lower case and Traditional → Simplified. */
  folded: string;
  /** The Traditional character the folded one was converted from, if any. */
  trad: string | null;
  /** Skeleton code points of `folded` (what is compared). */
  key: string[];
}

export interface FoldedName {
  raw: string;
  /** Glyphs left after fake-authority words are set aside. */
  glyphs: Glyph[];
  /** Glyphs with the fake-authority words kept (the name as folded, nothing set aside). */
  allGlyphs: Glyph[];
  /** Comparison key (skeleton code points) of `glyphs`, with the owning glyph of each. */
  key: string[];
  owner: number[];
  /** Key of `allGlyphs`. */
  fullKey: string[];
  fullOwner: number[];
  /** Invisible characters found: "zero-width space at 3". */
  invisible: string[];
  /** Fake-authority words and marks set aside, folded (官方, official, v, ✓) … */
  authority: string[];
  /** … and as written (官方, Official, V, ✓). */
  authorityRaw: string[];
  /** Separators, brackets and punctuation dropped, in order. */
  separators: string;
}

const INVISIBLE_NAMES: Record<number, string> = {
  0x00ad: 'soft hyphen', 0x034f: 'combining grapheme joiner', 0x061c: 'Arabic letter mark',
  0x115f: 'Hangul choseong filler', 0x1160: 'Hangul jungseong filler', 0x17b4: 'Khmer vowel inherent aq',
  0x17b5: 'Khmer vowel inherent aa', 0x180e: 'Mongolian vowel separator', 0x200b: 'zero-width space',
  0x200c: 'zero-width non-joiner', 0x200d: 'zero-width joiner', 0x200e: 'left-to-right mark',
  0x200f: 'right-to-left mark', 0x202a: 'left-to-right embedding', 0x202b: 'right-to-left embedding',
  0x202c: 'pop directional formatting', 0x202d: 'left-to-right override', 0x202e: 'right-to-left override',
  0x2060: 'word joiner', 0x2061: 'function application', 0x2062: 'invisible times', 0x2063: 'invisible separator',
  0x2064: 'invisible plus', 0x2066: 'left-to-right isolate', 0x2067: 'right-to-left isolate',
  0x2068: 'first strong isolate', 0x2069: 'pop directional isolate', 0x2800: 'braille blank',
  0x3164: 'Hangul filler', 0xfeff: 'zero-width no-break space', 0xffa0: 'halfwidth Hangul filler',
};
// Default-ignorable and format characters draw nothing; the Hangul fillers and the braille
// blank are letters or symbols that draw nothing either, and are used to fake empty names.
const INVISIBLE_RE = /^[\p{Default_Ignorable_Code_Point}\p{Cf}\u2800\u3164\uffa0\u115f\u1160]$/u;
const VARIATION_SELECTOR_RE = /^[\ufe00-\ufe0f\u{e0100}-\u{e01ef}]$/u;
const AFTER_SYMBOL_RE = /^[\p{S}\p{Extended_Pictographic}]$/u;
/** Ticks that pose as a platform's verification badge. */
const TICKS = new Set(['✓', '✔', '☑', '✅', '🗸', '✔️', '☑️']);
const SEPARATOR_RE = /^[\p{P}\p{Z}\p{S}\p{Cc}]$/u;
const CJK_RE = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]$/u;

/** Fake-authority words, longest first so that 官方微博 goes before 官方. */
const CJK_AUTHORITY = ['官方微博', '官方账号', '官方帐号', '官方号', '官方', '官博', '官网', '认证'];
const LATIN_AUTHORITY_WORDS = new Set(['official', 'real', 'v', 'verified']);
/** Glued to a Latin handle without a separator ("xinhuaofficial"): only the long, unambiguous one. */
const LATIN_GLUED = ['official'];

/** The reader's name of an invisible code point. */
export function invisibleName(cp: number): string {
  return INVISIBLE_NAMES[cp] ?? (VARIATION_SELECTOR_RE.test(String.fromCodePoint(cp)) ? 'variation selector' : `invisible U+${cp.toString(16).toUpperCase().padStart(4, '0')}`);
}

const keyCache = new Map<string, string[]>();
/** Skeleton code points of one folded character, lower-cased again where a prototype is a capital (UTS #39 maps I → l but some prototypes are upper case). */
function keyOf(ch: string): string[] {
  let k = keyCache.get(ch);
  if (k) return k;
  let s = '';
  for (const c of ch) s += skeletonOf(c.codePointAt(0)!);
  let t = '';
  for (const c of s.toLowerCase()) t += skeletonOf(c.codePointAt(0)!);
  k = [...t];
  keyCache.set(ch, k);
  return k;
}

/** What one code point folds to: cached, since names reuse a small alphabet. */
type Piece = { sep: true; text: string } | { sep: false; folded: string; trad: string | null; key: string[]; keyStr: string; coarse: string; cjk: boolean };
type CharInfo = { kind: 'invisible'; name: string } | { kind: 'tick' } | { kind: 'selector' } | { kind: 'pieces'; pieces: Piece[] };
const infoCache = new Map<number, CharInfo>();
function infoOf(ch: string, cp: number): CharInfo {
  let info = infoCache.get(cp);
  if (info) return info;
  if (TICKS.has(ch)) info = { kind: 'tick' };
  else if (VARIATION_SELECTOR_RE.test(ch)) info = { kind: 'selector' };
  else if (INVISIBLE_RE.test(ch)) info = { kind: 'invisible', name: invisibleName(cp) };
  else {
    const pieces: Piece[] = [];
    const classes = lookalikeClasses();
    const nfkc = [...ch.normalize('NFKC')];
    // NFKC can hide a confusable (Greek lunate sigma ϲ, which looks like c, becomes final sigma ς): a code
    // point UTS #39 knows is keyed by its own skeleton; the rest by their NFKC form's.
    const ownSkeleton = nfkc.length === 1 && skeletonOf(cp) !== ch;
    for (const c of nfkc) {
      if (SEPARATOR_RE.test(c) || INVISIBLE_RE.test(c)) { pieces.push({ sep: true, text: /^\s$/u.test(c) ? '' : c }); continue; }
      const lower = c.toLowerCase();
      const simp = toSimplified(lower);
      // The skeleton is taken before lower-casing (UTS #39 is case-sensitive: Cyrillic Ь is b, ь is not).
      const key = keyOf(toSimplified(ownSkeleton ? ch : c));
      pieces.push({ sep: false, folded: simp, trad: simp !== lower ? lower : null, key, keyStr: key.join(''), coarse: key.map((k) => classes.get(k) ?? k).join(''), cjk: CJK_RE.test(simp) });
    }
    info = { kind: 'pieces', pieces };
  }
  if (infoCache.size < 200_000) infoCache.set(cp, info);
  return info;
}

/** A quick test for anything stripAuthority could remove, so most names skip it. */
const MAY_HAVE_AUTHORITY = /[官言认]|official|real|verified|v$/;

/** What the index looks a name up by: look-alike-class keys with and without authority words, and the plain key. */
export interface NameKeys {
  coarse: string;
  coarseStripped: string;
  /** Skeleton key without authority words (for typing edits). */
  key: string;
}

/**
 * The lookup keys of a name without building its glyphs: most accounts match nothing, so the
 * full fold (with positions for reasons) is only made for candidates.
 */
export function foldKeys(raw: string): NameKeys {
  let coarse = '';
  let key = '';
  let folded = '';
  for (const ch of raw) {
    const info = infoOf(ch, ch.codePointAt(0)!);
    if (info.kind !== 'pieces') continue;
    for (const p of info.pieces) {
      if (p.sep) continue;
      coarse += p.coarse;
      key += p.keyStr;
      folded += p.folded;
    }
  }
  if (!MAY_HAVE_AUTHORITY.test(folded)) return { coarse, coarseStripped: coarse, key };
  const f = foldName(raw);
  const classes = lookalikeClasses();
  return { coarse, coarseStripped: f.key.map((k) => classes.get(k) ?? k).join(''), key: f.key.join('') };
}

/** Folds a display name or handle (see the module comment). */
export function foldName(raw: string): FoldedName {
  const glyphs: Glyph[] = [];
  /** Word index of each glyph: separators and CJK/non-CJK changes start a new word. */
  const word: number[] = [];
  const invisible: string[] = [];
  const authority: string[] = [];
  const authorityRaw: string[] = [];
  let separators = '';
  let w = 0;
  let prevSymbol = false;
  let lastCjk: boolean | null = null;
  let pos = 0;
  let folded = '';
  for (const ch of raw) {
    pos++;
    const cp = ch.codePointAt(0)!;
    const info = infoOf(ch, cp);
    if (info.kind === 'selector') {
      // After a symbol it picks emoji or text presentation (✔️); elsewhere it is a hidden character.
      if (!prevSymbol) invisible.push(`${invisibleName(cp)} at ${pos}`);
      continue;
    }
    prevSymbol = info.kind === 'tick' || AFTER_SYMBOL_RE.test(ch);
    if (info.kind === 'invisible') {
      invisible.push(`${info.name} at ${pos}`);
      continue;
    }
    if (info.kind === 'tick') {
      authority.push(ch);
      authorityRaw.push(ch);
      w++;
      continue;
    }
    for (const p of info.pieces) {
      if (p.sep) { separators += p.text; w++; continue; }
      if (lastCjk !== null && lastCjk !== p.cjk) w++;
      lastCjk = p.cjk;
      glyphs.push({ raw: ch, pos, folded: p.folded, trad: p.trad, key: p.key });
      word.push(w);
      folded += p.folded;
    }
  }
  const [lo, hi] = MAY_HAVE_AUTHORITY.test(folded) ? stripAuthority(glyphs, word, authority, authorityRaw) : [0, glyphs.length];
  const kept = lo === 0 && hi === glyphs.length ? glyphs : glyphs.slice(lo, hi);
  const [fullKey, fullOwner] = keyed(glyphs);
  const [key, owner] = kept === glyphs ? [fullKey, fullOwner] : keyed(kept);
  return { raw, glyphs: kept, allGlyphs: glyphs, key, owner, fullKey, fullOwner, invisible, authority, authorityRaw, separators };
}

function keyed(glyphs: Glyph[]): [string[], number[]] {
  const key: string[] = [];
  const owner: number[] = [];
  glyphs.forEach((g, i) => {
    for (const k of g.key) { key.push(k); owner.push(i); }
  });
  return [key, owner];
}

/** Sets fake-authority words at either end aside (into `found`); returns the kept range. */
function stripAuthority(glyphs: Glyph[], word: number[], folded: string[], raw: string[]): [number, number] {
  let lo = 0;
  let hi = glyphs.length;
  const text = (a: number, b: number) => glyphs.slice(a, b).map((g) => g.folded).join('');
  const found = { push(t: string, a: number, b: number) { folded.push(t); raw.push(uniqRaw(glyphs.slice(a, b))); } };
  const MIN_LEFT = 2;
  for (let changed = true; changed;) {
    changed = false;
    for (const a of CJK_AUTHORITY) {
      const n = [...a].length;
      if (hi - lo - n >= MIN_LEFT && looksLike(glyphs, hi - n, a)) { found.push(a, hi - n, hi); hi -= n; changed = true; break; }
      if (hi - lo - n >= MIN_LEFT && looksLike(glyphs, lo, a)) { found.push(a, lo, lo + n); lo += n; changed = true; break; }
    }
    if (changed) continue;
    // Whole Latin words at either end.
    if (hi > lo) {
      let s = hi - 1;
      while (s > lo && word[s - 1] === word[hi - 1]) s--;
      const t = text(s, hi);
      if (LATIN_AUTHORITY_WORDS.has(t) && s - lo >= MIN_LEFT) { found.push(t, s, hi); hi = s; changed = true; continue; }
      let e = lo + 1;
      while (e < hi && word[e] === word[lo]) e++;
      const u = text(lo, e);
      if (LATIN_AUTHORITY_WORDS.has(u) && u !== 'v' && hi - e >= MIN_LEFT) { found.push(u, lo, e); lo = e; changed = true; continue; }
    }
    for (const g of LATIN_GLUED) {
      const n = g.length;
      if (hi - lo - n >= 3 && text(hi - n, hi) === g) { found.push(g, hi - n, hi); hi -= n; changed = true; break; }
      if (hi - lo - n >= 3 && text(lo, lo + n) === g) { found.push(g, lo, lo + n); lo += n; changed = true; break; }
    }
  }
  return [lo, hi];
}

/** The original text of a run of glyphs (a code point that expanded to several glyphs counts once). */
function uniqRaw(gs: Glyph[]): string {
  let s = '';
  let last = -1;
  for (const g of gs) if (g.pos !== last) { s += g.raw; last = g.pos; }
  return s;
}

/** Whether the glyphs from `at` spell `word`, each character itself or a look-alike (官方徽博 for 官方微博). */
function looksLike(glyphs: Glyph[], at: number, word: string): boolean {
  const table = cjkLookalikes();
  let i = at;
  for (const c of word) {
    const g = glyphs[i++];
    if (!g || (g.folded !== c && !table.get(c)?.has(g.folded))) return false;
  }
  return true;
}
