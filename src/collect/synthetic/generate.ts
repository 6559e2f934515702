/**
 * Synthetic ground truth for coordination detection, in the spirit of CooRTweet's
 * simulate_data: organic background posts plus planted campaigns whose accounts post variants
 * of the same texts in bursts (and co-repost and co-link), plus two kinds of traps:
 * near-miss groups whose identical posts are always just outside the window (never
 * coordinated), and straddle groups whose posts sit inside the window but on both sides of an
 * hour or minute boundary (always coordinated, missed by time-bin methods).
 * Posts stream out in batches, so 10M posts never sit in memory.
 */
import type { PostRecord } from '../../store/bulk.ts';
import { loadCorpus, type Corpus } from './corpus.ts';
import { createRng, type Rng } from '../../util/random.ts';
import { COMMON, variant } from './variants.ts';

export interface SyntheticOptions {
  /** Total posts, planted ones included. */
  posts: number;
  seed?: number;
  /** The detection window the traps are built around (s). */
  windowSeconds?: number;
  /** Time span of the data set (days). */
  spanDays?: number;
  /** Epoch ms of the first instant (default 2024-01-01T00:00:00Z). */
  start?: number;
  /** Planted campaigns (default scales with posts: 8 at 100k, 50 at 1M). */
  campaigns?: number;
  nearMissGroups?: number;
  straddleGroups?: number;
  /** Corpus to use (default: shared data when present, else built-in). */
  corpus?: Corpus;
}

export interface TruthCampaign {
  name: string;
  kind: 'campaign' | 'straddle';
  accounts: string[];
  posts: string[];
}

export interface SyntheticTruth {
  campaigns: TruthCampaign[];
  /** Coordinated post pairs by construction (platform post ids): in-window pairs of one campaign sharing a text, link, hashtags or repost target. */
  pairs: Array<[string, string]>;
  /** Identical posts by different accounts just outside the window: must never be edges. */
  nearMiss: Array<[string, string]>;
  /** In-window pairs on both sides of an hour or minute boundary: must be edges. */
  straddle: Array<[string, string]>;
  /** Accounts of the near-miss groups (must not appear in any campaign). */
  nearMissAccounts: string[];
  corpus: 'shared' | 'builtin';
}

export interface SyntheticData {
  truth: SyntheticTruth;
  planted: PostRecord[];
  /** Organic background posts, in batches. */
  organic(batchSize: number): Generator<PostRecord[]>;
  total: number;
}

const HOUR = 3600_000;
const MINUTE = 60_000;

function post(id: string, account: string, createdAt: number, text: string, extra: Partial<PostRecord> = {}): PostRecord {
  return {
    platformPostId: id, accountId: account, accountHandle: account, accountName: null, createdAt, text, language: 'zh', url: null,
    replyToId: null, repostOfId: null, hashtags: null, urls: null, mentions: null, status: 'visible', statusChangedAt: null,
    statusEvidence: null, extra: null, ...extra,
  };
}

/** Plans a synthetic data set: truth and planted posts now, organic posts on demand. */
export function generateSynthetic(opts: SyntheticOptions): SyntheticData {
  const rng = createRng(opts.seed ?? 1);
  const corpus = opts.corpus ?? loadCorpus();
  const W = (opts.windowSeconds ?? 3600) * 1000;
  const start = opts.start ?? Date.UTC(2024, 0, 1);
  const span = (opts.spanDays ?? 30) * 24 * HOUR;
  const nCampaigns = opts.campaigns ?? Math.max(8, Math.min(60, Math.round(opts.posts / 20000)));
  let nextPost = 0;
  let nextAccount = 0;
  // Ids carry no hint of which group they belong to.
  const postId = () => `${(nextPost++ * 7919 + 13).toString(36)}`;
  const accountId = () => `acct${(nextAccount++ * 104729 + 7).toString(36)}`;
  const planted: PostRecord[] = [];
  const truth: SyntheticTruth = { campaigns: [], pairs: [], nearMiss: [], straddle: [], nearMissAccounts: [], corpus: corpus.source };
  const usedTexts = new Set<string>();
  const freshText = () => campaignText(corpus, rng, usedTexts);

  // Organic repost targets, created first so campaigns can co-repost them too.
  const hotTargets = Array.from({ length: 300 }, () => `hot${postId()}`);

  for (let c = 0; c < nCampaigns; c++) {
    const accounts = Array.from({ length: rng.int(6, 30) }, accountId);
    const tc: TruthCampaign = { name: `campaign-${c}`, kind: 'campaign', accounts, posts: [] };
    const link = rng.chance(0.4) ? `https://news-${c}.example.com/story/${rng.int(1000, 9999)}` : null;
    const tags = rng.chance(0.3) ? [`话题${c}`, `支持${c}`] : null;
    const messages = rng.int(3, 5);
    // What each planted post shares with others, to list every pair coordinated by construction.
    const shared: Array<{ id: string; account: string; t: number; message: number; repost: string | null }> = [];
    for (let m = 0; m < messages; m++) {
      const base = freshText();
      const burstStart = start + rng.int(0, span - 2 * HOUR);
      const burstLen = rng.int(5, Math.max(6, Math.min(45, Math.floor((W * 0.9) / MINUTE)))) * MINUTE;
      const ids: string[] = [];
      for (const a of accounts) {
        if (!rng.chance(0.85)) continue;
        const t = burstStart + rng.int(0, burstLen);
        let text = variant(base, rng).text;
        const extra: Partial<PostRecord> = {};
        if (link) text += ` ${link}?utm_source=${rng.pick(['fb', 'tw', 'wx'])}&utm_campaign=${rng.int(1, 99)}`;
        if (tags) text += ` #${tags[0]}# #${tags[1]}#`;
        if (rng.chance(0.2)) extra.repostOfId = rng.pick(hotTargets);
        const id = postId();
        planted.push(post(id, a, t, text, extra));
        ids.push(id);
        shared.push({ id, account: a, t, message: m, repost: extra.repostOfId ?? null });
      }
      tc.posts.push(...ids);
    }
    // Same message, or (any message) the same link, hashtags or repost target, inside the window.
    for (let i = 0; i < shared.length; i++) {
      for (let j = i + 1; j < shared.length; j++) {
        const x = shared[i];
        const y = shared[j];
        if (x.account === y.account || Math.abs(x.t - y.t) > W) continue;
        if (x.message === y.message || link || tags || (x.repost && x.repost === y.repost)) truth.pairs.push([x.id, y.id]);
      }
    }
    truth.campaigns.push(tc);
  }

  // Near-miss groups: the same text, each post just beyond the window after the previous one.
  for (let g = 0; g < (opts.nearMissGroups ?? 3); g++) {
    const accounts = Array.from({ length: 3 }, accountId);
    truth.nearMissAccounts.push(...accounts);
    for (let m = 0; m < 3; m++) {
      const text = freshText();
      let t = start + rng.int(0, span - 6 * HOUR - 3 * W);
      const ids: string[] = [];
      for (const a of accounts) {
        const id = postId();
        planted.push(post(id, a, t, text));
        ids.push(id);
        t += W + rng.int(1, 60) * 1000;
      }
      for (let i = 0; i < ids.length; i++) for (let j = i + 1; j < ids.length; j++) truth.nearMiss.push([ids[i], ids[j]]);
    }
  }

  // Straddle groups: in-window posts on both sides of an hour or minute boundary.
  for (let g = 0; g < (opts.straddleGroups ?? 3); g++) {
    const accounts = Array.from({ length: 3 }, accountId);
    const tc: TruthCampaign = { name: `straddle-${g}`, kind: 'straddle', accounts, posts: [] };
    for (let m = 0; m < 3; m++) {
      const text = freshText();
      const unit = m === 1 ? MINUTE : HOUR;
      const boundary = Math.ceil((start + rng.int(HOUR, span - 2 * HOUR)) / unit) * unit;
      const half = Math.min(W / 2 - 1000, m === 2 ? W / 2 - 1000 : 20_000);
      const times = [boundary - half, boundary + rng.int(1, Math.max(1, half / 1000)) * 1000 - 1000, boundary + half];
      const ids: string[] = [];
      accounts.forEach((a, i) => {
        const id = postId();
        planted.push(post(id, a, times[i], text));
        ids.push(id);
      });
      for (let i = 0; i < ids.length; i++) for (let j = i + 1; j < ids.length; j++) {
        truth.straddle.push([ids[i], ids[j]]);
        truth.pairs.push([ids[i], ids[j]]);
      }
      tc.posts.push(...ids);
    }
    truth.campaigns.push(tc);
  }

  const organicCount = Math.max(0, opts.posts - planted.length);
  const organicAccounts = Math.max(200, Math.round(opts.posts / 20));
  const orgRng = createRng((opts.seed ?? 1) ^ 0x2545f491);
  const firstOrganicAccount = nextAccount;
  nextAccount += organicAccounts;
  const organicAccountId = (k: number) => `acct${((firstOrganicAccount + k) * 104729 + 7).toString(36)}`;
  const firstOrganicPost = nextPost;
  const organicPostId = (k: number) => `${((firstOrganicPost + k) * 7919 + 13).toString(36)}`;
  const popularUrls = Array.from({ length: 200 }, (_, i) => `https://site${i % 40}.example.org/p/${i}`);
  const popularTags = Array.from({ length: 100 }, (_, i) => `tag${i}`);

  function* organic(batchSize: number): Generator<PostRecord[]> {
    let batch: PostRecord[] = [];
    for (let k = 0; k < organicCount; k++) {
      const r = orgRng;
      let text = r.pick(corpus.organic);
      if (r.chance(0.3)) text = `${text}，${r.pick(corpus.organic)}`;
      const extra: Partial<PostRecord> = {};
      if (r.chance(0.08)) extra.repostOfId = r.pick(hotTargets);
      if (r.chance(0.08)) extra.replyToId = r.pick(hotTargets);
      if (r.chance(0.05)) text += ` ${r.pick(popularUrls)}`;
      if (r.chance(0.1)) extra.hashtags = Array.from({ length: r.int(1, 3) }, () => r.pick(popularTags));
      batch.push(post(organicPostId(k), organicAccountId(r.int(0, organicAccounts - 1)), start + r.int(0, span), text, extra));
      if (batch.length === batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length) yield batch;
  }

  return { truth, planted, organic, total: planted.length + organicCount };
}

/** A fresh campaign text: real reviews joined (or random common characters), plus a seed headline. */
function campaignText(corpus: Corpus, rng: Rng, used: Set<string>): string {
  for (;;) {
    const parts: string[] = [];
    let len = 0;
    if (corpus.seeds.length && rng.chance(0.4)) {
      const s = rng.pick(corpus.seeds);
      parts.push(s);
      len += s.length / 3;
    }
    while (len < 50 || parts.length < 2) {
      const piece = corpus.source === 'shared' ? rng.pick(corpus.organic) : randomClause(rng);
      if (piece.length < 8) continue;
      parts.push(piece.replace(/[。！!]+$/u, ''));
      len += piece.length;
    }
    const text = `${parts.join('，')}。`;
    if (!used.has(text)) {
      used.add(text);
      return text;
    }
  }
}

function randomClause(rng: Rng): string {
  let s = '';
  const n = rng.int(8, 14);
  for (let i = 0; i < n; i++) s += COMMON[rng.int(0, COMMON.length - 1)];
  return s;
}
