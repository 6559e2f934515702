/**
 * Which characters a reader mistakes for which: keyboard neighbours (QWERTY, QWERTZ and AZERTY,
 * the layouts of the outlets' readers, as dnstwist uses), characters that look alike in a
 * browser's address bar (rn/m, 0/o, l/1, …), sound-alikes of transliteration (c/k, i/y, f/ph),
 * and a fold of non-ASCII letters to the ASCII letter they imitate (IDN homographs).
 */

const LAYOUTS = [
  ['1234567890-', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm'],
  ['1234567890', 'qwertzuiop', 'asdfghjkl', 'yxcvbnm'],
  ['1234567890', 'azertyuiop', 'qsdfghjklm', 'wxcvbn'],
];

function keyboardPairs(): Set<string> {
  const out = new Set<string>();
  for (const rows of LAYOUTS) {
    rows.forEach((row, r) => {
      for (let c = 0; c < row.length; c++) {
        const here = row[c]!;
        // Rows are staggered: a key touches the two keys above-right and below-left of it.
        const near = [row[c - 1], row[c + 1], rows[r - 1]?.[c], rows[r - 1]?.[c + 1], rows[r + 1]?.[c], rows[r + 1]?.[c - 1]];
        for (const n of near) if (n) { out.add(here + n); out.add(n + here); }
      }
    });
  }
  return out;
}

const KEYBOARD = keyboardPairs();

/** Single characters that look alike in lower-case sans-serif address bars. */
const VISUAL_1 = new Set(['0o', '1l', '1i', 'li', '5s', '6b', '9g', 'gq', 'uv', 'ce', 'nh', 'mn']
  .flatMap((p) => [p, p[1]! + p[0]!]));
/** A pair of characters that reads as one: "rn" as "m" (either way round). */
export const VISUAL_2: ReadonlyMap<string, string> = new Map([['rn', 'm'], ['vv', 'w'], ['cl', 'd'], ['nn', 'm'], ['ii', 'u']]);
/** Sound-alikes of transliteration (Cyrillic РБК written RBK or RBC; ph for f). */
const SOUND_1 = new Set(['ck', 'kq', 'sz', 'iy', 'vw', 'jy'].flatMap((p) => [p, p[1]! + p[0]!]));
export const SOUND_2: ReadonlyMap<string, string> = new Map([['ph', 'f'], ['ks', 'x'], ['ck', 'k'], ['ou', 'u']]);

const VOWELS = new Set('aeiou');

/** How a substitution of `a` by `b` may come about, cheapest explanation first. */
export function substitutionKind(a: string, b: string): 'visual' | 'keyboard' | 'sound' | 'vowel' | 'other' {
  const p = a + b;
  if (VISUAL_1.has(p)) return 'visual';
  if (KEYBOARD.has(p)) return 'keyboard';
  if (SOUND_1.has(p)) return 'sound';
  if (VOWELS.has(a) && VOWELS.has(b)) return 'vowel';
  return 'other';
}

/** True when `a` and `b` are neighbours on a common keyboard layout. */
export function keyboardNeighbours(a: string, b: string): boolean {
  return KEYBOARD.has(a + b);
}

/**
 * Non-ASCII letters that pass for ASCII ones in a domain name: Cyrillic and Greek letters drawn
 * like Latin ones (the single-letter prototypes of Unicode UTS #39 confusables for a–z), and
 * any Latin letter with diacritics (folded by canonical decomposition, é → e).
 */
const HOMOGLYPHS: Record<string, string> = {
  а: 'a', в: 'b', е: 'e', ё: 'e', һ: 'h', і: 'i', ї: 'i', ј: 'j', к: 'k', ӏ: 'l', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't',
  у: 'y', х: 'x', ѕ: 's', ԁ: 'd', ԛ: 'q', ԝ: 'w', ɡ: 'g', ո: 'n', ս: 'u', օ: 'o', ց: 'g', α: 'a', β: 'b', ε: 'e', ι: 'i',
  κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x', ɑ: 'a', ı: 'i', ȷ: 'j', ℓ: 'l', ｏ: 'o',
};

export interface FoldedChar { from: string; to: string; at: number }

/** Folds a Unicode label to ASCII look-alikes; returns the folded text and what was folded. */
export function foldHomoglyphs(label: string, skeleton?: (ch: string) => string | null): { text: string; folded: FoldedChar[] } {
  let text = '';
  const folded: FoldedChar[] = [];
  let at = 0;
  for (const ch of label) {
    at++;
    if (ch.charCodeAt(0) < 0x80) { text += ch; continue; }
    const to = HOMOGLYPHS[ch] ?? skeletonAscii(ch, skeleton) ?? stripMarks(ch);
    if (to) { text += to; folded.push({ from: ch, to, at }); } else text += ch;
  }
  return { text, folded };
}

function skeletonAscii(ch: string, skeleton?: (ch: string) => string | null): string | null {
  const s = skeleton?.(ch);
  return s && /^[a-z0-9]$/.test(s) ? s : null;
}

function stripMarks(ch: string): string | null {
  const base = ch.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
  return /^[a-z0-9]$/.test(base) ? base : null;
}

/** The visual skeleton an index key is made from: look-alike pairs and digits read as the letter they imitate. */
export function visualSkeleton(label: string): string {
  let s = label.replace(/-/g, '');
  for (const [pair, one] of VISUAL_2) s = s.split(pair).join(one);
  return s.replace(/0/g, 'o').replace(/[1i]/g, 'l').replace(/5/g, 's');
}
