/**
 * The cheapest way to turn a protected label into a look-alike one, with every step named so a
 * reader can check it: a weighted Damerau–Levenshtein alignment whose costs say how easily a
 * reader misses each edit (a look-alike letter costs less than an arbitrary one), plus the
 * two-for-one look-alikes (rn for m) and hyphenation.
 */
import { substitutionKind, keyboardNeighbours, VISUAL_2, SOUND_2 } from './domain-lookalike.ts';

/** What each kind of edit costs: lower is harder for a reader to notice. */
export const COST = {
  visual: 0.3, hyphen: 0.3, repetition: 0.5, keyboard: 0.5, sound: 0.6, transposition: 0.6, vowel: 0.7,
  keyboardInsertion: 0.7, other: 0.9,
} as const;

export type EditKind = 'substitution' | 'insertion' | 'omission' | 'transposition' | 'hyphenation' | 'repetition' | 'visual' | 'sound';

export interface Edit {
  kind: EditKind;
  cost: number;
  /** A sentence-fragment a reader can check against the two names. */
  reason: string;
  /** Keyboard or other typo edits (not look-alikes): short names only tolerate look-alikes. */
  typo: boolean;
}

export interface Alignment { cost: number; edits: Edit[] }

const q1 = (s: string) => `'${s}'`;

// Step codes of the alignment's back-pointers.
const MATCH = 1, SUB = 2, SWAP = 3, FOUND_PAIR = 4, TARGET_PAIR = 5, INSERT = 6, OMIT = 7;

/** Cost of substituting ASCII `a` by `b`, precomputed (the alignment's inner loop reads it per cell). */
const SUB_COST = (() => {
  const t = new Float64Array(128 * 128).fill(COST.other);
  for (let a = 0; a < 128; a++) for (let b = 0; b < 128; b++) {
    if (a === b) { t[a * 128 + b] = 0; continue; }
    const x = String.fromCharCode(a);
    const y = String.fromCharCode(b);
    t[a * 128 + b] = x === '-' || y === '-' ? COST.hyphen + COST.other : substitution(x, y, 0).cost;
  }
  return t;
})();

const subCost = (a: string, b: string) => {
  const x = a.charCodeAt(0);
  const y = b.charCodeAt(0);
  return x < 128 && y < 128 ? SUB_COST[x * 128 + y]! : a === b ? 0 : COST.other;
};

/**
 * Aligns `target` (the protected label) to `found` (the suspect label); positions in reasons are
 * 1-based in `found`. Returns null when the cheapest alignment costs more than `budget`.
 */
export function align(target: string, found: string, budget = Infinity): Alignment | null {
  const t = target;
  const q = found;
  const n = t.length;
  const m = q.length;
  const limit = budget + 1e-9;
  if (Math.abs(n - m) * COST.hyphen > limit) return null;
  const W = m + 1;
  const dp = new Float64Array((n + 1) * W).fill(Infinity);
  const step = new Uint8Array((n + 1) * W);
  dp[0] = 0;
  const relax = (cell: number, c: number, code: number) => {
    if (c < dp[cell]! - 1e-12) { dp[cell] = c; step[cell] = code; }
  };
  for (let i = 0; i <= n; i++) {
    for (let j = 0; j <= m; j++) {
      const here = dp[i * W + j]!;
      if (!(here <= limit)) continue; // nothing over budget can come back under it
      if (i < n && j < m) {
        const a = t[i]!;
        const b = q[j]!;
        relax((i + 1) * W + j + 1, here + (a === b ? 0 : subCost(a, b)), a === b ? MATCH : SUB);
        if (a !== b && i + 1 < n && j + 1 < m && a === q[j + 1] && t[i + 1] === b) relax((i + 2) * W + j + 2, here + COST.transposition, SWAP);
        if (j + 1 < m) {
          const pair = q[j]! + q[j + 1]!;
          if (VISUAL_2.get(pair) === a) relax((i + 1) * W + j + 2, here + COST.visual, FOUND_PAIR);
          else if (SOUND_2.get(pair) === a) relax((i + 1) * W + j + 2, here + COST.sound, FOUND_PAIR);
        }
        if (i + 1 < n) {
          const pair = a + t[i + 1]!;
          if (VISUAL_2.get(pair) === b) relax((i + 2) * W + j + 1, here + COST.visual, TARGET_PAIR);
          else if (SOUND_2.get(pair) === b) relax((i + 2) * W + j + 1, here + COST.sound, TARGET_PAIR);
        }
      }
      if (j < m) relax(i * W + j + 1, here + insertionCost(t, q, i, j), INSERT);
      if (i < n) relax((i + 1) * W + j, here + omissionCost(t, i), OMIT);
    }
  }
  const total = dp[n * W + m]!;
  if (!(total <= limit)) return null;
  const edits: Edit[] = [];
  let i = n;
  let j = m;
  while (i > 0 || j > 0) {
    const code = step[i * W + j]!;
    if (code === MATCH) { i--; j--; continue; }
    if (code === SUB) { i--; j--; edits.push(substitution(t[i]!, q[j]!, j + 1)); continue; }
    if (code === SWAP) {
      i -= 2; j -= 2;
      edits.push({ kind: 'transposition', cost: COST.transposition, reason: `swapped ${q1(t[i]! + t[i + 1]!)}→${q1(q[j]! + q[j + 1]!)} at ${j + 1}`, typo: true });
      continue;
    }
    if (code === FOUND_PAIR) {
      i -= 1; j -= 2;
      const pair = q.slice(j, j + 2);
      const visual = VISUAL_2.get(pair) === t[i];
      edits.push({ kind: visual ? 'visual' : 'sound', cost: visual ? COST.visual : COST.sound, reason: `${q1(t[i]!)}→${q1(pair)} at ${j + 1} (${visual ? 'looks' : 'sounds'} alike)`, typo: false });
      continue;
    }
    if (code === TARGET_PAIR) {
      i -= 2; j -= 1;
      const pair = t.slice(i, i + 2);
      const visual = VISUAL_2.get(pair) === q[j];
      edits.push({ kind: visual ? 'visual' : 'sound', cost: visual ? COST.visual : COST.sound, reason: `${q1(pair)}→${q1(q[j]!)} at ${j + 1} (${visual ? 'looks' : 'sounds'} alike)`, typo: false });
      continue;
    }
    if (code === INSERT) { j--; edits.push(insertion(t, q, i, j)); continue; }
    i--;
    edits.push(omission(t, i, j));
  }
  return { cost: Math.round(total * 100) / 100, edits: edits.reverse() };
}

function substitution(a: string, b: string, at: number): Edit {
  if (a === '-' || b === '-') return { kind: 'hyphenation', cost: COST.hyphen + COST.other, reason: `${q1(a)}→${q1(b)} at ${at}`, typo: true };
  const kind = substitutionKind(a, b);
  const note = { visual: ' (looks alike)', keyboard: ' (keyboard neighbour)', sound: ' (sounds alike)', vowel: ' (vowel swap)', other: '' }[kind];
  const cost = kind === 'visual' ? COST.visual : kind === 'keyboard' ? COST.keyboard : kind === 'sound' ? COST.sound : kind === 'vowel' ? COST.vowel : COST.other;
  return { kind: kind === 'visual' ? 'visual' : kind === 'sound' ? 'sound' : 'substitution', cost, reason: `${q1(a)}→${q1(b)} at ${at}${note}`, typo: kind !== 'visual' && kind !== 'sound' };
}

/** What inserting q[j] costs (the same cases as `insertion`, without building its reason). */
function insertionCost(t: string, q: string, i: number, j: number): number {
  const c = q[j]!;
  if (c === '-') return COST.hyphen;
  if (q[j - 1] === c || q[j + 1] === c) return COST.repetition;
  return (i > 0 && keyboardNeighbours(t[i - 1]!, c)) || (i < t.length && keyboardNeighbours(t[i]!, c)) ? COST.keyboardInsertion : COST.other;
}

/** What omitting t[i] costs (the same cases as `omission`). */
function omissionCost(t: string, i: number): number {
  const c = t[i]!;
  if (c === '-') return COST.hyphen;
  return t[i - 1] === c || t[i + 1] === c ? COST.repetition : COST.other;
}

function insertion(t: string, q: string, i: number, j: number): Edit {
  const c = q[j]!;
  const at = j + 1;
  if (c === '-') return { kind: 'hyphenation', cost: COST.hyphen, reason: `inserted a hyphen at ${at}`, typo: false };
  // A doubled letter: the inserted one repeats its neighbour in the found label.
  if (q[j - 1] === c || q[j + 1] === c) return { kind: 'repetition', cost: COST.repetition, reason: `repeated ${q1(c)} at ${at}`, typo: true };
  const near = [t[i - 1], t[i]].some((x) => x !== undefined && keyboardNeighbours(x, c));
  return near
    ? { kind: 'insertion', cost: COST.keyboardInsertion, reason: `inserted ${q1(c)} at ${at} (keyboard neighbour)`, typo: true }
    : { kind: 'insertion', cost: COST.other, reason: `inserted ${q1(c)} at ${at}`, typo: true };
}

function omission(t: string, i: number, j: number): Edit {
  const c = t[i]!;
  const after = j === 0 ? 'at the start' : `after ${j}`;
  if (c === '-') return { kind: 'hyphenation', cost: COST.hyphen, reason: `removed the hyphen ${after}`, typo: false };
  if (t[i - 1] === c || t[i + 1] === c) return { kind: 'omission', cost: COST.repetition, reason: `dropped one ${q1(c)} of a double letter ${after}`, typo: true };
  return { kind: 'omission', cost: COST.other, reason: `omitted ${q1(c)} ${after}`, typo: true };
}
