/**
 * Coordinated campaign detection: groups of accounts that post the same or nearly the same
 * text, repost, link, reply or tag alike within a short sliding window. See engine.ts for the
 * streaming core, findings.ts for what is stored.
 */
import { availableParallelism } from 'node:os';
import type { Detector } from '../detector.ts';
import type { Store } from '../../store/open.ts';
import type { Progress } from '../../util/progress.ts';
import { resolveOptions, type CoordinationInput, type CoordinationOptions } from './options.ts';
import { readPosts } from './read.ts';
import { streamPairs } from './stream.ts';
import { storeFeatures } from './feature-pool.ts';
import { collectPairs, type PairCollection } from './engine.ts';
import { postSpan } from './read.ts';
import { buildEdges, QUT_EDGE_TYPE } from './networks.ts';
import { communities } from './communities.ts';
import { accountInfo, buildCampaigns, storeCampaigns, type CampaignDetail } from './findings.ts';
import type { Network } from './export.ts';

export interface CampaignSummary {
  id: string;
  accounts: string[];
  posts: number;
  score: number;
  start: string;
  end: string;
}

export interface CoordinationResult {
  campaigns: CampaignSummary[];
  /** Full campaign evidence (what the findings hold). */
  details: CampaignDetail[];
  /** The whole filtered network (all edges that passed the thresholds), for exports. */
  network: Network;
  stats: { posts: number; pairs: number; candidates: number; verified: number; edges: number; seconds: number; phases: Record<string, number> };
}

/**
 * Runs coordination detection over the whole store and (by default) stores campaign findings.
 * `engine: 'memory'` runs the pre-streaming whole-corpus path, kept as the test oracle.
 */
export async function runCoordination(store: Store, input: CoordinationInput = {}, progress?: Progress, engine: 'stream' | 'memory' = 'stream'): Promise<CoordinationResult> {
  const opts: CoordinationOptions = resolveOptions(input);
  const started = performance.now();
  const span = await postSpan(store);
  progress?.setTotal(span.posts);
  const workers = opts.workers >= 0 ? opts.workers : span.posts >= 50_000 ? Math.min(2, availableParallelism()) : 0;
  const tick = (n: number) => progress?.tick(n);
  const collected = engine === 'memory'
    ? await collectPairs(readPosts(store, opts.chunkSize), opts, tick, workers)
    : await streamPairs(storeFeatures(store, opts, workers, tick), opts, span, workers, true);
  return finish(store, opts, collected, started);
}

/** Edges, communities and findings from the collected pairs (shared by every way of collecting them). */
export async function finish(store: Store, opts: CoordinationOptions, collected: PairCollection, started: number): Promise<CoordinationResult> {
  const t1 = performance.now();
  const edges = buildEdges(collected.pairs, { minWeight: opts.minWeight, minParticipation: opts.minParticipation });
  const t2 = performance.now();
  const groups = communities(edges, opts.minCampaignSize, opts.seed);
  const t3 = performance.now();
  const accountIds = [...new Set(edges.flatMap((e) => [e.a, e.b]))];
  const accounts = await accountInfo(store, accountIds);
  const details = await buildCampaigns(store, groups, edges, collected.pairs, accounts, opts.maxEvidence, {
    windowSeconds: opts.windowSeconds, similarity: opts.similarity, minWeight: opts.minWeight, minCampaignSize: opts.minCampaignSize,
  });
  if (opts.store) await storeCampaigns(store, details);
  const t4 = performance.now();
  const campaignOf = new Map<number, string>();
  for (const c of details) for (const a of c.accountIds) campaignOf.set(a, c.id);
  const name = (a: number) => accounts.get(a)?.platformId ?? String(a);
  const network: Network = {
    nodes: accountIds.sort((x, y) => x - y).map((a) => ({ id: name(a), storeId: a, campaign: campaignOf.get(a) ?? '' })),
    edges: edges.map((e) => ({
      source: name(e.a),
      target: name(e.b),
      weight: e.weight,
      edge_type: QUT_EDGE_TYPE[e.type],
      evidence: e.pairs.slice(0, opts.maxEvidence).map((i) => [collected.pairs.postA[i], collected.pairs.postB[i]] as [number, number]),
    })),
  };
  return {
    campaigns: details.map((c) => ({ id: c.id, accounts: c.accounts, posts: c.posts, score: c.score, start: c.start, end: c.end })),
    details,
    network,
    stats: {
      posts: collected.posts,
      pairs: collected.pairTotal ?? collected.pairs.length,
      candidates: collected.candidates,
      verified: collected.verified,
      edges: edges.length,
      seconds: (performance.now() - started) / 1000,
      phases: {
        readAndFeatures: collected.featureSeconds,
        windows: collected.windowSeconds,
        edges: (t2 - t1) / 1000,
        communities: (t3 - t2) / 1000,
        findings: (t4 - t3) / 1000,
      },
    },
  };
}

/** The detector as the observatory schedules it. */
export const coordinationDetector: Detector<CoordinationInput, CoordinationResult> = {
  name: 'coordination',
  description: 'Find coordinated campaigns: accounts posting near-identical text, reposting, linking, replying or tagging together within a sliding window.',
  defaults: {},
  run: (store, options, progress) => runCoordination(store, options, progress),
};

export { resolveOptions, type CoordinationInput, type CoordinationOptions } from './options.ts';
