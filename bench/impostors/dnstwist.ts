/**
 * The baseline: a re-implementation of dnstwist's permutation fuzzers (its published algorithm,
 * dnstwist 20221213): addition, bitsquatting, cyrillic, homoglyph (two passes over windows),
 * hyphenation, insertion, omission, repetition, replacement, subdomain, transposition,
 * vowel-swap, tld-swap with a TLD dictionary, and its "various" forms. The keyboards are the
 * same three layouts; the homoglyph table is ours (src/detect/impostors/domain-lookalike.ts plus every
 * Latin letter with diacritics), not dnstwist's, so the homoglyph fuzzer's output differs in
 * which accented letters it tries; it finds none of the Doppelganger domains either way (they are
 * ASCII). A domain is flagged when it is one of the permutations of a protected domain.
 */
import { parse } from 'tldts';
import { VISUAL_2 } from '../../src/detect/impostors/domain-lookalike.ts';

const ROWS = [
  ['1234567890', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm'],
  ['1234567890', 'qwertzuiop', 'asdfghjkl', 'yxcvbnm'],
  ['1234567890', 'azertyuiop', 'qsdfghjklm', 'wxcvbn'],
];

function layout(rows: string[]): Map<string, string> {
  const out = new Map<string, string>();
  rows.forEach((row, r) => {
    for (let c = 0; c < row.length; c++) {
      const near = [rows[r - 1]?.[c], rows[r - 1]?.[c + 1], row[c + 1], row[c - 1], rows[r + 1]?.[c], rows[r + 1]?.[c - 1]];
      out.set(row[c]!, near.filter((x): x is string => Boolean(x)).join(''));
    }
  });
  return out;
}
const KEYBOARDS = ROWS.map(layout);

/** Look-alikes per ASCII character: digit/letter pairs, two-letter forms, Cyrillic and Greek, and Latin letters with diacritics. */
function glyphTable(): Map<string, string[]> {
  const t = new Map<string, Set<string>>();
  const add = (a: string, g: string) => { if (!t.has(a)) t.set(a, new Set()); t.get(a)!.add(g); };
  for (const [a, b] of [['0', 'o'], ['1', 'l'], ['1', 'i'], ['l', 'i'], ['5', 's'], ['6', 'b'], ['9', 'g'], ['g', 'q'], ['c', 'e'], ['b', 'd'], ['m', 'n']]) { add(a!, b!); add(b!, a!); }
  for (const [pair, one] of VISUAL_2) add(one, pair);
  for (const [cy, lat] of Object.entries(CYRILLIC)) add(lat, cy);
  for (let cp = 0xc0; cp <= 0x24f; cp++) {
    const ch = String.fromCodePoint(cp).toLowerCase();
    const base = ch.normalize('NFKD').replace(/\p{M}/gu, '');
    if (/^[a-z]$/.test(base) && ch !== base) add(base, ch);
  }
  return new Map([...t].map(([k, v]) => [k, [...v]]));
}

const CYRILLIC: Record<string, string> = {
  а: 'a', с: 'c', ԁ: 'd', е: 'e', һ: 'h', і: 'i', ј: 'j', к: 'k', ӏ: 'l', м: 'm', о: 'o', р: 'p', ԛ: 'q', ѕ: 's', т: 't', ѵ: 'v', ԝ: 'w', х: 'x', у: 'y',
};
const LATIN_TO_CYRILLIC = new Map(Object.entries(CYRILLIC).map(([c, l]) => [l, c]));
const GLYPHS = glyphTable();
const VOWELS = 'aeiou';
const DNS_CHARS = new Set('abcdefghijklmnopqrstuvwxyz0123456789-');

/** The fuzzers, each a function of the name (the label before the suffix). */
const FUZZERS: Record<string, (d: string) => Iterable<string>> = {
  addition: (d) => [...'0123456789abcdefghijklmnopqrstuvwxyz'].map((c) => d + c),
  bitsquatting: function* (d) {
    for (let i = 0; i < d.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const b = String.fromCharCode(d.charCodeAt(i) ^ (1 << bit));
        if (DNS_CHARS.has(b)) yield d.slice(0, i) + b + d.slice(i + 1);
      }
    }
  },
  cyrillic: (d) => {
    const c = [...d].map((ch) => LATIN_TO_CYRILLIC.get(ch) ?? ch).join('');
    return [...c].every((ch, i) => ch !== d[i]) ? [c] : [];
  },
  homoglyph: (d) => {
    const mix = (s: string): Set<string> => {
      const out = new Set<string>();
      const chars = [...s];
      for (let w = 1; w < chars.length; w++) {
        for (let i = 0; i + w <= chars.length; i++) {
          const pre = chars.slice(0, i).join('');
          const win = chars.slice(i, i + w);
          const suf = chars.slice(i + w).join('');
          for (const c of new Set(win)) for (const g of GLYPHS.get(c) ?? []) out.add(pre + win.map((x) => (x === c ? g : x)).join('') + suf);
        }
      }
      return out;
    };
    const first = mix(d);
    const all = new Set(first);
    for (const r of first) for (const x of mix(r)) all.add(x);
    return all;
  },
  hyphenation: (d) => Array.from({ length: d.length - 1 }, (_, i) => `${d.slice(0, i + 1)}-${d.slice(i + 1)}`),
  insertion: function* (d) {
    for (let i = 1; i < d.length - 1; i++) {
      for (const kb of KEYBOARDS) {
        for (const c of kb.get(d[i]!) ?? '') {
          yield d.slice(0, i) + c + d[i] + d.slice(i + 1);
          yield d.slice(0, i) + d[i] + c + d.slice(i + 1);
        }
      }
    }
  },
  omission: (d) => Array.from({ length: d.length }, (_, i) => d.slice(0, i) + d.slice(i + 1)),
  repetition: (d) => Array.from({ length: d.length }, (_, i) => d.slice(0, i) + d[i] + d.slice(i)),
  replacement: function* (d) {
    for (let i = 0; i < d.length; i++) for (const kb of KEYBOARDS) for (const r of kb.get(d[i]!) ?? '') yield d.slice(0, i) + r + d.slice(i + 1);
  },
  subdomain: function* (d) {
    for (let i = 1; i < d.length - 1; i++) if (!'-.'.includes(d[i]!) && !'-.'.includes(d[i - 1]!)) yield `${d.slice(0, i)}.${d.slice(i)}`;
  },
  transposition: (d) => Array.from({ length: d.length - 1 }, (_, i) => d.slice(0, i) + d[i + 1] + d[i] + d.slice(i + 2)),
  'vowel-swap': function* (d) {
    for (let i = 0; i < d.length; i++) if (VOWELS.includes(d[i]!)) for (const v of VOWELS) yield d.slice(0, i) + v + d.slice(i + 1);
  },
};

/** Splits a domain as dnstwist does: subdomain, name, and suffix (public suffix, private ones included). */
export function split(domain: string): { sub: string; name: string; tld: string } {
  const p = parse(domain, { allowPrivateDomains: true });
  return { sub: p.subdomain ?? '', name: p.domainWithoutSuffix ?? domain, tld: p.publicSuffix ?? '' };
}

/** Every permutation dnstwist would generate for `domain` with the given TLD dictionary (lower-case, Unicode). */
export function permutations(domain: string, tlds: string[]): Set<string> {
  const { sub, name, tld } = split(domain);
  const join = (...parts: string[]) => parts.filter(Boolean).join('.');
  const out = new Set<string>();
  for (const f of Object.values(FUZZERS)) for (const d of f(name)) out.add(join(sub, d, tld));
  for (const t of tlds) if (t !== tld) out.add(join(sub, name, t));
  // dnstwist's "various": the suffix glued to the name, or its last label alone.
  if (tld.includes('.')) { out.add(join(sub, name, tld.split('.').pop()!)); out.add(join(sub, name + tld)); }
  else out.add(join(sub, name + tld, tld));
  if (tld !== 'com' && !tld.includes('.')) out.add(join(sub, `${name}-${tld}`, 'com'));
  out.delete(domain);
  return out;
}
