/**
 * The simulated web's scripted histories and ground truth. Each simulated site has a kind (a news
 * front page, a government portal, an institution's site) and a list of phases: from a given time
 * the site is normal (at some edition of its content), injected with spam, defaced, taken down,
 * down or blocked. The script is a pure function of its options (seeded), so a bench run can be
 * scored against it: every phase change is a state change `{ site, at, expected }`.
 */
import type { SiteVerdict } from '../../../detect/sites/types.ts';
import { createRng, type Rng } from '../../../util/random.ts';

export type SiteKind = 'news' | 'gov' | 'institution';
export type Lang = 'zh' | 'en';

export type SiteState =
  /** The ordinary page; `edition` counts ordinary content updates (news pages change every minute anyway). */
  | { kind: 'normal'; edition: number }
  /** Spam added to the otherwise unchanged page: hidden links, a hidden iframe, an external script, or all three. */
  | { kind: 'injected'; edition: number; how: 'links' | 'iframe' | 'script' | 'all'; spam: 'gambling' | 'pharma' }
  /** The whole page replaced by a defacer's page, or only the title (and a banner) replaced. */
  | { kind: 'defaced'; edition: number; how: 'replaced' | 'title'; crew: string }
  /** 404, 410, a shutdown / ICP-revocation notice (200), or a redirect to a parked-domain page. */
  | { kind: 'gone'; how: '404' | '410' | 'notice' | 'parked' }
  /** Connection refused (nothing listens), reset, no answer (the fetch times out), or 503 answers. */
  | { kind: 'down'; how: 'refused' | 'reset' | 'timeout' | '503' }
  /** The server answers normally; the blocking probe measures the site blocked (the test or bench inserts it). */
  | { kind: 'blocked'; edition: number };

export interface Phase {
  from: number;
  state: SiteState;
}

export interface SimSite {
  /** The path prefix: the site is served at http://127.0.0.1:PORT/<id>/. */
  id: string;
  name: string;
  kind: SiteKind;
  lang: Lang;
  /** The charset the page is encoded in (some Chinese government sites still serve GB2312). */
  charset: 'utf-8' | 'gb2312';
  /** Phases, ordered by `from`; the first starts at the script's start. */
  phases: Phase[];
  /** A site with a refused-connection outage is served on its own port, closed during the outage. */
  ownPort: boolean;
}

/** One scripted state change, with the verdict its first capture should get. */
export interface StateChange {
  site: string;
  at: number;
  state: SiteState;
  expected: SiteVerdict;
  /** Verdicts counted as right (a recovery may be `reachable` or `updated`, depending on the baseline). */
  accepted: SiteVerdict[];
  /** Why this verdict: the kind of change, for the confusion matrix. */
  label: string;
}

export interface ScriptOptions {
  seed: number;
  start: number;
  durationMs: number;
  sites: number;
  /** How often the watcher visits each site: phases last at least `minVisits` visits. */
  visitEveryMs: number;
  /** Visits each abnormal phase lasts at least (default 3). */
  minVisits?: number;
  /** Shares of each kind of history (defaults below). */
  mix?: Partial<Record<HistoryKind, number>>;
  /**
   * Weights of the kinds of outage (default: 503 twice as often as the others). A timeout costs
   * the watcher its fetch timeout in wall-clock time even on a virtual clock, so benches weigh it low.
   */
  outages?: Partial<Record<DownHow, number>>;
}

export type DownHow = Extract<SiteState, { kind: 'down' }>['how'];
const DEFAULT_OUTAGES: Record<DownHow, number> = { refused: 1, reset: 1, '503': 2, timeout: 1 };

/** What happens to a site over the run. */
export type HistoryKind = 'news' | 'news-outage' | 'news-injection' | 'injection' | 'defacement' | 'takedown' | 'outage' | 'steady' | 'blocked';
export const DEFAULT_MIX: Record<HistoryKind, number> = {
  news: 0.17, 'news-outage': 0.05, 'news-injection': 0.05, injection: 0.18, defacement: 0.15, takedown: 0.15, outage: 0.15, steady: 0.1, blocked: 0,
};

const CREWS = ['Sh4d0w Cr3w', 'Team NullSec', 'GhostSquad', 'Ir0n Falc0n', 'Cyb3r Kh4n', '红客联盟', 'Dark Moon Team', 'Bl4ck Lotus'];
const ZH_GOV = ['青河', '临江', '安平', '云岭', '白沙', '东湖', '北川', '石桥', '南屏', '长乐', '丰泽', '松原'];
const EN_INST = ['Riverton', 'Eastfield', 'Northgate', 'Lakeside', 'Westbrook', 'Hillcrest', 'Stonebridge', 'Fairhaven', 'Oakdale', 'Brightwater'];
const ZH_NEWS = ['晨报', '日报', '新闻网', '都市报', '快讯', '时报'];
const EN_NEWS = ['Courier', 'Gazette', 'Chronicle', 'Herald', 'Ledger', 'Observer'];

/** The verdict a state's first capture should get, given the state before it. */
export function expectedFor(prev: SiteState | null, next: SiteState): Pick<StateChange, 'expected' | 'accepted' | 'label'> {
  switch (next.kind) {
    case 'injected': return { expected: 'injected', accepted: ['injected'], label: `injected (${next.how}, ${next.spam})` };
    case 'defaced': return { expected: 'defaced', accepted: ['defaced'], label: `defaced (${next.how})` };
    case 'gone': return { expected: 'taken_down', accepted: ['taken_down'], label: `taken down (${next.how})` };
    case 'down': return { expected: 'down', accepted: ['down'], label: `down (${next.how})` };
    case 'blocked': return { expected: 'blocked', accepted: ['blocked'], label: 'blocked (probe)' };
    case 'normal':
      if (prev && prev.kind === 'normal' && next.edition !== prev.edition) return { expected: 'updated', accepted: ['updated'], label: 'ordinary update' };
      // Back to normal: compared with the last healthy capture it is the same page (reachable), or a newer edition (updated).
      return { expected: 'reachable', accepted: ['reachable', 'updated'], label: `recovered from ${prev?.kind ?? 'nothing'}` };
  }
}

function pickWeighted<K extends string>(rng: Rng, weights: Record<K, number>): K {
  const entries = Object.entries(weights) as Array<[K, number]>;
  const total = entries.reduce((a, [, w]) => a + w, 0);
  let r = rng.next() * total;
  for (const [k, w] of entries) {
    if ((r -= w) < 0) return k;
  }
  return entries[entries.length - 1]![0];
}

/** Builds the seeded script: `sites` sites and their phases over [start, start + durationMs). */
export function buildScript(o: ScriptOptions): SimSite[] {
  const rng = createRng(o.seed ^ 0x3eb);
  const mix = { ...DEFAULT_MIX, ...o.mix };
  const outages = { ...DEFAULT_OUTAGES, ...o.outages };
  const v = o.visitEveryMs;
  const minVisits = o.minVisits ?? 3;
  const end = o.start + o.durationMs;
  const sites: SimSite[] = [];
  for (let i = 0; i < o.sites; i++) {
    const history = pickWeighted(rng, mix);
    const isNews = history === 'news' || history === 'news-outage' || history === 'news-injection';
    const lang: Lang = rng.chance(0.6) ? 'zh' : 'en';
    // Chinese portals get gambling spam, English ones mostly pharma link farms.
    const kind: SiteKind = isNews ? 'news' : lang === 'zh' && (history === 'injection' || rng.chance(0.5)) ? 'gov' : 'institution';
    const siteLang: Lang = kind === 'gov' ? 'zh' : lang;
    const id = `${kind}-${String(i + 1).padStart(3, '0')}`;
    const name = kind === 'news'
      ? siteLang === 'zh' ? `${rng.pick(ZH_GOV)}${rng.pick(ZH_NEWS)}` : `The ${rng.pick(EN_INST)} ${rng.pick(EN_NEWS)}`
      : kind === 'gov' ? `${rng.pick(ZH_GOV)}市人民政府` : siteLang === 'zh' ? `${rng.pick(ZH_GOV)}职业技术学院` : `${rng.pick(EN_INST)} Community College`;
    const charset = kind === 'gov' && rng.chance(0.3) ? 'gb2312' : 'utf-8';
    const phases: Phase[] = [{ from: o.start, state: { kind: 'normal', edition: 0 } }];
    let edition = 0;
    // Abnormal phases last minVisits..minVisits+6 visits; healthy stretches between them at least minVisits+1.
    const span = () => (minVisits + rng.int(0, 6)) * v + rng.int(0, v - 1);
    let t = o.start + (minVisits + rng.int(1, 8)) * v + rng.int(0, v - 1);
    const push = (state: SiteState, len: number) => {
      phases.push({ from: t, state });
      t += len;
    };
    while (t < end - 2 * minVisits * v) {
      const healthy = () => ({ kind: 'normal' as const, edition });
      const roll = rng.next();
      if (history === 'steady' || ((history === 'injection' || history === 'defacement') && roll < 0.25 && kind !== 'news')) {
        edition++;
        push(healthy(), span());
        continue;
      }
      switch (history) {
        case 'news':
          t = end; // A news front page only changes its content: no scripted state change.
          continue;
        case 'news-outage':
          push({ kind: 'down', how: rng.chance(0.7) ? '503' : 'reset' }, span());
          break;
        case 'news-injection':
        case 'injection':
          push({ kind: 'injected', edition, how: rng.pick(['links', 'iframe', 'script', 'all'] as const), spam: siteLang === 'zh' || rng.chance(0.3) ? 'gambling' : 'pharma' }, span());
          break;
        case 'defacement':
          push({ kind: 'defaced', edition, how: rng.chance(0.65) ? 'replaced' : 'title', crew: rng.pick(CREWS) }, span());
          break;
        case 'takedown': {
          const how = rng.pick(['404', '410', 'notice', 'parked'] as const);
          // Half the takedowns are final; the others come back (a lapsed registration renewed, a notice lifted).
          if (rng.chance(0.5)) {
            push({ kind: 'gone', how }, end - t);
            continue;
          }
          push({ kind: 'gone', how }, span());
          break;
        }
        case 'outage':
          push({ kind: 'down', how: pickWeighted(rng, outages) }, span());
          break;
        case 'blocked':
          push({ kind: 'blocked', edition }, span());
          break;
      }
      if (t >= end) break;
      push(healthy(), span() + minVisits * v);
    }
    // Phases that start past the end are never seen: drop them.
    const seen = phases.filter((p) => p.from < end);
    const ownPort = seen.some((p) => p.state.kind === 'down' && p.state.how === 'refused');
    sites.push({ id, name, kind, lang: siteLang, charset, phases: seen, ownPort });
  }
  return sites;
}

/** The state of `site` at time `t`. */
export function stateAt(site: SimSite, t: number): SiteState {
  let cur = site.phases[0]!.state;
  for (const p of site.phases) {
    if (p.from > t) break;
    cur = p.state;
  }
  return cur;
}

/** Every scripted state change of `sites` up to `until` (the start's normal phase is not a change). */
export function stateChanges(sites: readonly SimSite[], until = Infinity): StateChange[] {
  const out: StateChange[] = [];
  for (const s of sites) {
    for (let i = 1; i < s.phases.length; i++) {
      const p = s.phases[i]!;
      if (p.from > until) break;
      out.push({ site: s.id, at: p.from, state: p.state, ...expectedFor(s.phases[i - 1]!.state, p.state) });
    }
  }
  return out.sort((a, b) => a.at - b.at || a.site.localeCompare(b.site));
}

/** The verdicts right for a capture of `site` at `t` in the steady state (no change since the previous capture). */
export function steadyVerdicts(site: SimSite, t: number): SiteVerdict[] {
  const st = stateAt(site, t);
  if (st.kind === 'normal') return site.kind === 'news' ? ['updated', 'reachable'] : ['reachable'];
  return expectedFor(null, st).accepted;
}
