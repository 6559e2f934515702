/** Scores detected campaigns against a synthetic data set's ground truth. */
import type { SyntheticTruth } from './generate.ts';

export interface DetectedCampaign {
  accounts: string[];
  /** Evidence post pairs as platform post ids. */
  pairs: Array<[string, string]>;
}

export interface Scores {
  campaignPrecision: number;
  campaignRecall: number;
  pairPrecision: number;
  pairRecall: number;
  detected: number;
  planted: number;
}

function jaccardSets(a: Set<string>, b: Set<string>): number {
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  return inter / (a.size + b.size - inter || 1);
}

/**
 * A detected campaign matches a planted one when their account sets overlap with Jaccard
 * ≥ 0.5 (each planted campaign matches at most one detection). Pairs are unordered post pairs.
 */
export function scoreCampaigns(truth: SyntheticTruth, detected: DetectedCampaign[]): Scores {
  const planted = truth.campaigns.map((c) => new Set(c.accounts));
  const found = detected.map((d) => new Set(d.accounts));
  const used = new Set<number>();
  let matched = 0;
  for (const f of found) {
    let best = -1;
    let bestJ = 0.5;
    planted.forEach((p, i) => {
      if (used.has(i)) return;
      const j = jaccardSets(f, p);
      if (j >= bestJ) {
        best = i;
        bestJ = j;
      }
    });
    if (best >= 0) {
      used.add(best);
      matched++;
    }
  }
  const key = ([a, b]: [string, string]) => (a < b ? `${a}|${b}` : `${b}|${a}`);
  const truthPairs = new Set(truth.pairs.map(key));
  const detectedPairs = new Set(detected.flatMap((d) => d.pairs.map(key)));
  let tp = 0;
  for (const p of detectedPairs) if (truthPairs.has(p)) tp++;
  return {
    campaignPrecision: found.length ? matched / found.length : 1,
    campaignRecall: planted.length ? used.size / planted.length : 1,
    pairPrecision: detectedPairs.size ? tp / detectedPairs.size : 1,
    pairRecall: truthPairs.size ? tp / truthPairs.size : 1,
    detected: found.length,
    planted: planted.length,
  };
}
