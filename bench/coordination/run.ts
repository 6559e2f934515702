/**
 * Coordination benchmark: synthetic stores of 100k and 1M posts (10M with COORD_BENCH_10M=1 or
 * --10m; it is generated streaming), 1-hour window, similarity 0.8. Each detection runs in a
 * child process so posts/s and peak RSS are the detector's own. At 100k the brute-force
 * all-pairs-in-window baseline (what the QUT toolkit does) runs too, and LSH pair recall is
 * checked against it. Up to 1M posts (and at 10M with --compare-10m) the pre-streaming in-memory
 * engine runs too, in its own child: its time and memory beside the streaming engine's, and
 * "identical: yes/no" from the sha256 of both runs' canonical findings, network and counts.
 * Prints precision/recall of planted campaigns and coordinated pairs.
 * Targets: 1M posts under 60 s and 4,000 MB, identical to the in-memory engine; 10M posts under
 * 120 s and 2,000 MB; campaign precision and recall ≥ 0.95 at every size run.
 * Run: npm run bench:coordination [-- --10m | -- --sizes=100000,1000000]   (BENCH_QUICK=1: 50,000 only)
 * --store-dir=DIR keeps the generated stores in DIR/<posts> and reuses them (10M posts take many
 * minutes to generate); without it they go to a temporary folder deleted at the end.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSynthetic } from '../../src/collect/synthetic/generate.ts';
import { prepareStore } from './prepare.ts';
import { loadCorpus, sharedDataDir } from '../../src/collect/synthetic/corpus.ts';
import { resolveOptions } from '../../src/detect/coordination/options.ts';
import { normaliseText } from '../../src/detect/coordination/normalise.ts';
import { shingles } from '../../src/detect/coordination/shingle.ts';
import { bandKeys, signature } from '../../src/detect/coordination/minhash.ts';
import { reportTargets, type TargetRow } from '../targets.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const sizes = process.env.BENCH_QUICK === '1' ? [50_000] : [100_000, 1_000_000];
if (process.env.COORD_BENCH_10M === '1' || process.argv.includes('--10m')) sizes.push(10_000_000);
const only = process.argv.find((a) => a.startsWith('--sizes='));
const chosen = only ? only.slice(8).split(',').map(Number) : sizes;
const storeDir = process.argv.find((a) => a.startsWith('--store-dir='))?.slice(12);
const compare10m = process.argv.includes('--compare-10m');

const corpus = loadCorpus();
if (corpus.source !== 'shared') console.log(`# ${sharedDataDir()} not found: using the built-in corpus (no real Chinese background, no Spamouflage seeds).`);
else console.log(`# corpus: ${corpus.organic.length} real Chinese reviews, ${corpus.seeds.length} Spamouflage seed texts`);

// The hand-written MinHash core on its own (one thread): npm MinHash packages manage 11–17k docs/s.
{
  const sample = generateSynthetic({ posts: 100_000, seed: 7, corpus });
  const texts: string[] = sample.planted.map((p) => p.text);
  for (const b of sample.organic(20000)) for (const p of b) texts.push(p.text);
  const opts = resolveOptions({});
  const t0 = performance.now();
  const sets = texts.map((t) => shingles(normaliseText(t).text));
  const t1 = performance.now();
  const sig = new Uint32Array(opts.k);
  const keys = new Uint32Array(opts.bands);
  for (const s of sets) {
    signature(s, opts.k, sig, 0);
    bandKeys(sig, opts.bands, opts.k / opts.bands, keys, 0, 0);
  }
  const t2 = performance.now();
  console.log(`# one thread, ${texts.length} texts: normalise+shingle ${Math.round(texts.length / ((t1 - t0) / 1000))} docs/s; MinHash (k=${opts.k}) + LSH keys ${Math.round(texts.length / ((t2 - t1) / 1000))} docs/s`);
}

const rows: Array<Record<string, string | number>> = [];
const baselines = new Map<number, { bruteSeconds: number; lshSimilarSeconds: number; lshRecallVsExact: number }>();
/** Runs one detection child; returns its JSON line. */
function detect(db: string, truthFile: string, engine: 'stream' | 'memory', baseline: boolean): Record<string, any> {
  // The in-memory engine above 1M posts needs more than V8's default 4 GB heap; the streaming one does not.
  const heap = engine === 'memory' ? ['--max-old-space-size=12288'] : [];
  const args = [...heap, '--import', 'tsx', path.join(here, 'child.ts'), db, truthFile, `--engine=${engine}`];
  if (baseline) args.push('--baseline');
  const child = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (child.status !== 0) throw new Error(`${engine} detection failed on ${db}: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!);
}

const olds = new Map<number, { seconds: number; peakMB: number; identical: boolean }>();
for (const n of chosen) {
  const dir = storeDir ? path.join(storeDir, String(n)) : mkdtempSync(path.join(tmpdir(), 'coord-bench-'));
  try {
    const { db, truthFile, loadSeconds } = await prepareStore(n, dir);
    const out = detect(db, truthFile, 'stream', n <= 100_000);
    const s = out.stats;
    const row: Record<string, string | number> = {
      posts: n,
      loadS: round(loadSeconds),
      detectS: round(s.seconds),
      postsPerS: Math.round(n / s.seconds),
      cpuS: round(out.cpuSeconds),
      load1: round(loadavg()[0]),
      peakMB: Math.round(out.rssDetect / 1e6),
      pairs: s.pairs,
      edges: s.edges,
      planted: out.scores.planted,
      detected: out.scores.detected,
      campP: round(out.scores.campaignPrecision),
      campR: round(out.scores.campaignRecall),
      pairP: round(out.scores.pairPrecision),
      pairR: round(out.scores.pairRecall),
    };
    if (n <= 1_000_000 || compare10m) {
      const old = detect(db, truthFile, 'memory', false);
      const identical = old.digest === out.digest;
      olds.set(n, { seconds: old.stats.seconds, peakMB: Math.round(old.rssDetect / 1e6), identical });
      Object.assign(row, { oldDetectS: round(old.stats.seconds), oldCpuS: round(old.cpuSeconds), oldPeakMB: Math.round(old.rssDetect / 1e6), identical: identical ? 'yes' : 'no' });
      console.log(`# ${n} posts, streaming vs in-memory engine: identical: ${identical ? 'yes' : 'no'} (sha256 ${String(out.digest).slice(0, 16)} vs ${String(old.digest).slice(0, 16)})`);
    }
    rows.push(row);
    console.log(JSON.stringify(row));
    if (out.baseline) {
      const b = out.baseline;
      baselines.set(n, b);
      console.log(`# baseline at ${n}: brute-force all-pairs-in-window ${round(b.bruteSeconds)} s (${b.bruteComparisons} comparisons, ${b.brutePairs} pairs ≥ 0.8) vs LSH similar-only ${round(b.lshSimilarSeconds)} s → ${round(b.bruteSeconds / b.lshSimilarSeconds)}x; LSH recall vs exact ${round(b.lshRecallVsExact)}, precision ${round(b.lshPrecisionVsExact)}`);
    }
  } finally {
    if (!storeDir && existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  }
}
console.log('\nposts       detect s  cpu s    posts/s   peak MB  campaign P/R  pair P/R       in-memory engine: s / cpu s / peak MB  identical');
for (const r of rows) {
  const old = r.identical ? `${r.oldDetectS} / ${r.oldCpuS} / ${r.oldPeakMB}`.padEnd(39) + r.identical : '(not run)';
  console.log(`${String(r.posts).padEnd(11)} ${String(r.detectS).padEnd(9)} ${String(r.cpuS).padEnd(8)} ${String(r.postsPerS).padEnd(9)} ${String(r.peakMB).padEnd(8)} ${`${r.campP}/${r.campR}`.padEnd(13)} ${`${r.pairP}/${r.pairR}`.padEnd(14)} ${old}`);
}
console.log(`(load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}: wall time includes any other work on the machine; cpu s is the detector's own, both threads)`);
const targets: TargetRow[] = [];
for (const r of rows) {
  const b = baselines.get(Number(r.posts));
  const n = Number(r.posts).toLocaleString('en-US');
  targets.push({ measure: `campaign precision/recall, ${n} posts`, value: `${r.campP}/${r.campR}`, target: '≥ 0.95 each',
    met: Number(r.campP) >= 0.95 && Number(r.campR) >= 0.95 });
  targets.push({ measure: `detection time and peak memory, ${n} posts`, value: `${r.detectS} s, ${r.peakMB} MB (${r.postsPerS} posts/s)`,
    ...(b ? { baseline: `brute-force all pairs in window ${round(b.bruteSeconds)} s vs LSH ${round(b.lshSimilarSeconds)} s, LSH pair recall ${round(b.lshRecallVsExact)}`, ratio: `${round(b.bruteSeconds / b.lshSimilarSeconds)}×` } : {}),
    ...(olds.has(Number(r.posts)) && !b ? { baseline: `in-memory engine ${round(olds.get(Number(r.posts))!.seconds)} s, ${olds.get(Number(r.posts))!.peakMB} MB` } : {}),
    target: r.posts === 1_000_000 ? '< 60 s, < 4,000 MB' : r.posts === 10_000_000 ? '< 120 s, < 2,000 MB' : undefined,
    met: r.posts === 1_000_000 ? Number(r.detectS) < 60 && Number(r.peakMB) < 4000 : r.posts === 10_000_000 ? Number(r.detectS) < 120 && Number(r.peakMB) < 2000 : null });
  if (r.identical) targets.push({ measure: `findings identical to the in-memory engine, ${n} posts`, value: String(r.identical), target: 'yes', met: r.identical === 'yes' });
}
if (!rows.some((r) => r.posts === 1_000_000)) targets.push({ measure: 'detection time and memory at 1,000,000 posts', value: 'not run (quick mode or --sizes): not judged', met: null });
reportTargets('coordination', targets);

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
