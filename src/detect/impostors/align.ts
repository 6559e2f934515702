/**
 * The cheapest way to turn a protected label into a look-alike one, with every step named so a
 * reader can check it: a weighted Damerau–Levenshtein alignment whose costs say how easily a
 * reader misses each edit (a look-alike letter costs less than an arbitrary one), plus the
 * two-for-one look-alikes (rn for m) and hyphenation.
 */
import { substitutionKind, keyboardNeighbours, VISUAL_2, SOUND_2 } from './lookalike.ts';

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

/**
 * Aligns `target` (the protected label) to `found` (the suspect label); positions in reasons are
 * 1-based in `found`. Returns null when the cheapest alignment costs more than `budget`.
 */
export function align(target: string, found: string, budget = Infinity): Alignment | null {
  const t = target;
  const q = found;
  const n = t.length;
  const m = q.length;
  if (Math.abs(n - m) * COST.hyphen > budget + 1e-9) return null;
  const W = m + 1;
  const dp = new Float64Array((n + 1) * W).fill(Infinity);
  const back: Array<{ pi: number; pj: number; edit: Edit | null } | undefined> = new Array((n + 1) * W);
  dp[0] = 0;
  for (let i = 0; i <= n; i++) {
    for (let j = 0; j <= m; j++) {
      const here = dp[i * W + j]!;
      if (!(here <= budget + 1e-9)) continue; // nothing over budget can come back under it
      const relax = (ni: number, nj: number, edit: Edit | null) => {
        const c = here + (edit?.cost ?? 0);
        if (c < dp[ni * W + nj]! - 1e-12) { dp[ni * W + nj] = c; back[ni * W + nj] = { pi: i, pj: j, edit }; }
      };
      if (i < n && j < m) {
        const a = t[i]!;
        const b = q[j]!;
        if (a === b) relax(i + 1, j + 1, null);
        else relax(i + 1, j + 1, substitution(a, b, j + 1));
        if (i + 1 < n && j + 1 < m && a === q[j + 1] && t[i + 1] === b && a !== b) {
          relax(i + 2, j + 2, { kind: 'transposition', cost: COST.transposition, reason: `swapped ${q1(a + t[i + 1])}→${q1(b + q[j + 1])} at ${j + 1}`, typo: true });
        }
      }
      // Two characters read as one, either way round (rn for m; m for rn), and sound-alike pairs (ph for f).
      if (i < n && j + 1 < m) {
        const pair = q.slice(j, j + 2);
        if (VISUAL_2.get(pair) === t[i]) relax(i + 1, j + 2, { kind: 'visual', cost: COST.visual, reason: `${q1(t[i]!)}→${q1(pair)} at ${j + 1} (looks alike)`, typo: false });
        else if (SOUND_2.get(pair) === t[i]) relax(i + 1, j + 2, { kind: 'sound', cost: COST.sound, reason: `${q1(t[i]!)}→${q1(pair)} at ${j + 1} (sounds alike)`, typo: false });
      }
      if (i + 1 < n && j < m) {
        const pair = t.slice(i, i + 2);
        if (VISUAL_2.get(pair) === q[j]) relax(i + 2, j + 1, { kind: 'visual', cost: COST.visual, reason: `${q1(pair)}→${q1(q[j]!)} at ${j + 1} (looks alike)`, typo: false });
        else if (SOUND_2.get(pair) === q[j]) relax(i + 2, j + 1, { kind: 'sound', cost: COST.sound, reason: `${q1(pair)}→${q1(q[j]!)} at ${j + 1} (sounds alike)`, typo: false });
      }
      if (j < m) relax(i, j + 1, insertion(t, q, i, j));
      if (i < n) relax(i + 1, j, omission(t, i, j));
    }
  }
  const total = dp[n * W + m]!;
  if (!(total <= budget + 1e-9)) return null;
  const edits: Edit[] = [];
  let i = n;
  let j = m;
  while (i > 0 || j > 0) {
    const b = back[i * W + j]!;
    if (b.edit) edits.push(b.edit);
    i = b.pi;
    j = b.pj;
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
