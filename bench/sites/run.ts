/**
 * bench/sites: a seeded simulated web (src/collect/sim/web: news front pages changing every
 * minute, government and institution portals injected with spam, defaced, taken down, parked,
 * down) watched for a few virtual hours by the REAL watcher (runWatch with a VirtualClock shared
 * with the simulated web), the real store (SQLite; PostgreSQL with --pg or TEST_DATABASE_URL) and
 * the real web archive. Scored against the script:
 *   - verdict accuracy: the share of scripted state changes whose first capture has the expected
 *     verdict (target >= 98%), per kind of change and as a confusion matrix;
 *   - `defaced`/`injected` on pages that only changed in ordinary ways (news churn, edition
 *     updates; target 0);
 *   - alerts without a real change, against the baseline a competent user runs today: a
 *     changedetection.io/urlwatch-style "any change of the visible text is an alert" monitor (and
 *     the same with digits masked) over the very same archived captures;
 *   - captures per minute (wall), archive bytes per capture (gzip WARC with deduplication) against
 *     the payload bytes served, and the classifier's time per capture (median, replayed from the archive).
 *
 *   npm run bench:sites [-- --seed N --sites 200 --hours 3 --every-min 5 --pg]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore, type Store } from '../../src/store/open.ts';
import { openArchive, archiveBytes } from '../../src/archive/index.ts';
import { addSite } from '../../src/watch/sites/tracked.ts';
import { sitesSource } from '../../src/watch/sites/source.ts';
import { runWatch } from '../../src/watch/run.ts';
import { VirtualClock } from '../../src/watch/clock.ts';
import { blockedProbe, buildScript, startSimWeb } from '../../src/collect/sim/web/index.ts';
import { classifyCapture, snapshotOf, type CaptureHistory } from '../../src/detect/sites/classify.ts';
import type { FetchOutcome, SiteVerdict } from '../../src/detect/sites/types.ts';
import { fingerprint, type BaselineInput } from './baseline.ts';
import { formatConfusion, scoreAlerts, scoreCaptures, verdictAlerts, type ScoredCapture } from './score.ts';
import { reportTargets, type TargetRow } from '../targets.ts';

const quick = process.env.BENCH_QUICK === '1';
const { values: args } = parseArgs({ options: {
  seed: { type: 'string', default: '42' },
  sites: { type: 'string', default: quick ? '60' : '200' },
  hours: { type: 'string', default: quick ? '1.5' : '3' },
  'every-min': { type: 'string', default: '5' },
  pg: { type: 'boolean', default: false },
} });
const MIN = 60_000;
const START = Date.UTC(2026, 0, 5, 8);
const seed = Number(args.seed);
const siteCount = Number(args.sites);
const durationMs = Number(args.hours) * 3_600_000;
const every = Number(args['every-min']) * MIN;
const pgUrl = args.pg ? process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL : undefined;
if (args.pg && !pgUrl) {
  console.error('--pg needs TEST_DATABASE_URL (or DATABASE_URL), e.g. postgres://censorscope@127.0.0.1:55432/censorscope.');
  process.exit(2);
}

const median = (xs: number[]) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
};
const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)}%` : '-');

async function openBenchStore(dir: string): Promise<{ store: Store; label: string; drop(): Promise<void> }> {
  if (!pgUrl) return { store: await openStore({ db: path.join(dir, 'sites.db') }), label: 'SQLite', drop: async () => undefined };
  const schema = `bench_sites_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  return {
    store: await openStore({ url: pgUrl, schema }),
    label: 'PostgreSQL',
    async drop() {
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    },
  };
}

// Timeouts cost the watcher its fetch timeout in wall-clock time even on the virtual clock: few of them.
// Blocked sites: the probe's measurements of their hosts are written as the script reaches them.
const script = buildScript({ seed, start: START, durationMs, sites: siteCount, visitEveryMs: every, outages: { timeout: 0.15 }, mix: { blocked: 0.05 } });
const dir = mkdtempSync(path.join(tmpdir(), 'bench-sites-'));
const clock = new VirtualClock(START);
const web = await startSimWeb({ sites: script, clock, seed });
const { store, label, drop } = await openBenchStore(dir);
const archiveDir = path.join(dir, 'archive');
const archive = await openArchive(store, { dir: archiveDir, clock: () => clock.now() });
web.setOnTime(blockedProbe(store, web));
console.log(`bench/sites: ${siteCount} simulated sites (${web.text.source === 'shared' ? 'headlines and text from ../shared/data' : 'built-in text'}), ${args.hours} virtual hours, a visit every ${args['every-min']} min, seed ${seed}, ${label} store`);

let wallMs = 0;
try {
  // A site that does not answer costs its fetch timeout in wall time: 3 s here (the default is 10 s).
  const src = await sitesSource(store);
  await store.db.updateTable('sources').set({ config: JSON.stringify({ budgetPerMinute: 60, timeoutMs: 3000 }) }).where('id', '=', src.id).execute();
  const urlToSite = new Map<string, string>();
  for (const s of script) {
    const { site } = await addSite(store, { url: web.urlOf(s.id), everyMs: every, name: s.name }, START);
    urlToSite.set(site.url, s.id);
  }
  const t0 = performance.now();
  await runWatch(store, { clock: web.clock, durationMs, allowPrivate: true, archive });
  wallMs = performance.now() - t0;
  await archive.close();

  const rows = await store.db.selectFrom('site_captures as c').innerJoin('tracked_sites as t', 't.id', 'c.site_id')
    .select(['t.url', 'c.at', 'c.verdict', 'c.status', 'c.error_code', 'c.record_id', 'c.reasons']).orderBy('c.at').orderBy('c.id').execute();
  const captures: Array<ScoredCapture & { status: number | null; error: string | null; recordId: number | null; reasons: string }> = rows.map((r) => ({
    site: urlToSite.get(r.url)!, at: Number(r.at), verdict: r.verdict as SiteVerdict,
    status: r.status == null ? null : Number(r.status), error: r.error_code, recordId: r.record_id == null ? null : Number(r.record_id), reasons: r.reasons,
  }));
  const score = scoreCaptures(script, captures);

  // Replay every capture from the archive: the classifier's time per capture, and the baseline's input.
  const reader = await openArchive(store, { dir: archiveDir });
  const classifyMs: number[] = [];
  const printOf = new Map<ScoredCapture, [string, string]>();
  const history = new Map<string, CaptureHistory[]>();
  for (const c of captures) {
    let outcome: FetchOutcome;
    let input: BaselineInput;
    if (c.recordId != null) {
      const a = await reader.read(c.recordId);
      const headers = new Headers(a.headers);
      outcome = { kind: 'answer', at: c.at, status: a.status, finalUrl: a.targetUri, headers, body: a.body, truncated: false };
      input = { kind: 'answer', status: a.status, contentType: headers.get('content-type'), body: a.body };
    } else {
      outcome = { kind: 'failure', at: c.at, code: c.error ?? 'network_error', message: c.error ?? 'no answer' };
      input = { kind: 'failure', code: c.error ?? 'network_error' };
    }
    const h = history.get(c.site) ?? [];
    const t1 = performance.now();
    const snapshot = snapshotOf(outcome);
    const cl = classifyCapture({ outcome, snapshot }, h, null);
    classifyMs.push(performance.now() - t1);
    h.unshift({ at: c.at, status: outcome.kind === 'answer' ? outcome.status : null, verdict: cl.verdict, snapshot });
    if (h.length > 20) h.pop();
    history.set(c.site, h);
    printOf.set(c, [fingerprint(input, false), fingerprint(input, true)]);
  }
  await reader.close();
  const baselineAlerts = (k: 0 | 1) => (_site: string, i: number, list: ScoredCapture[]) => printOf.get(list[i]!)![k] !== printOf.get(list[i - 1]!)![k];
  const ours = scoreAlerts(script, captures, verdictAlerts);
  const textDiff = scoreAlerts(script, captures, baselineAlerts(0));
  const maskedDiff = scoreAlerts(script, captures, baselineAlerts(1));

  const archived = archiveBytes(archiveDir);
  const served = web.requests().filter((r) => r.site != null).reduce((n, r) => n + r.bytes, 0);
  const records = await store.db.selectFrom('archive_records').select(['type']).select((eb) => eb.fn.countAll<number>().as('n')).groupBy('type').execute();
  const byType = Object.fromEntries(records.map((r) => [r.type, Number(r.n)]));
  const perMinute = captures.length / (wallMs / MIN);

  console.log(`\n${captures.length} captures in ${(wallMs / 1000).toFixed(1)} s wall (${perMinute.toFixed(0)} captures/min), ${web.requests().length} requests served`);
  console.log(`scripted state changes: ${score.results.length} (${score.scored} captured, ${score.missed} over before any visit); right ${score.right}/${score.scored} = ${pct(score.right, score.scored)}`);
  console.log('\nper kind of change                      right / captured');
  for (const [l, [r, n]] of [...score.byLabel].sort(([a], [b]) => a.localeCompare(b))) console.log(`  ${l.padEnd(38)} ${String(r).padStart(4)} / ${n}`);
  console.log(`\nconfusion matrix (first capture after each scripted change):\n${formatConfusion(score.confusion)}`);
  const wrong = score.results.filter((r) => r.verdict && !r.right).slice(0, 12);
  const why = (site: string, at: number) => captures.find((c) => c.site === site && c.at >= at)?.reasons ?? '';
  if (wrong.length) console.log(`\nwrong (first ${wrong.length}):\n${wrong.map((r) => `  ${r.change.site} at +${((r.change.at - START) / MIN).toFixed(0)} min: ${r.change.label} → ${r.verdict} ${why(r.change.site, r.change.at)}`).join('\n')}`);
  console.log(`\ncaptures of pages in their normal state: ${score.normalCaptures}; called defaced or injected: ${score.normalDefacedOrInjected}; not healthy at all: ${score.normalUnhealthy}`);
  console.log('\nalerts (a capture whose class — healthy, injected, defaced, taken down, down — differs from the previous one):');
  console.log('                                       true  false  missed');
  for (const [n, s] of [['site watch (verdict changes)', ours], ['baseline: any text change', textDiff], ['baseline: text change, digits masked', maskedDiff]] as const) {
    console.log(`  ${n.padEnd(36)} ${String(s.truePositives).padStart(5)}  ${String(s.falseAlarms).padStart(5)}  ${String(s.missed).padStart(6)}`);
  }
  console.log(`\narchive: ${archived} bytes for ${captures.length} captures = ${(archived / captures.length).toFixed(0)} bytes/capture (gzip WARC, ${byType.response ?? 0} responses, ${byType.revisit ?? 0} revisits, ${byType.request ?? 0} requests); payload served ${(served / captures.length).toFixed(0)} bytes/capture without deduplication or compression (${(served / Math.max(1, archived)).toFixed(2)}x)`);
  console.log(`classification: median ${(median(classifyMs) * 1000).toFixed(0)} µs per capture (replayed from the archive)`);

  const accuracy = score.scored ? score.right / score.scored : 0;
  const updates = score.byLabel.get('ordinary update') ?? [0, 0];
  const rowsOut: TargetRow[] = [
    { measure: `verdict accuracy on scripted state changes (${score.scored})`, value: pct(score.right, score.scored), target: '>= 98%', met: accuracy >= 0.98 },
    { measure: 'defaced/injected on pages in their normal state (news churn, ordinary updates)', value: String(score.normalDefacedOrInjected), target: '0', met: score.normalDefacedOrInjected === 0 },
    { measure: 'ordinary updates called defaced', value: `${score.updatesDefaced} of ${updates[1]}`, target: '0', met: score.updatesDefaced === 0 },
    {
      measure: 'alerts without a real change', value: String(ours.falseAlarms),
      baseline: `urlwatch-style text change ${textDiff.falseAlarms}, digits masked ${maskedDiff.falseAlarms}`,
      ratio: `${maskedDiff.falseAlarms ? (ours.falseAlarms / maskedDiff.falseAlarms).toFixed(3) : '-'}x of the masked baseline`, met: ours.falseAlarms <= maskedDiff.falseAlarms,
      target: '<= baseline',
    },
    { measure: 'captures per minute (wall)', value: perMinute.toFixed(0), met: null },
    { measure: 'archive bytes per capture (dedup, gzip)', value: (archived / captures.length).toFixed(0), baseline: `${(served / captures.length).toFixed(0)} payload bytes served`, ratio: `${(archived / Math.max(1, served)).toFixed(3)}x`, met: null },
    { measure: 'classification time per capture (median)', value: `${(median(classifyMs) * 1000).toFixed(0)} µs`, met: null },
  ];
  reportTargets('sites', rowsOut);
} finally {
  await web.close();
  await store.close();
  await drop();
  rmSync(dir, { recursive: true, force: true });
}
