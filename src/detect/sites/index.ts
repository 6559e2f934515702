/**
 * Site watch (issue 15): what happened to each tracked site itself. The classifier (classify.ts)
 * gives each capture a verdict with reasons; this detector turns the captures' state changes into
 * findings of kind `site` (findings.ts).
 */
import type { Detector } from '../detector.ts';
import { runSites, type SitesOptions, type SitesResult } from './findings.ts';

export { runSites, siteFinding, isStateChange, SITE_KIND, SEVERITY, type SiteFindingEvidence } from './findings.ts';
export { classifyCapture, snapshotOf, type CaptureHistory, type ClassifyOptions } from './classify.ts';
export { diffSummary, textDiff, type DiffSummary, type DiffHunk } from './diff.ts';

/** The site detector, for scheduled runs: rebuilds the `site` findings from the stored captures. */
export const sitesDetector: Detector<SitesOptions, SitesResult> = {
  name: 'site',
  description: 'State changes of tracked sites (defaced, injected spam, taken down, down, blocked, and back), one finding per change, with the classifier\'s reasons.',
  defaults: {},
  run: (store, options, progress) => runSites(store, options, progress),
};
