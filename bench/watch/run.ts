/**
 * bench/watch: one simulated day on the simulated platform in Mastodon mode (it answers as
 * Mastodon 4.x does: an author's deletion and a moderator's removal are the same 404, so both
 * must come out `deleted`), watched by four runs:
 *   1. the fixed-interval baseline (every post rechecked every N minutes, Weiboscope style) at
 *      the budget it needs to keep up, computed and printed — the fair baseline;
 *   2. the adaptive schedule at the stated budget;
 *   3. the fixed-interval baseline at that same budget;
 *   4. the adaptive schedule at a third of the requests the fair baseline used.
 * Both policies get the same slow-down rule when the budget cannot keep up (src/watch/policy.ts).
 * Simulator and watcher share one VirtualClock, so a run's figures depend only on the seed.
 * Prints, per reported kind, recall, precision, median and p90 detection latency, requests and
 * the observed revisit interval; reports its targets through bench/targets.ts (non-zero exit on
 * a miss, BENCH_SUMMARY_DIR for the summary table).
 *
 *   npm run bench:watch [-- --seed N --budget R --posts P --fixed-minutes N --tail-hours H]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openStore } from '../../src/store/open.ts';
import { startSim } from '../../src/collect/sim/server.ts';
import { addSource } from '../../src/collect/sources/add.ts';
import { runWatch } from '../../src/watch/run.ts';
import { VirtualClock } from '../../src/watch/clock.ts';
import type { SchedulePolicy } from '../../src/watch/policy.ts';
import type { Budget } from '../../src/collect/sources/http.ts';
import type { TruthKind } from '../../src/collect/sim/scenario.ts';
import { reportTargets, type TargetRow } from '../targets.ts';

// `--scale`: checks a minute with many requests in flight (bench/watch/scale.ts) instead of the day.
if (process.argv.includes('--scale')) {
  await import('./scale.ts');
  process.exit();
}
const { values: args } = parseArgs({ options: {
  seed: { type: 'string', default: '42' }, budget: { type: 'string', default: '20' }, posts: { type: 'string', default: '1000' },
  'fixed-minutes': { type: 'string', default: '20' }, 'tail-hours': { type: 'string', default: '3' },
} });
const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 5);
/** What the watcher can report on Mastodon, and which truth each covers. */
const REPORTED = ['deleted', 'account_gone'] as const;
type Reported = (typeof REPORTED)[number];
const EXPECTED: Record<TruthKind, Reported> = { removed_by_platform: 'deleted', deleted_by_author: 'deleted', account_gone: 'account_gone' };
/** Kinds that name who acted: Mastodon gives no signal for either. */
const ATTRIBUTED = new Set(['deleted_by_author', 'removed_by_platform']);

interface KindScore { truth: number; found: number; detected: number; correct: number; latencies: number[] }
interface Scored {
  name: string;
  budget: number;
  requests: number;
  perKind: Record<Reported, KindScore>;
  /** Recall of `deleted` split by who really acted (the simulator's truth). */
  byActor: Record<'removed_by_platform' | 'deleted_by_author', { truth: number; found: number }>;
  attributed: number;
  /** Gaps between consecutive checks of a post that stayed visible (ms). */
  gaps: number[];
  wallMs: number;
}

const q = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))];
};

const runMs = DAY + Number(args['tail-hours']) * 3_600_000;
const runMinutes = runMs / 60_000;

async function runOne(name: string, policy: Partial<SchedulePolicy>, budget: number): Promise<Scored> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-watch-'));
  const store = await openStore({ db: path.join(dir, 'w.db') });
  const clock = new VirtualClock(START);
  const sim = await startSim({ platform: 'mastodon', seed: Number(args.seed), clock, start: START, scenario: { postsPerDay: Number(args.posts) } });
  const t0 = Date.now();
  try {
    const src = await addSource(store, { kind: 'mastodon', url: sim.url, public: true, budgetPerMinute: budget, listEveryMs: 60_000 });
    const budgets = new Map<number, Budget>();
    // Posting runs for one day; deletions up to the day's end are scored, with a tail to catch them.
    await runWatch(store, { clock, durationMs: runMs, policy, sourceIds: [Number(src.id)], budgets });
    const created = new Map(sim.scenario.posts.map((p) => [p.id, p.created]));
    const allTruth = new Map(sim.truth().map((e) => [e.id, e]));
    const dayTruth = new Map([...allTruth].filter(([id, e]) => Date.parse(e.at) <= START + DAY && (created.get(id) ?? Infinity) < START + DAY));
    const found = await store.db.selectFrom('disappearances as d').innerJoin('posts as p', 'p.id', 'd.post_id')
      .select(['p.platform_post_id', 'd.kind', 'd.detected_at']).execute();
    const perKind = Object.fromEntries(REPORTED.map((k) => [k, { truth: 0, found: 0, detected: 0, correct: 0, latencies: [] as number[] }])) as Record<Reported, KindScore>;
    const byActor = { removed_by_platform: { truth: 0, found: 0 }, deleted_by_author: { truth: 0, found: 0 } };
    for (const e of dayTruth.values()) {
      perKind[EXPECTED[e.kind]].truth++;
      if (e.kind !== 'account_gone') byActor[e.kind].truth++;
    }
    let attributed = 0;
    for (const f of found) {
      if (ATTRIBUTED.has(f.kind)) attributed++;
      const pk = perKind[f.kind as Reported];
      if (!pk) continue;
      pk.detected++;
      const t = allTruth.get(f.platform_post_id);
      if (!t || EXPECTED[t.kind] !== f.kind) continue;
      pk.correct++;
      if (dayTruth.has(f.platform_post_id)) {
        pk.found++;
        pk.latencies.push(Number(f.detected_at) - Date.parse(t.at));
        if (t.kind !== 'account_gone') byActor[t.kind].found++;
      }
    }
    const obs = await store.db.selectFrom('observations').select(['post_id', 'observed_at', 'outcome']).orderBy('post_id').orderBy('observed_at').execute();
    const gaps: number[] = [];
    for (let i = 1; i < obs.length; i++) {
      if (obs[i].post_id === obs[i - 1].post_id && obs[i - 1].outcome === 'visible' && obs[i].outcome === 'visible') gaps.push(Number(obs[i].observed_at) - Number(obs[i - 1].observed_at));
    }
    return { name, budget, requests: budgets.get(Number(src.id))!.used, perKind, byActor, attributed, gaps, wallMs: Date.now() - t0 };
  } finally {
    await sim.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const budget = Number(args.budget);
const posts = Number(args.posts);
const fixedMinutes = Number(args['fixed-minutes']);
const fixedMs = fixedMinutes * 60_000;
// What the fixed policy needs to keep up: at the end of the run every post listed so far is
// due once per interval (no post reaches the 7-day horizon within the run), plus one listing a
// minute, plus 10% for confirming re-checks, account checks and retries of injected faults.
const trackedAtEnd = posts * runMs / DAY;
const fairBudget = Math.ceil((trackedAtEnd / fixedMinutes + 1) * 1.1);

console.log(`bench/watch: one simulated day (+${args['tail-hours']} h tail), seed ${args.seed}, ${posts} posts/day, simulator in Mastodon mode`);
console.log(`fixed-interval budget needed to keep up: ${trackedAtEnd.toFixed(0)} posts tracked at the end / ${fixedMinutes} min + 1 listing/min, +10% = ${fairBudget} requests/min`);
console.log('baselines: (1) fixed at the budget it needs (fair baseline); (3) fixed at the same budget as the adaptive run; both with the same slow-down rule as the adaptive schedule');

const fair = await runOne(`(1) fixed every ${fixedMinutes} min at ${fairBudget}/min (fair baseline)`, { kind: 'fixed', fixedMs }, fairBudget);
const adaptive = await runOne(`(2) adaptive at ${budget}/min`, { kind: 'adaptive' }, budget);
const equal = await runOne(`(3) fixed every ${fixedMinutes} min at ${budget}/min (same-budget baseline)`, { kind: 'fixed', fixedMs }, budget);
const thirdBudget = Math.max(1, Math.floor(fair.requests / 3 / runMinutes));
const third = await runOne(`(4) adaptive at ${thirdBudget}/min (<= 1/3 of the fair baseline's requests)`, { kind: 'adaptive' }, thirdBudget);
const runs = [fair, adaptive, equal, third];

const min = (ms: number) => (Number.isNaN(ms) ? '     -' : `${(ms / 60_000).toFixed(1).padStart(6)}`);
const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : '-');
const recallOf = (s: KindScore) => (s.truth ? s.found / s.truth : NaN);
const precisionOf = (s: KindScore) => (s.detected ? s.correct / s.detected : NaN);
for (const r of runs) {
  console.log(`\n${r.name}: ${r.requests} requests (${(r.requests / runMinutes).toFixed(1)}/min), revisit gap of visible posts p50 ${min(q(r.gaps, 0.5))} p90 ${min(q(r.gaps, 0.9))} min (${(r.wallMs / 1000).toFixed(1)} s wall)`);
  console.log('  kind                  truth  recall  precision  median-min  p90-min');
  for (const k of REPORTED) {
    const s = r.perKind[k];
    console.log(`  ${k.padEnd(20)} ${String(s.truth).padStart(6)}  ${recallOf(s).toFixed(3)}   ${precisionOf(s).toFixed(3)}     ${min(q(s.latencies, 0.5))}    ${min(q(s.latencies, 0.9))}`);
  }
  const a = r.byActor;
  console.log(`  deleted, by who really acted (unknowable from Mastodon's answers): moderator ${a.removed_by_platform.found}/${a.removed_by_platform.truth}, author ${a.deleted_by_author.found}/${a.deleted_by_author.truth}; attributed without a signal: ${r.attributed}`);
}

const med = (r: Scored) => q(r.perKind.deleted.latencies, 0.5);
const recall = (r: Scored) => recallOf(r.perKind.deleted);
const worstPrecision = Math.min(...runs.flatMap((r) => REPORTED.map((k) => precisionOf(r.perKind[k])).filter((p) => !Number.isNaN(p))));
const attributed = runs.reduce((n, r) => n + r.attributed, 0);
const rows: TargetRow[] = [
  { measure: 'disappearances attributed to author or platform without a platform signal (all runs)', value: String(attributed), target: '0', met: attributed === 0 },
  { measure: 'precision, worst run and kind', value: worstPrecision.toFixed(3), target: '>= 0.99', met: worstPrecision >= 0.99 },
  {
    measure: `median latency of deleted, adaptive at ${budget}/min`, value: `${min(med(adaptive)).trim()} min`,
    baseline: `fixed at ${budget}/min ${min(med(equal)).trim()} min`, ratio: `${ratio(med(adaptive), med(equal))}x latency at ${ratio(adaptive.requests, equal.requests)}x requests`, target: '<= same-budget baseline', met: med(adaptive) <= med(equal),
  },
  {
    measure: `recall of deleted, adaptive at ${budget}/min`, value: recall(adaptive).toFixed(3),
    baseline: `fixed at ${budget}/min ${recall(equal).toFixed(3)}`, target: '>= same-budget baseline', met: recall(adaptive) >= recall(equal),
  },
  {
    measure: `median latency of deleted, adaptive at ${thirdBudget}/min (${third.requests} requests)`, value: `${min(med(third)).trim()} min`,
    baseline: `fixed at ${fairBudget}/min ${min(med(fair)).trim()} min, ${fair.requests} requests`, ratio: `${ratio(med(third), med(fair))}x latency at ${ratio(third.requests, fair.requests)}x requests`,
    target: '<= fair baseline', met: med(third) <= med(fair),
  },
  {
    measure: `median latency of deleted, adaptive at ${budget}/min`, value: `${min(med(adaptive)).trim()} min`,
    baseline: `fixed at ${fairBudget}/min ${min(med(fair)).trim()} min`, ratio: `${ratio(med(adaptive), med(fair))}x latency at ${ratio(adaptive.requests, fair.requests)}x requests`, met: null,
  },
];
reportTargets('watch', rows);
