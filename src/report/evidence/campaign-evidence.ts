/**
 * Everything behind one coordinated-campaign finding, as evidence: the finding (score, period,
 * edge types), its accounts with their posts, every post it names with its status, the network's
 * edges with the post pairs that prove each, the campaign's texts grouped by their normalised
 * form (the coordination detector's own normalisation) with counts, and every observation and
 * disappearance of those posts. Accounts go through the privacy policy as the API and the
 * coordination exports do (privacy-findings.ts).
 */
import { campaignEvidence } from '../../detect/coordination/stored-evidence.ts';
import type { Store } from '../../store/open.ts';
import { UserError } from '../../util/errors.ts';
import { addIdentifiers, followedAccounts, type AccountView } from '../privacy.ts';
import { evidenceLookups, viewCampaign, type StoredCampaignEvidence } from '../privacy-findings.ts';
import type { ShownEdge } from '../../detect/coordination/export.ts';
import { normaliseText } from '../../detect/coordination/normalise.ts';
import { latest } from './time.ts';
import type { EvidenceDisappearance, EvidenceObservation } from './post-evidence.ts';

export interface CampaignPost {
  id: number;
  source: string;
  platform_post_id: string;
  account: string | null;
  created_at: number | null;
  status: string;
  status_changed_at: number | null;
  url: string | null;
  text: string;
}

export interface TextGroup {
  /** The first post's text as written (earliest first). */
  text: string;
  /** The detector's normal form that the group shares. */
  normalised: string;
  count: number;
  accounts: number;
  first: number | null;
  last: number | null;
  posts: Array<{ source: string; platform_post_id: string }>;
}

/** Which post an observation or disappearance of the campaign belongs to (posts are named, not numbered). */
type OfPost = { post: { source: string; platform_post_id: string } };
/** An observation of one of the campaign's posts: as in a post bundle, without the rebuilt request. */
export type CampaignObservation = OfPost & Omit<EvidenceObservation, 'request'>;
/** A disappearance of one of the campaign's posts. */
export type CampaignDisappearance = OfPost & EvidenceDisappearance;

export interface CampaignEvidence {
  kind: 'campaign';
  revealed: boolean;
  asOf: number;
  finding: { id: string; finding_id: number; score: number; summary: string; created_at: number; start: string | null; end: string | null; burstiness: number | null; types: Record<string, number> };
  accounts: Array<{ account: string; source: string | null; posts: number; gone: number }>;
  posts: CampaignPost[];
  edges: ShownEdge[];
  texts: TextGroup[];
  observations: CampaignObservation[];
  disappearances: CampaignDisappearance[];
}

const CHUNK = 500;
const n = (v: unknown): number | null => (v == null ? null : Number(v));

function parseJson(text: string | null): unknown {
  if (text == null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Reads a campaign's evidence through the account view; throws a UserError when there is no such campaign. */
export async function collectCampaignEvidence(store: Store, key: string, view: AccountView): Promise<CampaignEvidence> {
  const db = store.db;
  const row = await db.selectFrom('findings').selectAll().where('kind', '=', 'campaign').where('key', '=', key).executeTakeFirst();
  if (!row) {
    const some = await db.selectFrom('findings').select('key').where('kind', '=', 'campaign').orderBy('score', 'desc').limit(3).execute();
    throw new UserError(`No campaign "${key.slice(0, 120)}" in this store; ${some.length ? `campaign ids look like ${some.map((s) => s.key).join(', ')} (see \`censorscope coordination --json\` or the dashboard's campaigns page)` : 'run `censorscope coordination` to find campaigns first'}.`);
  }
  const ev = campaignEvidence.parse(parseJson(row.evidence) ?? {});
  const lookups = await evidenceLookups(store, [ev as StoredCampaignEvidence]);
  const shown = viewCampaign(ev as StoredCampaignEvidence, view, lookups);
  const followed = await followedAccounts(store, view);

  // Every post the finding names, in chunks (a campaign may name thousands).
  const postIds = [...new Set([...ev.postIds, ...ev.edges.flatMap((e) => e.evidence.flat())])].sort((a, b) => a - b);
  const posts: CampaignPost[] = [];
  const rawAuthor = new Map<number, string | null>();
  const ids = new Map(followed);
  for (let i = 0; i < postIds.length; i += CHUNK) {
    const rows = await db.selectFrom('posts as p').innerJoin('sources as s', 's.id', 'p.source_id').leftJoin('accounts as a', 'a.id', 'p.account_id')
      .select(['p.id', 's.name as source', 'p.platform_post_id', 'a.platform_account_id', 'a.handle', 'p.created_at', 'p.status',
        'p.status_changed_at', 'p.url', 'p.text'])
      .where('p.id', 'in', postIds.slice(i, i + CHUNK)).execute();
    for (const r of rows) {
      const account = r.platform_account_id === null ? null : view.id(r.source, r.platform_account_id);
      addIdentifiers(ids, account, r.platform_account_id, r.handle);
      rawAuthor.set(Number(r.id), r.platform_account_id);
      posts.push({
        id: Number(r.id), source: r.source, platform_post_id: r.platform_post_id, account, created_at: n(r.created_at), status: r.status,
        status_changed_at: n(r.status_changed_at), url: r.url, text: r.text,
      });
    }
  }
  // URLs may name any of the campaign's accounts (…/@handle/123): scrub with all of them.
  for (const p of posts) p.url = view.scrub(p.url, ids);
  posts.sort((a, b) => (a.created_at ?? 0) - (b.created_at ?? 0) || (a.source < b.source ? -1 : a.source > b.source ? 1 : 0)
    || (a.platform_post_id < b.platform_post_id ? -1 : a.platform_post_id > b.platform_post_id ? 1 : 0) || a.id - b.id);
  const ref = (p: CampaignPost) => ({ source: p.source, platform_post_id: p.platform_post_id });
  const byId = new Map(posts.map((p) => [p.id, p]));

  const observations: CampaignObservation[] = [];
  const disappearances: CampaignDisappearance[] = [];
  for (let i = 0; i < postIds.length; i += CHUNK) {
    const chunk = postIds.slice(i, i + CHUNK);
    const [obs, gone] = await Promise.all([
      db.selectFrom('observations').select(['id', 'post_id', 'observed_at', 'outcome', 'http_status', 'error_code', 'detail']).where('post_id', 'in', chunk).execute(),
      db.selectFrom('disappearances').selectAll().where('post_id', 'in', chunk).execute(),
    ]);
    for (const o of obs) {
      const p = byId.get(Number(o.post_id));
      if (!p) continue;
      observations.push({ post: ref(p), id: Number(o.id), observed_at: Number(o.observed_at), outcome: o.outcome, http_status: n(o.http_status), error_code: o.error_code, detail: view.scrub(parseJson(o.detail), ids) });
    }
    for (const d of gone) {
      const p = byId.get(Number(d.post_id));
      if (!p) continue;
      disappearances.push({ post: ref(p), id: Number(d.id), kind: d.kind, last_seen_at: Number(d.last_seen_at), first_missing_at: Number(d.first_missing_at), observation_id: n(d.observation_id), detected_at: Number(d.detected_at) });
    }
  }
  observations.sort((a, b) => a.observed_at - b.observed_at || a.id - b.id);
  disappearances.sort((a, b) => a.first_missing_at - b.first_missing_at || a.id - b.id);

  // Accounts: the finding's own list, then any author of its posts it does not name.
  const counts = new Map<string, { posts: number; gone: number }>();
  for (const p of posts) {
    if (p.account === null) continue;
    const c = counts.get(p.account) ?? { posts: 0, gone: 0 };
    c.posts++;
    if (p.status !== 'visible') c.gone++;
    counts.set(p.account, c);
  }
  const accountNames = [...new Set([...shown.accounts, ...counts.keys()])];
  const sourceOf = new Map<string, string>();
  for (const p of posts) if (p.account !== null && !sourceOf.has(p.account)) sourceOf.set(p.account, p.source);
  const accounts = accountNames.map((a) => ({ account: a, source: sourceOf.get(a) ?? null, posts: counts.get(a)?.posts ?? 0, gone: counts.get(a)?.gone ?? 0 }))
    .sort((a, b) => b.posts - a.posts || (a.account < b.account ? -1 : 1));

  const texts = groupTexts(posts, rawAuthor);
  const finding = {
    id: row.key, finding_id: Number(row.id), score: row.score, summary: view.scrub(row.summary, ids), created_at: Number(row.created_at),
    start: ev.start, end: ev.end, burstiness: ev.burstiness, types: ev.types,
  };
  const asOf = latest([finding.created_at, ...posts.map((p) => p.status_changed_at), ...posts.map((p) => p.created_at),
    ...observations.map((o) => o.observed_at), ...disappearances.map((d) => d.detected_at)]) ?? finding.created_at;
  return {
    kind: 'campaign', revealed: view.revealed, asOf, finding, accounts, posts,
    edges: shown.edges, texts, observations, disappearances,
  };
}

/** Groups posts whose texts share the coordination detector's normal form; largest group first. */
function groupTexts(posts: CampaignPost[], authors: Map<number, string | null>): TextGroup[] {
  const groups = new Map<string, { posts: CampaignPost[]; authors: Set<string> }>();
  for (const p of posts) {
    const key = normaliseText(p.text).text || p.text;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { posts: [], authors: new Set() }));
    g.posts.push(p);
    const a = authors.get(p.id);
    if (a != null) g.authors.add(a);
  }
  return [...groups].map(([normalised, g]) => {
    const times = g.posts.map((p) => p.created_at).filter((t): t is number => t !== null);
    return {
      text: g.posts[0]!.text, normalised, count: g.posts.length, accounts: g.authors.size,
      first: times.length ? Math.min(...times) : null, last: times.length ? Math.max(...times) : null,
      posts: g.posts.map((p) => ({ source: p.source, platform_post_id: p.platform_post_id })),
    };
  }).sort((a, b) => b.count - a.count || (a.normalised < b.normalised ? -1 : a.normalised > b.normalised ? 1 : 0));
}
