/**
 * Turns communities into campaign findings: who, how many posts, when, how bursty, how tightly
 * knit, and the evidence (every internal edge with its post pairs, plus representative posts).
 * Re-running replaces all campaign findings; a campaign's id depends only on its account set.
 */
import { createHash } from 'node:crypto';
import type { Store } from '../../store/open.ts';
import { QUT_EDGE_TYPE, type Edge, type PairStore } from './networks.ts';

export interface EvidenceEdge {
  source: string;
  target: string;
  weight: number;
  edge_type: string;
  /** Store post id pairs, one per coordinated event (capped at maxEvidence). */
  evidence: Array<[number, number]>;
}

export interface RepresentativePost {
  postId: number;
  platformPostId: string;
  account: string;
  createdAt: string;
  text: string;
}

/** A campaign as stored in the finding's evidence JSON. */
export interface CampaignEvidence {
  accounts: string[];
  accountIds: number[];
  posts: number;
  postIds: number[];
  start: string;
  end: string;
  size: number;
  burstiness: number;
  types: Record<string, number>;
  edges: EvidenceEdge[];
  representative: RepresentativePost[];
  /** The thresholds that made these edges, so the evidence can say "within 1 h" truthfully. */
  detector?: DetectorParams;
}

/** The options of the run that found a campaign, as its evidence records them. */
export interface DetectorParams {
  windowSeconds: number;
  similarity: number;
  minWeight: number;
  minCampaignSize: number;
}

export interface CampaignDetail extends CampaignEvidence {
  id: string;
  score: number;
  summary: string;
}

export interface AccountInfo {
  id: number;
  sourceId: number;
  platformId: string;
}

/** Looks up platform ids of store accounts. */
export async function accountInfo(store: Store, ids: number[]): Promise<Map<number, AccountInfo>> {
  const out = new Map<number, AccountInfo>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await store.db.selectFrom('accounts').select(['id', 'source_id', 'platform_account_id']).where('id', 'in', ids.slice(i, i + 500)).execute();
    for (const r of rows) out.set(Number(r.id), { id: Number(r.id), sourceId: Number(r.source_id), platformId: r.platform_account_id });
  }
  return out;
}

/** Goh–Barabási burstiness of event times: 1 = one burst, 0 = random (Poisson), −1 = regular. */
export function burstiness(times: number[]): number {
  if (times.length < 3) return 1;
  const t = [...times].sort((a, b) => a - b);
  const gaps: number[] = [];
  for (let i = 1; i < t.length; i++) gaps.push(t[i] - t[i - 1]);
  const mean = gaps.reduce((s, g) => s + g, 0) / gaps.length;
  const sd = Math.sqrt(gaps.reduce((s, g) => s + (g - mean) ** 2, 0) / gaps.length);
  return sd + mean === 0 ? 1 : round((sd - mean) / (sd + mean));
}

/** Stable id of a campaign: a hash of its accounts' source and platform ids. */
export function campaignId(accounts: AccountInfo[]): string {
  const keys = accounts.map((a) => `${a.sourceId}/${a.platformId}`).sort();
  return `cmp-${createHash('sha256').update(keys.join('\n')).digest('hex').slice(0, 16)}`;
}

/** Builds the campaign details for the given communities. */
export async function buildCampaigns(
  store: Store,
  groups: number[][],
  edges: Edge[],
  pairs: PairStore,
  accounts: Map<number, AccountInfo>,
  maxEvidence: number,
  detector?: DetectorParams,
): Promise<CampaignDetail[]> {
  const groupOf = new Map<number, number>();
  groups.forEach((g, i) => g.forEach((a) => groupOf.set(a, i)));
  const internal: Edge[][] = groups.map(() => []);
  const outside = groups.map(() => 0);
  for (const e of edges) {
    const ga = groupOf.get(e.a);
    const gb = groupOf.get(e.b);
    if (ga !== undefined && ga === gb) internal[ga].push(e);
    else {
      if (ga !== undefined) outside[ga] += e.weight;
      if (gb !== undefined) outside[gb] += e.weight;
    }
  }
  const out: CampaignDetail[] = [];
  for (let gi = 0; gi < groups.length; gi++) {
    const members = groups[gi];
    const es = internal[gi];
    if (es.length === 0) continue;
    const postTime = new Map<number, number>();
    const postDegree = new Map<number, number>();
    const types: Record<string, number> = {};
    const accountPairs = new Set<string>();
    let inside = 0;
    for (const e of es) {
      types[e.type] = (types[e.type] ?? 0) + e.weight;
      inside += e.weight;
      accountPairs.add(`${e.a}:${e.b}`);
      for (const i of e.pairs) {
        postTime.set(pairs.postA[i], pairs.timeA[i]);
        postTime.set(pairs.postB[i], pairs.timeB[i]);
        postDegree.set(pairs.postA[i], (postDegree.get(pairs.postA[i]) ?? 0) + 1);
        postDegree.set(pairs.postB[i], (postDegree.get(pairs.postB[i]) ?? 0) + 1);
      }
    }
    const infos = members.map((a) => accounts.get(a)).filter((x): x is AccountInfo => !!x);
    const name = (a: number) => accounts.get(a)?.platformId ?? String(a);
    const times = [...postTime.values()];
    const start = Math.min(...times);
    const end = Math.max(...times);
    const n = members.length;
    const density = accountPairs.size / ((n * (n - 1)) / 2);
    const cohesion = inside / (inside + outside[gi]);
    const score = round(density * cohesion * (1 - 1 / n));
    const postIds = [...postTime.keys()].sort((x, y) => x - y);
    const representative = await representativePosts(store, postDegree, name);
    const edgeList: EvidenceEdge[] = es
      .sort((x, y) => y.weight - x.weight || x.a - y.a || x.b - y.b)
      .map((e) => ({
        source: name(e.a),
        target: name(e.b),
        weight: e.weight,
        edge_type: QUT_EDGE_TYPE[e.type],
        evidence: e.pairs.slice(0, maxEvidence).map((i) => [pairs.postA[i], pairs.postB[i]] as [number, number]),
      }));
    const typeText = Object.entries(types).map(([t, w]) => `${t} ${w}`).join(', ');
    out.push({
      id: campaignId(infos),
      score,
      summary: `${n} accounts made ${postIds.length} coordinated posts (${typeText}) between ${iso(start)} and ${iso(end)}.`,
      accounts: members.map(name),
      accountIds: members,
      posts: postIds.length,
      postIds,
      start: iso(start),
      end: iso(end),
      size: n,
      burstiness: burstiness(times),
      types,
      edges: edgeList,
      representative,
      ...(detector ? { detector } : {}),
    });
  }
  return out.sort((a, b) => b.score - a.score || b.size - a.size || (a.id < b.id ? -1 : 1));
}

/** The few posts tied to the most others, distinct texts first. */
async function representativePosts(store: Store, degree: Map<number, number>, name: (a: number) => string): Promise<RepresentativePost[]> {
  const top = [...degree.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, 20).map(([id]) => id);
  if (!top.length) return [];
  const rows = await store.db.selectFrom('posts').select(['id', 'platform_post_id', 'account_id', 'created_at', 'text']).where('id', 'in', top).execute();
  const byId = new Map(rows.map((r) => [Number(r.id), r]));
  const seen = new Set<string>();
  const out: RepresentativePost[] = [];
  for (const id of top) {
    const r = byId.get(id);
    if (!r || seen.has(r.text)) continue;
    seen.add(r.text);
    out.push({ postId: id, platformPostId: r.platform_post_id, account: name(Number(r.account_id)), createdAt: iso(Number(r.created_at)), text: r.text });
    if (out.length === 3) break;
  }
  return out;
}

/** Replaces all campaign findings with these. */
export async function storeCampaigns(store: Store, campaigns: CampaignDetail[]): Promise<void> {
  const now = Date.now();
  await store.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('findings').where('kind', '=', 'campaign').execute();
    for (const c of campaigns) {
      const { id, score, summary, ...evidence } = c;
      await trx.insertInto('findings').values({ kind: 'campaign', key: id, score, summary, evidence: JSON.stringify(evidence), created_at: now }).execute();
    }
  });
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}
