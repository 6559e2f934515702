/**
 * The evidence a campaign finding carries as the coordination detector stores it (findings.ts
 * writes it): one schema for every reader (the API, the downloads, the evidence bundles). Every
 * part is optional and tolerant, since findings written by older versions lack later fields.
 */
import { z } from 'zod';

/** A stored campaign finding's evidence, parsed. */
export const campaignEvidence = z.object({
  accounts: z.array(z.string()).catch([]).default([]),
  accountIds: z.array(z.number()).catch([]).default([]),
  posts: z.number().catch(0).default(0),
  postIds: z.array(z.number()).catch([]).default([]),
  start: z.string().nullable().catch(null).default(null),
  end: z.string().nullable().catch(null).default(null),
  size: z.number().catch(0).default(0),
  burstiness: z.number().nullable().catch(null).default(null),
  types: z.record(z.string(), z.number()).catch({}).default({}),
  edges: z.array(z.object({
    source: z.string(), target: z.string(), weight: z.number().catch(1), edge_type: z.string().catch('related'),
    evidence: z.array(z.tuple([z.number(), z.number()])).catch([]).default([]),
  })).catch([]).default([]),
  representative: z.array(z.object({
    postId: z.number().optional(), platformPostId: z.string().optional(), account: z.string().optional(),
    createdAt: z.string().optional(), text: z.string().catch(''),
  })).catch([]).default([]),
  detector: z.object({ windowSeconds: z.number().optional(), similarity: z.number().optional() }).loose().nullable().catch(null).default(null),
}).loose();
