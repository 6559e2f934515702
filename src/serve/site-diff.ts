/**
 * The text difference the dashboard shows between two captures of a site: the hunks of the
 * classifier's textDiff over the two stored snapshots' normalised main-text lines.
 */
import { diffArrays } from 'diff';
import { parseJson } from './api/common.ts';

export interface DiffHunk { op: 'equal' | 'add' | 'remove'; lines: string[] }

/** The main-text lines a stored snapshot holds (none when it holds none). */
export function snapshotLines(snapshot: string | null): string[] {
  const v = parseJson(snapshot);
  const lines = v && typeof v === 'object' ? (v as { lines?: unknown }).lines : null;
  return Array.isArray(lines) ? lines.map(String) : [];
}

/** Hunks from capture a's lines to capture b's, and the counts of lines added and removed. */
export function captureDiff(a: string | null, b: string | null): { hunks: DiffHunk[]; added: number; removed: number } {
  const hunks: DiffHunk[] = diffArrays(snapshotLines(a), snapshotLines(b)).map((c) => ({ op: c.added ? 'add' : c.removed ? 'remove' : 'equal', lines: c.value }));
  const sum = (op: DiffHunk['op']) => hunks.filter((p) => p.op === op).reduce((k, p) => k + p.lines.length, 0);
  return { hunks, added: sum('add'), removed: sum('remove') };
}
