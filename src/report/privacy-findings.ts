/**
 * Campaign findings as they leave the store: accounts through the privacy policy (privacy.ts)
 * and posts named by source and platform post id, never by this store's row ids (which mean
 * nothing to a reader of the evidence and change with every import order).
 */
import type { Store } from '../store/open.ts';
import { accountSources, postRefs, type AccountView, type PostRef } from './privacy.ts';

/** The parts of a campaign's evidence (as stored by the coordination detector) that name accounts or posts. */
export interface StoredCampaignEvidence {
  accounts?: string[];
  accountIds?: number[];
  postIds?: number[];
  edges?: Array<{ source: string; target: string; weight: number; edge_type: string; evidence?: Array<[number, number]> }>;
  representative?: Array<{ postId?: number; platformPostId?: string; account?: string; createdAt?: string; text: string }>;
  [key: string]: unknown;
}

/** Lookups a set of campaigns needs: each account's source, each post's platform reference. */
export interface EvidenceLookups {
  sources: Map<string, string>;
  refs: Map<number, PostRef>;
}

/** Reads what `viewCampaign` needs for these campaigns' evidence. */
export async function evidenceLookups(store: Store, evidence: StoredCampaignEvidence[]): Promise<EvidenceLookups> {
  const storeIds = evidence.flatMap((e) => e.accountIds ?? []);
  const platformIds = evidence.flatMap((e) => [...(e.accounts ?? []), ...(e.edges ?? []).flatMap((x) => [x.source, x.target]),
    ...(e.representative ?? []).flatMap((r) => (r.account ? [r.account] : []))]);
  const postIds = evidence.flatMap((e) => [...(e.postIds ?? []), ...(e.edges ?? []).flatMap((x) => (x.evidence ?? []).flat()),
    ...(e.representative ?? []).flatMap((r) => (r.postId !== undefined ? [r.postId] : []))]);
  const [sources, refs] = await Promise.all([accountSources(store, storeIds, platformIds), postRefs(store, postIds)]);
  return { sources, refs };
}

/** A post reference for a store id, or null when the post is gone from the store. */
function ref(refs: Map<number, PostRef>, id: number): PostRef | null {
  return refs.get(id) ?? null;
}

/**
 * A campaign's evidence as shown: account ids pseudonymised unless revealed, store ids of
 * accounts dropped, post ids replaced by `{source, platform_post_id}` (`postRefs`, and the
 * pairs on every edge), representative posts named by source and platform id.
 */
export function viewCampaign<E extends StoredCampaignEvidence>(ev: E, view: AccountView, l: EvidenceLookups) {
  const acct = (p: string) => view.id(l.sources.get(p) ?? '', p);
  const { accountIds: _a, postIds, edges, representative, accounts, ...rest } = ev;
  return {
    ...(rest as Omit<E, 'accountIds' | 'postIds' | 'edges' | 'representative' | 'accounts'>),
    accounts: (accounts ?? []).map(acct),
    postRefs: (postIds ?? []).map((id) => ref(l.refs, id)).filter((r): r is PostRef => r !== null),
    edges: (edges ?? []).map((e) => ({
      source: acct(e.source), target: acct(e.target), weight: e.weight, edge_type: e.edge_type,
      evidence: (e.evidence ?? []).map(([a, b]) => [ref(l.refs, a), ref(l.refs, b)] as [PostRef | null, PostRef | null]),
    })),
    representative: (representative ?? []).map((r) => ({
      source: r.postId !== undefined ? l.refs.get(r.postId)?.source ?? null : null,
      platformPostId: r.platformPostId ?? (r.postId !== undefined ? l.refs.get(r.postId)?.platform_post_id ?? null : null),
      account: r.account === undefined ? null : acct(r.account), createdAt: r.createdAt ?? null, text: r.text,
    })),
  };
}

/** Evidence pairs as text for CSV and graph attributes: a JSON array of `[source, platform post id]` pairs. */
export function evidencePairsText(pairs: Array<[PostRef | null, PostRef | null]>): string {
  return JSON.stringify(pairs.map((p) => p.map((r) => (r ? [r.source, r.platform_post_id] : null))));
}
