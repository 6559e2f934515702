/**
 * Scoring site-watch captures against the simulated web's script: for every scripted state change,
 * the verdict of the first capture after it (right when it is one the change accepts); a confusion
 * matrix; verdicts on pages that only changed in ordinary ways; and, for the alert comparison with
 * the change-monitoring baseline, which captures would raise an alert without a real change.
 */
import { HEALTHY_VERDICTS, SITE_VERDICTS, type SiteVerdict } from '../../src/detect/sites/types.ts';
import { stateAt, stateChanges, type SimSite, type SiteState, type StateChange } from '../../src/collect/sim/web/index.ts';

/** One capture as the store keeps it, named by the simulated site it belongs to. */
export interface ScoredCapture {
  site: string;
  at: number;
  verdict: SiteVerdict;
}

export interface ChangeResult {
  change: StateChange;
  /** The first capture at or after the change (before the site's next change), or null when none was made. */
  verdict: SiteVerdict | null;
  right: boolean;
}

export interface Score {
  results: ChangeResult[];
  right: number;
  /** Scripted changes that had a capture to score. */
  scored: number;
  /** Changes no capture saw (the next change came first, or the run ended). */
  missed: number;
  /** expected (recoveries as "reachable|updated") → verdict → count. */
  confusion: Map<string, Map<string, number>>;
  /** Per change label: [right, scored]. */
  byLabel: Map<string, [number, number]>;
  /** Captures of a page in its normal state (news churn and ordinary updates included). */
  normalCaptures: number;
  /** ... of which were called defaced or injected (target 0), and anything not healthy. */
  normalDefacedOrInjected: number;
  normalUnhealthy: number;
  /** Ordinary-update changes whose first capture was called defaced. */
  updatesDefaced: number;
}

/** The class of a true state for alerting: healthy, or the kind of trouble. */
export function truthClass(s: SiteState): string {
  return s.kind === 'normal' ? 'healthy' : s.kind;
}

/** The class of a verdict for alerting: healthy (reachable or updated), or the verdict. */
export function verdictClass(v: SiteVerdict): string {
  return HEALTHY_VERDICTS.has(v) ? 'healthy' : v;
}

const groupOf = (c: StateChange) => (c.accepted.length > 1 ? c.accepted.join('|') : c.expected);

/** Scores `captures` (any order) against the script of `sites`. */
export function scoreCaptures(sites: readonly SimSite[], captures: readonly ScoredCapture[]): Score {
  const bySite = new Map<string, ScoredCapture[]>();
  for (const c of captures) {
    let list = bySite.get(c.site);
    if (!list) bySite.set(c.site, (list = []));
    list.push(c);
  }
  for (const list of bySite.values()) list.sort((a, b) => a.at - b.at);
  const lastAt = captures.reduce((m, c) => Math.max(m, c.at), -Infinity);
  const changes = stateChanges(sites, lastAt);
  const nextChangeAt = new Map<StateChange, number>();
  const perSite = new Map<string, StateChange[]>();
  for (const c of changes) {
    const l = perSite.get(c.site) ?? [];
    l.push(c);
    perSite.set(c.site, l);
  }
  for (const l of perSite.values()) l.forEach((c, i) => nextChangeAt.set(c, l[i + 1]?.at ?? Infinity));

  const results: ChangeResult[] = [];
  const confusion = new Map<string, Map<string, number>>();
  const byLabel = new Map<string, [number, number]>();
  let right = 0, scored = 0, missed = 0, updatesDefaced = 0;
  for (const change of changes) {
    const first = (bySite.get(change.site) ?? []).find((c) => c.at >= change.at);
    if (!first || first.at >= nextChangeAt.get(change)!) {
      missed++;
      results.push({ change, verdict: null, right: false });
      continue;
    }
    const ok = change.accepted.includes(first.verdict);
    results.push({ change, verdict: first.verdict, right: ok });
    scored++;
    if (ok) right++;
    const row = confusion.get(groupOf(change)) ?? new Map<string, number>();
    row.set(first.verdict, (row.get(first.verdict) ?? 0) + 1);
    confusion.set(groupOf(change), row);
    const l = byLabel.get(change.label) ?? [0, 0];
    byLabel.set(change.label, [l[0] + (ok ? 1 : 0), l[1] + 1]);
    if (change.label === 'ordinary update' && first.verdict === 'defaced') updatesDefaced++;
  }

  let normalCaptures = 0, normalDefacedOrInjected = 0, normalUnhealthy = 0;
  const siteById = new Map(sites.map((s) => [s.id, s]));
  for (const c of captures) {
    const site = siteById.get(c.site);
    if (!site || stateAt(site, c.at).kind !== 'normal') continue;
    normalCaptures++;
    if (c.verdict === 'defaced' || c.verdict === 'injected') normalDefacedOrInjected++;
    if (!HEALTHY_VERDICTS.has(c.verdict)) normalUnhealthy++;
  }
  return { results, right, scored, missed, confusion, byLabel, normalCaptures, normalDefacedOrInjected, normalUnhealthy, updatesDefaced };
}

export interface AlertScore {
  /** Alerts raised when the site's true class had changed since the previous capture. */
  truePositives: number;
  /** Alerts raised without such a change (news churn, ordinary updates, rotating boilerplate). */
  falseAlarms: number;
  /** Real class changes with no alert. */
  missed: number;
}

/**
 * Compares alerts with the truth, capture by capture: `alerted(site, i)` says whether the i-th
 * capture (in time order) of a site raised an alert; a real change is a change of the true class
 * (healthy, injected, defaced, gone, down, blocked) between the previous capture and this one.
 */
export function scoreAlerts(sites: readonly SimSite[], captures: readonly ScoredCapture[], alerted: (site: string, i: number, list: ScoredCapture[]) => boolean): AlertScore {
  const out: AlertScore = { truePositives: 0, falseAlarms: 0, missed: 0 };
  const siteById = new Map(sites.map((s) => [s.id, s]));
  const bySite = new Map<string, ScoredCapture[]>();
  for (const c of captures) bySite.set(c.site, [...(bySite.get(c.site) ?? []), c]);
  for (const [id, list] of bySite) {
    list.sort((a, b) => a.at - b.at);
    const site = siteById.get(id);
    if (!site) continue;
    for (let i = 1; i < list.length; i++) {
      const real = truthClass(stateAt(site, list[i - 1]!.at)) !== truthClass(stateAt(site, list[i]!.at));
      const alert = alerted(id, i, list);
      if (alert && real) out.truePositives++;
      else if (alert) out.falseAlarms++;
      else if (real) out.missed++;
    }
  }
  return out;
}

/** Our alerts: the watcher alerts when the verdict's class changes (src/detect/sites/types.ts HEALTHY_VERDICTS). */
export const verdictAlerts = (_site: string, i: number, list: ScoredCapture[]) => verdictClass(list[i]!.verdict) !== verdictClass(list[i - 1]!.verdict);

/** Prints a confusion matrix: one row per expected verdict, one column per verdict given. */
export function formatConfusion(confusion: Score['confusion']): string {
  const cols = SITE_VERDICTS.filter((v) => [...confusion.values()].some((r) => r.has(v)));
  const width = Math.max(18, ...[...confusion.keys()].map((k) => k.length + 1));
  const lines = [`${'expected \\ got'.padEnd(width)}${cols.map((c) => c.padStart(11)).join('')}`];
  for (const [exp, row] of [...confusion].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`${exp.padEnd(width)}${cols.map((c) => String(row.get(c) ?? 0).padStart(11)).join('')}`);
  }
  return lines.join('\n');
}
