/** A run's decisions as one canonical string and digest, to check two ways of running agree bit for bit. */
import { createHash } from 'node:crypto';
import type { CoordinationResult } from './index.ts';

/** Canonical JSON of everything a run decides (findings, network, counts), without its timings. */
export function canonicalResult(r: CoordinationResult): string {
  const { seconds: _s, phases: _p, ...stats } = r.stats;
  return JSON.stringify({ details: r.details, network: r.network, stats });
}

/** sha256 of the canonical JSON. */
export function resultDigest(r: CoordinationResult): string {
  return createHash('sha256').update(canonicalResult(r)).digest('hex');
}
