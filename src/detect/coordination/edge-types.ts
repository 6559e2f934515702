/**
 * What each coordination edge type means, in words a reader of a campaign page or evidence
 * report understands: the detector links two accounts when they did the same thing within its
 * sliding window (options.ts `windowSeconds`), and the edge's type says what that thing was.
 */
import { QUT_EDGE_TYPE, type EdgeType } from './networks.ts';

const WORDS: Record<EdgeType, string> = {
  similar: 'near-identical text',
  exact: 'same text',
  repost: 'reposted the same post',
  link: 'shared the same link',
  reply: 'replied to the same post',
  hashtags: 'same sequence of hashtags',
};

/** The detector's parameters a label can state (stored with each campaign since they were recorded). */
export interface EdgeTypeParams {
  windowSeconds?: number | null;
  similarity?: number | null;
}

/** Exported (QUT) edge type name → the detector's own type, e.g. `co_link` → `link`. */
export function edgeTypeOf(name: string): EdgeType | null {
  for (const [t, q] of Object.entries(QUT_EDGE_TYPE)) if (q === name || t === name) return t as EdgeType;
  return null;
}

/** A duration in the largest whole unit that states it exactly (3600 → "1 h", 90 → "90 s"). */
export function formatWindow(seconds: number): string {
  if (seconds >= 86_400 && seconds % 86_400 === 0) return `${seconds / 86_400} d`;
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/**
 * A label for an edge type, e.g. "near-identical text (Jaccard ≥ 0.8) within 1 h"; parameters
 * the finding did not record are left out rather than guessed. An unknown type reads as its
 * name with spaces.
 */
export function edgeTypeLabel(name: string, p: EdgeTypeParams = {}): string {
  const t = edgeTypeOf(name);
  if (!t) return name.replace(/_/g, ' ');
  const sim = t === 'similar' && p.similarity != null ? ` (Jaccard ≥ ${p.similarity})` : '';
  const win = p.windowSeconds != null && p.windowSeconds > 0 ? ` within ${formatWindow(p.windowSeconds)}` : '';
  return `${WORDS[t]}${sim}${win}`;
}
