/**
 * A site's timeline: its checks in time order merged into spans of one state and mechanism, so
 * each span's start is a change point (when it went dark, and how). Availability tracking
 * (`probe --every`) and stored measurements (`probe results`) both read sites this way.
 */

export interface TimelineCheck {
  at: number;
  /** reachable | blocked | down | unknown */
  state: string;
  how: string[];
}

export interface TimelineSpan {
  state: string;
  how: string[];
  from: number;
  to: number;
  checks: number;
}

/** Merges checks (already in time order) into spans of the same state and mechanism. */
export function mergeChecks(checks: Iterable<TimelineCheck>): TimelineSpan[] {
  const spans: TimelineSpan[] = [];
  for (const c of checks) {
    const last = spans[spans.length - 1];
    if (last && last.state === c.state && sameHow(last.how, c.how)) {
      last.to = c.at;
      last.checks++;
    } else {
      spans.push({ state: c.state, how: c.how, from: c.at, to: c.at, checks: 1 });
    }
  }
  return spans;
}

function sameHow(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
