/**
 * The two look-alike tables, read once from the generated files beside this module:
 * confusables.txt (Unicode UTS #39, via ICU: scripts/build-confusables.ts) and
 * cjk-lookalikes.txt (measured on rendered glyphs: scripts/build-cjk-lookalikes.ts).
 */
import { readFileSync } from 'node:fs';

function lines(file: string): Array<{ text: string; line: number }> {
  const url = new URL(file, import.meta.url);
  return readFileSync(url, 'utf8').split('\n').map((text, i) => ({ text: text.trim(), line: i + 1 }))
    .filter((l) => l.text && !l.text.startsWith('#'));
}

function bad(file: string, line: number, why: string): Error {
  return new Error(`${file} line ${line}: ${why}; regenerate it with the script named in its header.`);
}

let confusables: Map<number, string> | null = null;
/** UTS #39 prototype of each code point that has one (code points that are their own NFD). */
export function confusableTable(): Map<number, string> {
  if (confusables) return confusables;
  const m = new Map<number, string>();
  for (const { text, line } of lines('./confusables.txt')) {
    const match = /^([0-9A-F]{4,6}) ;((?: [0-9A-F]{4,6})+)$/.exec(text);
    if (!match) throw bad('confusables.txt', line, `"${text}" is not "XXXX ; YYYY …"`);
    const target = match[2]!.trim().split(' ').map((h) => String.fromCodePoint(parseInt(h, 16))).join('');
    m.set(parseInt(match[1]!, 16), target);
  }
  confusables = m;
  return m;
}

let cjk: Map<string, Map<string, number>> | null = null;
/** For each common Chinese character, the characters that look like it and how much (0–1). */
export function cjkLookalikes(): Map<string, Map<string, number>> {
  if (cjk) return cjk;
  const m = new Map<string, Map<string, number>>();
  const add = (a: string, b: string, s: number) => {
    let t = m.get(a);
    if (!t) m.set(a, (t = new Map()));
    t.set(b, s);
  };
  for (const { text, line } of lines('./cjk-lookalikes.txt')) {
    const parts = text.split(' ');
    const sim = Number(parts[2]);
    if (parts.length !== 3 || [...parts[0]!].length !== 1 || [...parts[1]!].length !== 1 || !(sim > 0 && sim <= 1)) {
      throw bad('cjk-lookalikes.txt', line, `"${text}" is not "A B similarity"`);
    }
    add(parts[0]!, parts[1]!, sim);
    add(parts[1]!, parts[0]!, sim);
  }
  cjk = m;
  return m;
}

let classes: Map<string, string> | null = null;
/** Each look-alike CJK character's class (connected components of the table), named by its smallest member. */
export function lookalikeClasses(): Map<string, string> {
  if (classes) return classes;
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    for (let y = x; y !== r;) { const n = parent.get(y)!; parent.set(y, r); y = n; }
    return r;
  };
  const table = cjkLookalikes();
  for (const a of table.keys()) parent.set(a, a);
  for (const [a, others] of table) {
    for (const b of others.keys()) {
      const ra = find(a), rb = find(b);
      if (ra !== rb) { if (ra < rb) parent.set(rb, ra); else parent.set(ra, rb); }
    }
  }
  const m = new Map<string, string>();
  for (const x of parent.keys()) m.set(x, find(x));
  classes = m;
  return m;
}
