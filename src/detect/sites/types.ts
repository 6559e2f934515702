/**
 * What the site watch decides about each capture of a tracked site, and the page features it
 * compares. The classifier (this folder) is a pure function of the current answer, the site's
 * earlier captures and, where the blocking probe has measured the host, its verdict.
 */

export const SITE_VERDICTS = ['reachable', 'updated', 'defaced', 'injected', 'taken_down', 'down', 'blocked'] as const;
/**
 * reachable: the page is as before (boilerplate aside); updated: an ordinary content change;
 * defaced: main content replaced; injected: spam, hidden links, iframes or scripts added to an
 * otherwise unchanged page; taken_down: 404/410, parked or expired domain, shutdown or
 * ICP-revocation notice; down: no answer; blocked: the probe found the site blocked.
 */
export type SiteVerdict = (typeof SITE_VERDICTS)[number];

/** Verdicts that mean the site is fine: moving between them is not a state change worth an alert. */
export const HEALTHY_VERDICTS: ReadonlySet<SiteVerdict> = new Set(['reachable', 'updated']);

/** What one visit got back, before classification. */
export type FetchOutcome =
  | { kind: 'answer'; at: number; status: number; finalUrl: string; headers: Headers; body: Uint8Array; truncated: boolean }
  | { kind: 'failure'; at: number; code: string; message: string };

/** The blocking probe's latest verdict for the host, where it runs. */
export interface ProbeHint {
  measurementId: number;
  at: number;
  /** The probe's own words: e.g. "dns", "tcp_ip", "http-diff", "http-failure"; null when accessible. */
  blocking: string | null;
  accessible: boolean | null;
}

/** The verdict of one capture and the sentences that justify it. */
export interface Classification {
  verdict: SiteVerdict;
  reasons: string[];
  /** The change against the baseline (JSON-serialisable), when there was one to compare. */
  diff: unknown | null;
  /** Which earlier capture served as the baseline (index into the history given), or null. */
  baselineIndex: number | null;
}
