/**
 * What a campaign said: its posts grouped into near-duplicate texts by the coordination
 * detector's own measure (src/detect/coordination/text-groups.ts), the campaign's name (the
 * representative text of its largest group), and its posts over time per group. Computed from
 * the store, so findings written before this existed are named too. The result holds raw store
 * values only: accounts go through the privacy view where it is turned into a response.
 */
import { groupTexts, type GroupPost } from '../../detect/coordination/text-groups.ts';
import { resolveOptions } from '../../detect/coordination/options.ts';
import { num } from './posts.ts';
import type { ServeDb } from './tables.ts';

/** Posts grouped per campaign; a larger campaign is grouped on its first posts by id and says so. */
export const MAX_GROUPED_POSTS = 20_000;
/** Text groups a campaign page lists (the rest are counted). */
const MAX_GROUPS = 50;
/** Groups drawn as their own series in posts over time; the rest are "other texts". */
const ACTIVITY_GROUPS = 5;
/** Post ids listed per group. */
const EXAMPLE_IDS = 10;
/** Most buckets in posts over time. */
const MAX_BUCKETS = 96;
const BUCKETS_S = [60, 300, 900, 3600, 3 * 3600, 6 * 3600, 86_400, 7 * 86_400, 30 * 86_400];

/** A post as a campaign page shows it (before the privacy view). */
export interface CampaignPost {
  id: number;
  text: string;
  language: string | null;
  created_at: number | null;
  status: string;
  platform_post_id: string;
  source: string;
  handle: string | null;
  platform_account_id: string | null;
}

export interface CampaignGroup {
  representative: number;
  posts: number;
  accounts: number;
  variants: number;
  first: number;
  last: number;
  /** One post per variant, the representative first. */
  examples: number[];
  /** The group's earliest posts. */
  firstPosts: number[];
}

export interface CampaignTexts {
  /** Post ids in the finding's evidence. */
  total: number;
  /** Of those, read and grouped. */
  grouped: number;
  /** Of those read, gone from the store. */
  missing: number;
  /** Groups found (only the first MAX_GROUPS are listed). */
  groupCount: number;
  groups: CampaignGroup[];
  /** Representatives and examples, by id. */
  posts: CampaignPost[];
  activity: { bucketSeconds: number; buckets: number[]; series: Array<{ group: number | null; counts: number[] }> } | null;
  similarity: number;
}

/** Groups a campaign's posts (at most MAX_GROUPED_POSTS of them) into near-duplicate texts. */
export async function campaignTexts(db: ServeDb, postIds: number[]): Promise<CampaignTexts> {
  const opts = resolveOptions({});
  const ids = [...new Set(postIds)].sort((a, b) => a - b).slice(0, MAX_GROUPED_POSTS);
  const rows: CampaignPost[] = [];
  const accountOf = new Map<number, number>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = await db.selectFrom('posts as p').leftJoin('accounts as a', 'a.id', 'p.account_id').innerJoin('sources as s', 's.id', 'p.source_id')
      .select(['p.id', 'p.text', 'p.language', 'p.created_at', 'p.status', 'p.platform_post_id', 'p.account_id', 's.name as source', 'a.handle', 'a.platform_account_id'])
      .where('p.id', 'in', ids.slice(i, i + 500)).execute();
    for (const r of chunk) {
      const id = Number(r.id);
      accountOf.set(id, Number(r.account_id ?? -id));
      rows.push({ id, text: r.text ?? '', language: r.language ?? null, created_at: num(r.created_at), status: r.status, platform_post_id: r.platform_post_id,
        source: r.source, handle: r.handle ?? null, platform_account_id: r.platform_account_id ?? null });
    }
  }
  const input: GroupPost[] = rows.map((r) => ({ id: r.id, text: r.text, account: accountOf.get(r.id)!, time: r.created_at ?? 0 }));
  const groups = groupTexts(input, opts);
  const listed = groups.slice(0, MAX_GROUPS).map((g) => ({
    representative: g.representative, posts: g.postIds.length, accounts: g.accounts, variants: g.variants, first: g.first, last: g.last, examples: g.examples,
    firstPosts: g.postIds.slice(0, EXAMPLE_IDS),
  }));
  const wanted = new Set(listed.flatMap((g) => g.examples));
  return {
    total: new Set(postIds).size,
    grouped: rows.length,
    missing: ids.length - rows.length,
    groupCount: groups.length,
    groups: listed,
    posts: rows.filter((r) => wanted.has(r.id)),
    activity: activity(input, groups.map((g) => g.postIds)),
    similarity: opts.similarity,
  };
}

/** Posts per time bucket (UTC-aligned), for the largest groups and the rest together. */
function activity(posts: GroupPost[], groups: number[][]): CampaignTexts['activity'] {
  const timed = posts.filter((p) => p.time > 0);
  if (!timed.length) return null;
  const first = Math.min(...timed.map((p) => p.time));
  const last = Math.max(...timed.map((p) => p.time));
  const bucketSeconds = BUCKETS_S.find((s) => (last - first) / (s * 1000) < MAX_BUCKETS - 1) ?? BUCKETS_S.at(-1)!;
  const size = bucketSeconds * 1000;
  const start = Math.floor(first / size) * size;
  const n = Math.floor((last - start) / size) + 1;
  const groupOf = new Map<number, number>();
  groups.forEach((ids, gi) => ids.forEach((id) => groupOf.set(id, Math.min(gi, ACTIVITY_GROUPS))));
  const shown = Math.min(groups.length, ACTIVITY_GROUPS);
  const counts = Array.from({ length: shown + (groups.length > ACTIVITY_GROUPS ? 1 : 0) }, () => new Array<number>(n).fill(0));
  for (const p of timed) counts[groupOf.get(p.id)!]![Math.floor((p.time - start) / size)]!++;
  return {
    bucketSeconds,
    buckets: Array.from({ length: n }, (_, i) => start + i * size),
    series: counts.map((c, i) => ({ group: i < shown ? i : null, counts: c })),
  };
}

/** A text as a one-line name: whitespace collapsed, at most `max` characters (never half a surrogate pair). */
export function clipName(text: string, max = 80): string {
  const one = text.replace(/\s+/gu, ' ').trim();
  const chars = Array.from(one);
  return chars.length > max ? `${chars.slice(0, max - 1).join('').trimEnd()}…` : one;
}
