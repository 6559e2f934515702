/**
 * The text difference the dashboard shows between two captures of a site, from their stored
 * snapshots (the page features the classifier compared).
 */
import { diffLines } from 'diff';
import { parseJson } from './api/common.ts';

export interface DiffPart { op: 'added' | 'removed' | 'same'; lines: string[] }

/** The main text a stored snapshot holds ('' when none). */
function textOf(snapshot: string | null): string {
  const v = parseJson(snapshot);
  return v && typeof v === 'object' && typeof (v as { text?: unknown }).text === 'string' ? (v as { text: string }).text : '';
}

/** Added, removed and unchanged runs of lines from capture a to capture b, and their counts. */
export function captureDiff(a: string | null, b: string | null): { parts: DiffPart[]; added: number; removed: number } {
  const parts: DiffPart[] = diffLines(textOf(a), textOf(b)).map((c) => ({
    op: c.added ? 'added' : c.removed ? 'removed' : 'same', lines: c.value.replace(/\n$/, '').split('\n'),
  }));
  const sum = (op: DiffPart['op']) => parts.filter((p) => p.op === op).reduce((k, p) => k + p.lines.length, 0);
  return { parts, added: sum('added'), removed: sum('removed') };
}
