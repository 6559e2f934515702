/**
 * The two look-alike tables, read once from the generated files beside this module:
 * confusables.txt (Unicode UTS #39, via ICU: scripts/build-confusables.ts) and
 * cjk-lookalikes.txt (measured on rendered glyphs: scripts/build-cjk-lookalikes.ts).
 */
import { readFileSync } from 'node:fs';
import { toSimplified } from '../../coordination/normalise.ts';

function lines(text: string): Array<{ text: string; line: number }> {
  return text.split('\n').map((t, i) => ({ text: t.trim(), line: i + 1 }))
    .filter((l) => l.text && !l.text.startsWith('#'));
}

function read(file: string): string {
  return readFileSync(new URL(file, import.meta.url), 'utf8');
}

function bad(file: string, line: number, why: string): Error {
  return new Error(`${file} line ${line}: ${why}; regenerate it with the script named in its header.`);
}

/** Parses confusables.txt ("XXXX ; YYYY …" lines); throws naming the file and line of a bad one. */
export function parseConfusables(text: string, file = 'confusables.txt'): Map<number, string> {
  const m = new Map<number, string>();
  for (const { text: t, line } of lines(text)) {
    const match = /^([0-9A-F]{4,6}) ;((?: [0-9A-F]{4,6})+)$/.exec(t);
    if (!match) throw bad(file, line, `"${t}" is not "XXXX ; YYYY …" (hex code points)`);
    const target = match[2]!.trim().split(' ').map((h) => String.fromCodePoint(parseInt(h, 16))).join('');
    m.set(parseInt(match[1]!, 16), target);
  }
  return m;
}

/** Parses cjk-lookalikes.txt ("A B similarity" lines) into a symmetric map; throws naming the file and line of a bad one. */
export function parseCjkLookalikes(text: string, file = 'cjk-lookalikes.txt'): Map<string, Map<string, number>> {
  const m = new Map<string, Map<string, number>>();
  const add = (a: string, b: string, s: number) => {
    let t = m.get(a);
    if (!t) m.set(a, (t = new Map()));
    t.set(b, s);
  };
  for (const { text: t, line } of lines(text)) {
    const parts = t.split(' ');
    const sim = Number(parts[2]);
    if (parts.length !== 3 || [...parts[0]!].length !== 1 || [...parts[1]!].length !== 1 || !(sim > 0 && sim <= 1)) {
      throw bad(file, line, `"${t}" is not "A B similarity" (two characters and a number in (0, 1])`);
    }
    add(parts[0]!, parts[1]!, sim);
    add(parts[1]!, parts[0]!, sim);
  }
  return m;
}

let confusables: Map<number, string> | null = null;
/** UTS #39 prototype of each code point that has one (code points that are their own NFD). */
export function confusableTable(): Map<number, string> {
  confusables ??= parseConfusables(read('./confusables.txt'));
  return confusables;
}

let cjk: Map<string, Map<string, number>> | null = null;
/** For each Chinese character, the characters that look like it and how much (0–1). */
export function cjkLookalikes(): Map<string, Map<string, number>> {
  if (cjk) return cjk;
  const m = parseCjkLookalikes(read('./cjk-lookalikes.txt'));
  const add = (a: string, b: string, s: number) => {
    let t = m.get(a);
    if (!t) m.set(a, (t = new Map()));
    t.set(b, s);
  };
  // A character that looks like a Traditional form looks like its Simplified one to a reader who
  // reads both (埸 for 場, so for 场): names are compared after Traditional → Simplified.
  for (const [a, others] of [...m]) {
    const sa = toSimplified(a);
    if (sa === a) continue;
    for (const [b, sim] of others) {
      if (b === sa || m.get(sa)?.has(b)) continue;
      add(sa, b, sim);
      add(b, sa, sim);
      viaTraditional.set(`${sa}${b}`, a);
      viaTraditional.set(`${b}${sa}`, a);
    }
  }
  cjk = m;
  return m;
}

const viaTraditional = new Map<string, string>();
/** The Traditional form through which `a` and `b` look alike (場 for 场/埸), if that is how they do. */
export function lookalikeVia(a: string, b: string): string | undefined {
  cjkLookalikes();
  return viaTraditional.get(`${a}${b}`);
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
