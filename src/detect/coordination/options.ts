/** Options of the coordination detector, validated with zod (they come from the CLI and configs). */
import { z } from 'zod';
import { EDGE_TYPES } from './networks.ts';

export const CoordinationOptionsSchema = z.object({
  /** Sliding window Δt in seconds: two posts coordinate only if at most this far apart. */
  windowSeconds: z.number().positive().default(3600),
  /** Jaccard similarity threshold for co-similar text. */
  similarity: z.number().gt(0).max(1).default(0.8),
  minWeight: z.number().int().min(1).default(2),
  minParticipation: z.number().int().min(1).default(2),
  /** Smallest group of accounts reported as a campaign. */
  minCampaignSize: z.number().int().min(2).default(3),
  types: z.array(z.enum(EDGE_TYPES)).min(1).default([...EDGE_TYPES]),
  /** Texts with fewer shingles are too short to call "near-identical" (exact matching still applies). */
  minShingles: z.number().int().min(1).default(6),
  /** Exact-text matches need at least this many characters of normalised text. */
  minExactLength: z.number().int().min(1).default(4),
  /** MinHash bins (power of two) and LSH bands; rows per band = k / bands. */
  k: z.number().int().default(64),
  bands: z.number().int().default(16),
  /** Most window-mates one post is compared with per key or bucket. */
  maxBucket: z.number().int().min(1).default(2000),
  /** Posts read from the store per batch. */
  chunkSize: z.number().int().min(100).default(20000),
  /** Posts per time segment of the streaming engine (memory holds one segment and its window). */
  segmentPosts: z.number().int().min(1).default(200_000),
  /** Coordinated pairs held in memory before they are spilled to disk (pair-spill.ts). */
  spillPairs: z.number().int().min(1).default(1_000_000),
  /** Evidence pairs kept per edge in findings and exports (weight still counts all). */
  maxEvidence: z.number().int().min(1).default(200),
  /** Feature worker threads; -1 = automatic (up to 2 for stores of 50,000 posts or more). */
  workers: z.number().int().min(-1).max(16).default(-1),
  /** Seed for Louvain, so re-runs give the same communities. */
  seed: z.number().int().default(42),
  /** Write campaign findings (replacing earlier ones). */
  store: z.boolean().default(true),
});

export type CoordinationOptions = z.infer<typeof CoordinationOptionsSchema>;
export type CoordinationInput = z.input<typeof CoordinationOptionsSchema>;

/** Fills defaults and checks the combination. */
export function resolveOptions(input: CoordinationInput = {}): CoordinationOptions {
  const o = CoordinationOptionsSchema.parse(input);
  if (!Number.isInteger(Math.log2(o.k)) || o.k < 2) throw new Error(`k must be a power of two ≥ 2 (got ${o.k})`);
  if (o.k % o.bands !== 0) throw new Error(`bands (${o.bands}) must divide k (${o.k})`);
  return o;
}
