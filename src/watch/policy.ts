/**
 * When to look at a post again. Deletions cluster early (5% of Weibo censorship within
 * 8 minutes, ~30% between 5 and 30 minutes, ~90% within a day), so the adaptive policy revisits
 * a post after a fixed share of its age: young posts often, old ones rarely, and never after the
 * horizon. The fixed policy (every N minutes, Weiboscope style) is the benchmark's baseline.
 */
export interface SchedulePolicy {
  kind: 'adaptive' | 'fixed';
  /** Adaptive: next check after `factor` × age, clamped to [minMs, maxMs]. */
  factor: number;
  minMs: number;
  maxMs: number;
  /** Fixed: every `fixedMs`. */
  fixedMs: number;
  /** Watching a post ends this long after it was posted (default 7 days). */
  horizonMs: number;
  /** Delay before the re-check that confirms a disappearance. */
  confirmMs: number;
  /**
   * Stretches every interval when the budget cannot keep up (set at run time by the watcher from
   * how late due checks are), for both policies: the adaptive one keeps its young-often shape and
   * the fixed one widens its interval evenly, instead of every post falling behind in a queue.
   */
  scale?: number;
}

export const DEFAULT_POLICY: SchedulePolicy = {
  kind: 'adaptive', factor: 0.25, minMs: 2 * 60_000, maxMs: 3 * 3_600_000, fixedMs: 30 * 60_000,
  horizonMs: 7 * 86_400_000, confirmMs: 60_000,
};

/** Milliseconds until the next check of a post of age `ageMs`. */
export function nextInterval(policy: SchedulePolicy, ageMs: number): number {
  if (policy.kind === 'fixed') return Math.round(policy.fixedMs * (policy.scale ?? 1));
  // Whole ms: times are integer columns (PostgreSQL refuses 1.5 ms in a bigint).
  return Math.min(Math.round(policy.maxMs * (policy.scale ?? 1)), Math.max(policy.minMs, Math.round(Math.max(0, ageMs) * policy.factor * (policy.scale ?? 1))));
}

/** Adjusts the scale from how late the oldest due check was (ms); the same rule for both policies. */
export function adjustScale(policy: SchedulePolicy, lagMs: number): void {
  const scale = policy.scale ?? 1;
  // Lateness is judged against the shortest interval the policy uses.
  const unit = policy.kind === 'fixed' ? policy.fixedMs : policy.minMs;
  if (lagMs > unit / 2) policy.scale = Math.min(50, scale * 1.05);
  else if (lagMs < unit / 10) policy.scale = Math.max(1, scale / 1.01);
}

/** Backoff after transient failures: 1, 2, 4 … minutes, never later than the regular interval. */
export function transientDelay(policy: SchedulePolicy, ageMs: number, streak: number): number {
  return Math.min(nextInterval(policy, ageMs), 60_000 * 2 ** Math.min(streak, 10));
}
