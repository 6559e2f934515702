/**
 * One measured detection run in its own process (so peak RSS is the detector's alone):
 * runs coordination on the store, scores it against the truth file, prints one JSON line.
 * With --baseline, also runs the brute-force all-pairs-in-window comparison (QUT-style).
 */
import { readFileSync } from 'node:fs';
import { openStore } from '../../src/store/open.ts';
import { runCoordination } from '../../src/detect/coordination/index.ts';
import { resultDigest } from '../../src/detect/coordination/canonical.ts';
import { collectPairs } from '../../src/detect/coordination/engine.ts';
import { resolveOptions } from '../../src/detect/coordination/options.ts';
import { readPosts } from '../../src/detect/coordination/read.ts';
import { scoreCampaigns } from '../../src/collect/synthetic/evaluate.ts';
import type { SyntheticTruth } from '../../src/collect/synthetic/generate.ts';
import { bruteForcePairs } from './brute.ts';

const [db, truthFile, ...flags] = process.argv.slice(2);
const store = await openStore({ db });
const truth = JSON.parse(readFileSync(truthFile, 'utf8')) as SyntheticTruth;
const window = 3600;
const cpu0 = process.cpuUsage();
// --engine=memory runs the pre-streaming whole-corpus engine (the old path, for the old-vs-new check).
const engine = flags.includes('--engine=memory') ? 'memory' : 'stream';
const res = await runCoordination(store, { windowSeconds: window, similarity: 0.8, minWeight: 2, maxEvidence: 1_000_000 }, undefined, engine);
const rssDetect = process.resourceUsage().maxRSS * 1024;
const cpu = process.cpuUsage(cpu0);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;

// Map store post ids in evidence to platform ids for scoring.
const ids = [...new Set(res.details.flatMap((c) => c.edges.flatMap((e) => e.evidence.flat())))];
const platform = new Map<number, string>();
for (let i = 0; i < ids.length; i += 500) {
  const rows = await store.db.selectFrom('posts').select(['id', 'platform_post_id']).where('id', 'in', ids.slice(i, i + 500)).execute();
  for (const r of rows) platform.set(Number(r.id), r.platform_post_id);
}
const detected = res.details.map((c) => ({
  accounts: c.accounts,
  pairs: c.edges.flatMap((e) => e.evidence.map(([a, b]) => [platform.get(a)!, platform.get(b)!] as [string, string])),
}));
const scores = scoreCampaigns(truth, detected);

let baseline: Record<string, number> | undefined;
if (flags.includes('--baseline')) {
  const opts = resolveOptions({ windowSeconds: window, similarity: 0.8, types: ['similar'] });
  const t0 = performance.now();
  const lsh = await collectPairs(readPosts(store, opts.chunkSize), opts);
  const lshSeconds = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const brute = await bruteForcePairs(store, opts);
  const bruteSeconds = (performance.now() - t1) / 1000;
  const lshSet = new Set<string>();
  for (let i = 0; i < lsh.pairs.length; i++) lshSet.add(`${Math.min(lsh.pairs.postA[i], lsh.pairs.postB[i])}:${Math.max(lsh.pairs.postA[i], lsh.pairs.postB[i])}`);
  let found = 0;
  for (const p of brute.pairs) if (lshSet.has(p)) found++;
  baseline = {
    lshSimilarSeconds: lshSeconds,
    bruteSeconds,
    bruteComparisons: brute.comparisons,
    brutePairs: brute.pairs.size,
    lshPairs: lshSet.size,
    lshRecallVsExact: brute.pairs.size ? found / brute.pairs.size : 1,
    lshPrecisionVsExact: lshSet.size ? found / lshSet.size : 1,
  };
}
await store.close();
process.stdout.write(`${JSON.stringify({ engine, digest: resultDigest(res), stats: res.stats, rssDetect, cpuSeconds, scores, baseline })}\n`);
