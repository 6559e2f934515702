/**
 * The simulated platform's world, generated from a seed one simulated day at a time (so it is
 * unbounded yet deterministic): accounts, a stream of posts, and each post's fate decided up
 * front — platform removal (censor rules + fitted delay), author deletion, account suspension,
 * edits, "ghost" posts that leave timelines but still answer a lookup — plus coordinated
 * campaigns. What anyone can see at time t is a pure function of the scenario and t.
 */
import * as OpenCC from 'opencc-js';
import { createRng, type Rng } from '../../util/random.ts';
import { loadCorpus, sharedDataDir } from '../synthetic/corpus.ts';
import { drawAuthorDelay, drawRemovalDelay, loadRules, matchRule, type Rule } from './censor.ts';

export type TruthKind = 'removed_by_platform' | 'deleted_by_author' | 'account_gone';
/** One disappearance as the platform knows it. */
export interface TruthEvent { id: string; kind: TruthKind; at: string }

export interface SimAccount {
  idx: number;
  id: string;
  handle: string;
  name: string;
  suspendedAt: number | null;
  campaign: boolean;
}

export interface SimPost {
  idx: number;
  id: string;
  account: SimAccount;
  created: number;
  text: string;
  tags: string[];
  urls: string[];
  reblogOf: string | null;
  edit: { at: number; text: string } | null;
  fate: { kind: TruthKind; at: number } | null;
  /** From this time on the post no longer appears in timelines, but still answers a lookup. */
  ghostFrom: number | null;
}

export interface ScenarioOptions {
  seed: number;
  start: number;
  postsPerDay?: number;
  accounts?: number;
  /** Share of posts that carry a censored keyword combination. */
  sensitiveShare?: number;
  authorDeleteShare?: number;
  /** Accounts suspended per simulated day. */
  suspensionsPerDay?: number;
  campaignsPerDay?: number;
  /** Bursts each campaign posts, 45 minutes apart (default 1); each member posts once a burst. */
  campaignWaves?: number;
  ghostShare?: number;
  editShare?: number;
  /** Shared data folder, or null for built-in text and rules only. */
  dataDir?: string | null;
}

const DAY = 86_400_000;
const toTraditional = OpenCC.Converter({ from: 'cn', to: 'tw' });
const TAGS = ['日常', '美食', '旅行', '新闻', '生活'];

// Campaign texts when the shared Spamouflage seeds are absent (a user's machine). Each campaign
// needs its own message, as with the real seeds: with a couple of texts, campaigns of the same
// day posted the same words and the detector rightly merged them. Three clauses from three
// lists: two texts share at most two clauses, far below the detector's 0.8 similarity.
const OPENINGS = ['坚决拥护清朗行动', '境外媒体又在造谣抹黑', '网络空间不是法外之地', '我们要相信官方通报', '某些大V别有用心', '请大家擦亮眼睛'];
const MIDDLES = ['净化网络环境人人有责', '真相终将大白于天下', '谣言止于智者', '团结一心共建美好家园', '不信谣不传谣', '抵制境外势力渗透'];
const CLOSINGS = ['大家一起转发支持', '为祖国点赞', '请看权威发布', '让正能量充满网络', '点赞关注不迷路', '守护我们的家园'];
const BUILTIN_SEEDS = OPENINGS.flatMap((a) => MIDDLES.flatMap((b) => CLOSINGS.map((c) => `${a}，${b}，${c}！`)));

export class Scenario {
  readonly accounts: SimAccount[] = [];
  readonly posts: SimPost[] = [];
  readonly byId = new Map<string, SimPost>();
  readonly postsByAccount = new Map<string, SimPost[]>();
  private readonly organic: string[];
  private readonly seeds: string[];
  private readonly rules: Rule[];
  private days = 0;
  private readonly o: Required<Omit<ScenarioOptions, 'dataDir'>>;

  constructor(opts: ScenarioOptions) {
    this.o = {
      postsPerDay: 2000, accounts: 300, sensitiveShare: 0.12, authorDeleteShare: 0.05, suspensionsPerDay: 3,
      campaignsPerDay: 2, campaignWaves: 1, ghostShare: 0.02, editShare: 0.03, ...opts,
    };
    const dataDir = opts.dataDir === undefined ? sharedDataDir() : opts.dataDir;
    const corpus = loadCorpus(dataDir);
    this.organic = corpus.organic;
    this.seeds = corpus.seeds.length ? corpus.seeds : BUILTIN_SEEDS;
    this.rules = loadRules(dataDir);
    const rng = createRng(opts.seed);
    for (let i = 0; i < this.o.accounts; i++) this.addAccount(rng, false);
  }

  get start(): number {
    return this.o.start;
  }

  private addAccount(rng: Rng, campaign: boolean): SimAccount {
    const idx = this.accounts.length;
    const a: SimAccount = { idx, id: String(1000 + idx), handle: `${campaign ? 'voice' : 'user'}${idx}_${rng.int(10, 99)}`, name: `用户${idx}`, suspendedAt: null, campaign };
    this.accounts.push(a);
    this.postsByAccount.set(a.id, []);
    return a;
  }

  /** Generates simulated days until `t` is covered. */
  ensureUntil(t: number): void {
    while (this.o.start + this.days * DAY <= t) this.generateDay(this.days++);
  }

  private push(p: Omit<SimPost, 'idx' | 'id'>): SimPost {
    const idx = this.posts.length;
    const post: SimPost = { ...p, idx, id: String(110_000_000_000 + idx) };
    this.posts.push(post);
    this.byId.set(post.id, post);
    this.postsByAccount.get(post.account.id)!.push(post);
    return post;
  }

  private generateDay(d: number): void {
    const rng = createRng((this.o.seed * 1_000_003 + d * 7919) >>> 0);
    const dayStart = this.o.start + d * DAY;
    type Draft = Omit<SimPost, 'idx' | 'id'>;
    const drafts: Draft[] = [];
    // Organic stream: Poisson arrivals.
    let t = dayStart;
    const mean = DAY / this.o.postsPerDay;
    for (;;) {
      t += Math.max(1000, Math.round(-Math.log(1 - rng.next()) * mean));
      if (t >= dayStart + DAY) break;
      const account = this.accounts[rng.int(0, this.o.accounts - 1)];
      let text = rng.pick(this.organic).slice(0, 280);
      if (rng.chance(this.o.sensitiveShare)) text = plant(rng, text, rng.pick(this.rules));
      else if (rng.chance(0.03)) text = plant(rng, text, [rng.pick(this.rules)[0]]); // decoy: one component only
      drafts.push({ account, created: t, text, tags: rng.chance(0.2) ? [rng.pick(TAGS)] : [], urls: [], reblogOf: null, edit: null, fate: null, ghostFrom: null });
    }
    // Coordinated campaigns: a group of dedicated accounts posting near-identical texts in a burst.
    for (let c = 0; c < this.o.campaignsPerDay; c++) {
      const members = Array.from({ length: rng.int(6, 12) }, () => this.addAccount(rng, true));
      const seed = rng.pick(this.seeds).slice(0, 200);
      const link = `https://news.example/${d}-${c}-${rng.int(1000, 9999)}`;
      const burst = dayStart + rng.int(1, 22) * 3_600_000;
      for (const m of members) {
        const variant = rng.chance(0.4) ? toTraditional(seed) : seed;
        drafts.push({ account: m, created: burst + rng.int(0, 20 * 60_000), text: `${variant} ${link}`, tags: ['真相'], urls: [link], reblogOf: null, edit: null, fate: null, ghostFrom: null });
      }
      // Later bursts draw from the generator only when asked for, so one-burst worlds stay as they were.
      for (let w = 1; w < this.o.campaignWaves; w++) {
        const at = Math.min(dayStart + DAY - 21 * 60_000, burst + w * 45 * 60_000);
        for (const m of members) {
          const variant = rng.chance(0.4) ? toTraditional(seed) : seed;
          drafts.push({ account: m, created: at + rng.int(0, 20 * 60_000), text: `${variant} ${link}`, tags: ['真相'], urls: [link], reblogOf: null, edit: null, fate: null, ghostFrom: null });
        }
      }
    }
    drafts.sort((a, b) => a.created - b.created);
    // Suspensions decided for the day, applied to every post of the account still standing.
    const suspended: Array<[SimAccount, number]> = [];
    for (let s = 0; s < this.o.suspensionsPerDay; s++) {
      const a = this.accounts[rng.int(0, this.accounts.length - 1)];
      if (a.suspendedAt == null) {
        a.suspendedAt = dayStart + rng.int(0, DAY - 1);
        suspended.push([a, a.suspendedAt]);
      }
    }
    let firstOfCampaign = new Map<string, string>();
    for (const dr of drafts) {
      if (dr.account.suspendedAt != null && dr.account.suspendedAt <= dr.created) continue;
      const rule = matchRule(this.rules, dr.text);
      if (rule && rng.chance(0.97)) dr.fate = { kind: 'removed_by_platform', at: dr.created + drawRemovalDelay(rng) };
      else if (rng.chance(this.o.authorDeleteShare)) dr.fate = { kind: 'deleted_by_author', at: dr.created + drawAuthorDelay(rng) };
      else if (rng.chance(this.o.ghostShare)) dr.ghostFrom = dr.created + rng.int(60_000, 3_600_000);
      if (!dr.fate && rng.chance(this.o.editShare)) dr.edit = { at: dr.created + rng.int(60_000, 6 * 3_600_000), text: `${dr.text}（已编辑）` };
      const link = dr.urls[0];
      if (link && firstOfCampaign.has(link) && rng.chance(0.3)) dr.reblogOf = firstOfCampaign.get(link)!;
      const post = this.push(dr);
      if (link && !firstOfCampaign.has(link)) firstOfCampaign.set(link, post.id);
    }
    firstOfCampaign = new Map();
    for (const [a, at] of suspended) {
      for (const p of this.postsByAccount.get(a.id)!) {
        if (p.created < at && (!p.fate || p.fate.at > at)) p.fate = { kind: 'account_gone', at };
      }
    }
  }

  /** Disappearances that happened at or before `t`, in time order. */
  truthUntil(t: number): TruthEvent[] {
    return this.posts.filter((p) => p.fate && p.fate.at <= t && p.created <= t)
      .sort((a, b) => a.fate!.at - b.fate!.at || a.idx - b.idx)
      .map((p) => ({ id: p.id, kind: p.fate!.kind, at: new Date(p.fate!.at).toISOString() }));
  }
}

/** Inserts each component of a rule at a random position, in random order. */
function plant(rng: Rng, text: string, rule: Rule): string {
  let out = text;
  for (const c of rng.shuffle([...rule])) {
    const at = rng.int(0, out.length);
    out = `${out.slice(0, at)}${c}${out.slice(at)}`;
  }
  return out;
}
