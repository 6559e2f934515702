/**
 * bench/watch: one simulated day on the simulated platform, watched by the adaptive schedule and
 * by a fixed-interval baseline (every post rechecked every N minutes, Weiboscope style) with the
 * same request budget, plus the adaptive schedule with a third of that budget. Simulator and
 * watcher share one VirtualClock, so the day runs as fast as the machine allows and every run
 * with the same seed gives the same figures. Prints, per disappearance kind, recall, precision,
 * median and p90 detection latency, and requests used.
 *
 *   npm run bench:watch [-- --seed N --budget R --posts P --fixed-minutes N]
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

const { values: args } = parseArgs({ options: {
  seed: { type: 'string', default: '42' }, budget: { type: 'string', default: '20' }, posts: { type: 'string', default: '1000' },
  'fixed-minutes': { type: 'string', default: '20' }, 'tail-hours': { type: 'string', default: '3' },
} });
const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 5);
const KINDS = ['removed_by_platform', 'deleted_by_author', 'account_gone'] as const;

interface Scored {
  name: string;
  requests: number;
  perKind: Record<string, { truth: number; found: number; detected: number; correct: number; latencies: number[] }>;
  wallMs: number;
}

const q = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))];
};

async function runOne(name: string, policy: Partial<SchedulePolicy>, budget: number): Promise<Scored> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-watch-'));
  const store = await openStore({ db: path.join(dir, 'w.db') });
  const clock = new VirtualClock(START);
  const sim = await startSim({ seed: Number(args.seed), clock, start: START, scenario: { postsPerDay: Number(args.posts) } });
  const t0 = Date.now();
  try {
    const src = await addSource(store, { kind: 'mastodon', url: sim.url, public: true, budgetPerMinute: budget, listEveryMs: 60_000 });
    const budgets = new Map<number, Budget>();
    // Posting runs for one day; deletions up to the day's end are scored, with a tail to catch them.
    await runWatch(store, { clock, durationMs: DAY + Number(args['tail-hours']) * 3_600_000, policy, sourceIds: [Number(src.id)], budgets });
    const truth = sim.truth().filter((e) => Date.parse(e.at) <= START + DAY && Number(e.id) >= 0);
    const created = new Map(sim.scenario.posts.map((p) => [p.id, p.created]));
    const dayTruth = truth.filter((e) => (created.get(e.id) ?? Infinity) < START + DAY);
    const found = await store.db.selectFrom('disappearances as d').innerJoin('posts as p', 'p.id', 'd.post_id')
      .select(['p.platform_post_id', 'd.kind', 'd.detected_at']).execute();
    const byId = new Map(dayTruth.map((e) => [e.id, e]));
    const allTruth = new Map(sim.truth().map((e) => [e.id, e]));
    const perKind: Scored['perKind'] = {};
    for (const k of KINDS) perKind[k] = { truth: dayTruth.filter((e) => e.kind === k).length, found: 0, detected: 0, correct: 0, latencies: [] };
    for (const f of found) {
      const pk = perKind[f.kind];
      if (!pk) continue;
      pk.detected++;
      const t = allTruth.get(f.platform_post_id);
      if (t && t.kind === f.kind) {
        pk.correct++;
        if (byId.has(f.platform_post_id)) {
          pk.found++;
          pk.latencies.push(Number(f.detected_at) - Date.parse(t.at));
        }
      }
    }
    return { name, requests: budgets.get(Number(src.id))!.used, perKind, wallMs: Date.now() - t0 };
  } finally {
    await sim.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const budget = Number(args.budget);
const fixedMs = Number(args['fixed-minutes']) * 60_000;
console.log(`bench/watch: one simulated day, seed ${args.seed}, ${args.posts} posts/day, budget ${budget} requests/min, tail ${args['tail-hours']} h`);
const baseline = await runOne(`fixed every ${args['fixed-minutes']} min (baseline)`, { kind: 'fixed', fixedMs }, budget);
// The third run's budget is at most a third of the requests the baseline actually used.
const minutes = (DAY + Number(args['tail-hours']) * 3_600_000) / 60_000;
const thirdBudget = Math.max(1, Math.floor(baseline.requests / 3 / minutes));
const runs = [
  baseline,
  await runOne('adaptive, same budget', { kind: 'adaptive' }, budget),
  await runOne(`adaptive, budget ${thirdBudget}/min (<= 1/3 of the baseline's requests)`, { kind: 'adaptive' }, thirdBudget),
];
const min = (ms: number) => (Number.isNaN(ms) ? '   -  ' : `${(ms / 60_000).toFixed(1).padStart(6)}`);
for (const r of runs) {
  console.log(`\n${r.name}: ${r.requests} requests (${(r.wallMs / 1000).toFixed(1)} s wall)`);
  console.log('  kind                  truth  recall  precision  median-min  p90-min');
  for (const k of KINDS) {
    const s = r.perKind[k];
    const recall = s.truth ? s.found / s.truth : NaN;
    const precision = s.detected ? s.correct / s.detected : NaN;
    console.log(`  ${k.padEnd(20)} ${String(s.truth).padStart(6)}  ${recall.toFixed(3)}   ${precision.toFixed(3)}     ${min(q(s.latencies, 0.5))}    ${min(q(s.latencies, 0.9))}`);
  }
}
const [base, same, third] = runs;
const med = (r: Scored) => q([...r.perKind.removed_by_platform.latencies, ...r.perKind.deleted_by_author.latencies], 0.5);
console.log(`\nmedian latency (removals + author deletions): baseline ${min(med(base))} min, adaptive ${min(med(same))} min, adaptive at 1/3 budget ${min(med(third))} min`);
console.log(`requests: adaptive/baseline = ${(same.requests / base.requests).toFixed(2)}, adaptive-1/3/baseline = ${(third.requests / base.requests).toFixed(2)}`);
console.log(`latency ratio adaptive/baseline = ${(med(same) / med(base)).toFixed(2)}; adaptive at 1/3 budget reaches baseline median: ${med(third) <= med(base) ? 'yes' : 'no'}`);
