/**
 * Text differences between two captures, on their normalised main-text lines (so a changed date
 * or counter is no difference): a bounded summary stored with each capture, and the hunks the
 * dashboard's visual diff renders. Line alignment is the `diff` package's (Myers).
 */
import { diffArrays } from 'diff';
import type { PageSnapshot } from './types.ts';
import { sketchSimilarity } from './normalise.ts';

/** The change between a baseline capture and the current one, as stored in `site_captures.diff`. */
export interface DiffSummary {
  added: number;
  removed: number;
  unchanged: number;
  /** Estimated Jaccard similarity of the main text (0..1, from the sketches). */
  similarity: number;
  /** Structural similarity (tag paths, 0..1). */
  structure: number;
  /** Up to 5 added and 5 removed lines, each cut at 160 characters. */
  addedSample: string[];
  removedSample: string[];
  title: { from: string; to: string } | null;
}

export interface DiffHunk {
  op: 'equal' | 'add' | 'remove';
  lines: string[];
}

/** Myers' edit search is quadratic at worst; beyond this many edits the change is "everything". */
const MAX_EDIT = 2_000;

/** Hunks turning `a` into `b` (plain data for the dashboard); whole replacement when they differ beyond measure. */
export function textDiff(a: readonly string[], b: readonly string[]): DiffHunk[] {
  const changes = diffArrays([...a], [...b], { maxEditLength: MAX_EDIT });
  if (!changes) {
    const out: DiffHunk[] = [];
    if (a.length) out.push({ op: 'remove', lines: [...a] });
    if (b.length) out.push({ op: 'add', lines: [...b] });
    return out;
  }
  return changes.map((c) => ({ op: c.added ? 'add' : c.removed ? 'remove' : 'equal', lines: c.value }));
}

/** A bounded summary of the change from snapshot `a` (baseline) to `b` (current). */
export function diffSummary(a: PageSnapshot, b: PageSnapshot): DiffSummary {
  let added = 0; let removed = 0; let unchanged = 0;
  const addedSample: string[] = []; const removedSample: string[] = [];
  for (const h of textDiff(a.lines, b.lines)) {
    if (h.op === 'equal') { unchanged += h.lines.length; continue; }
    const sample = h.op === 'add' ? addedSample : removedSample;
    if (h.op === 'add') added += h.lines.length; else removed += h.lines.length;
    for (const l of h.lines) if (sample.length < 5) sample.push(l.length > 160 ? `${l.slice(0, 159)}…` : l);
  }
  return {
    added, removed, unchanged,
    similarity: round(sketchSimilarity(a.sketch, b.sketch)),
    structure: round(sketchSimilarity(a.skeleton, b.skeleton)),
    addedSample, removedSample,
    title: a.titleNorm !== b.titleNorm ? { from: a.title, to: b.title } : null,
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
