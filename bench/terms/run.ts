/**
 * Terms benchmark: which words get posts removed. A generated world with a known answer: real
 * Chinese reviews (../shared/data/organic-chinese, else a built-in grammar) as posts; 30 trigger
 * words (from ../shared/data/keyword-lists when present) that get a post removed half the time
 * against a 3% baseline; 30 decoy words from the same list that are never censored; and 10
 * prolific accounts removed half the time whatever they write, each with a pet word in most of
 * their posts — the trap an unstratified test falls into. Each detection runs in a child process,
 * so time and peak RSS are its own. Scored against the planted truth, in the same run:
 *   ours        what `terms` flags: the author-stratified (CMH) test + Benjamini–Hochberg decides
 *   baseline    binomial test against the baseline + Benjamini–Hochberg alone (`pooled: true`,
 *               what a plain analysis reports), in its own child process
 * Targets (issue 17: flag no term whose removals its authors explain, still find the triggers), for
 * ours at every size: recall and precision ≥ 0.95, no pet word and no decoy flagged.
 * Speed (issue 16: 1,000,000 posts with removals in under 15 s): wall and CPU time and peak RSS of
 * each child; `--before` also times the pre-issue-16 implementation in the same run and checks it
 * flags the same terms with the same figures.
 * Run: npm run bench:terms [-- --1m] [-- --show]   (100,000 posts; --1m adds 1,000,000; --show lists the flagged terms)
 *      npm run bench:terms:1m                      (1,000,000 posts only, against the pre-issue-16 code: --size 1000000 --before)
 *      --size N: N posts only; --keep DIR: keep the generated store in DIR and reuse it next time.
 * BENCH_QUICK=1: 50,000 posts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { openStore } from '../../src/store/open.ts';
import { ensureSource } from '../../src/store/queries/sources.ts';
import { emptyPost } from '../../src/collect/formats/format.ts';
import { loadCorpus, sharedDataDir } from '../../src/collect/synthetic/corpus.ts';
import { createRng, type Rng } from '../../src/util/random.ts';
import type { PostRecord } from '../../src/store/bulk.ts';
import { reportTargets, type TargetRow } from '../targets.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const sizeArg = argValue('--size');
const sizes = sizeArg ? [Number(sizeArg)] : process.env.BENCH_QUICK === '1' ? [50_000] : process.argv.includes('--1m') ? [100_000, 1_000_000] : [100_000];
if (sizes.some((n) => !Number.isInteger(n) || n < 1000)) throw new Error(`--size takes a whole number of posts of at least 1000, not "${sizeArg}".`);
/** A folder where generated stores are kept and reused (terms-<size>.db), so a rerun skips generation. */
const keep = argValue('--keep');
const TRIGGERS = 30;
const DECOYS = 30;
const CONFOUNDERS = 10;
const AUTHORS = 20_000;
const BASE_RATE = 0.03;
const TRIGGER_RATE = 0.5;
const CONFOUNDER_RATE = 0.5;

const corpus = loadCorpus();
const words = sensitiveWords();
console.log(`# background: ${corpus.source === 'shared' ? `${corpus.organic.length} real Chinese reviews` : `built-in grammar (${sharedDataDir()} not found)`}; ` +
  `words: ${words.source}`);
const rng = createRng(11);
const pool = rng.shuffle([...words.list]);
const triggers = pool.slice(0, TRIGGERS);
const decoys = pool.slice(TRIGGERS, TRIGGERS + DECOYS);
const petWords = pool.slice(TRIGGERS + DECOYS, TRIGGERS + DECOYS + CONFOUNDERS);

interface Flagged { term: string; q: number; qPooled: number; qAuthor: number; posts: number; removed: number }
interface ChildResult { ms: number; cpuMs: number; maxRssMB: number; posts: number; baseline: number; test: string; terms: Flagged[] }

const rows: string[] = [];
const targets: TargetRow[] = [];
for (const size of sizes) {
  const dir = keep ?? mkdtempSync(path.join(tmpdir(), 'censorscope-bench-terms-'));
  if (keep) mkdirSync(keep, { recursive: true });
  try {
    const db = path.join(dir, keep ? `terms-${size}.db` : 'terms.db');
    if (!existsSync(db)) {
      const t0 = performance.now();
      await generate(db, size);
      process.stderr.write(`generated ${size} posts in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    }
    const detect = (...args: string[]): ChildResult => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, 'child.ts'), db, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
      if (r.status !== 0) throw new Error(`terms child failed: ${r.stderr}`);
      return JSON.parse(r.stdout) as ChildResult;
    };
    const res = detect();
    const pooled = detect('--pooled');
    const before = process.argv.includes('--before') ? detect('--before') : null;
    if (res.test !== 'author-stratified') throw new Error(`terms decided with the ${res.test} test, not the author-stratified one`);
    if (process.argv.includes('--show')) {
      const kind = (t: string) => (triggers.some((w) => w.includes(t) || t.includes(w)) ? 'T' : decoys.some((w) => w.includes(t) || t.includes(w)) ? 'D' : petWords.some((w) => w.includes(t) || t.includes(w)) ? 'P' : '?');
      console.log(JSON.stringify(res.terms.filter((t) => t.q <= 0.05).map((t) => [t.term, kind(t.term), t.posts, t.removed, +t.q.toFixed(4), +t.qPooled.toFixed(4)])));
    }
    const ours = score(res.terms.filter((t) => t.q <= 0.05));
    const base = score(pooled.terms.filter((t) => t.q <= 0.05));
    const speed = (c: ChildResult) => `${Math.round(c.posts / (c.ms / 1000))} posts/s, ${Math.round(c.maxRssMB)} MB`;
    const secs = (c: ChildResult) => `${(c.ms / 1000).toFixed(1)} s wall, ${(c.cpuMs / 1000).toFixed(1)} s CPU, ${Math.round(c.maxRssMB)} MB peak RSS`;
    rows.push(line(`ours (${size})`, ours, speed(res)));
    rows.push(line(`baseline (${size})`, base, speed(pooled)));
    if (before) rows.push(line(`before #16 (${size})`, score(before.terms.filter((t) => t.q <= 0.05)), speed(before)));
    const n = size.toLocaleString('en-US');
    targets.push(
      { measure: `recall / precision of flagged terms, ${n} posts`, value: `${ours.recall.toFixed(3)} / ${ours.precision.toFixed(3)}`,
        baseline: `unstratified ${base.recall.toFixed(3)} / ${base.precision.toFixed(3)}`, target: '≥ 0.95 each', met: ours.recall >= 0.95 && ours.precision >= 0.95 },
      { measure: `pet words / decoys flagged, ${n} posts`, value: `${ours.pets} of ${CONFOUNDERS} / ${ours.decoys} of ${DECOYS}`,
        baseline: `unstratified ${base.pets} / ${base.decoys}`, target: '0 / 0', met: ours.pets === 0 && ours.decoys === 0 },
      { measure: `speed and peak memory, ${n} posts`, value: speed(res), baseline: `unstratified ${speed(pooled)}`, met: null },
      { measure: `time, ${n} posts with removals (load ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores)`, value: secs(res),
        ...(before ? { baseline: `before issue 16: ${secs(before)}`, ratio: `${(before.ms / res.ms).toFixed(1)}× faster wall, ${(before.cpuMs / res.cpuMs).toFixed(1)}× less CPU` } : {}),
        ...(size >= 1_000_000 ? { target: 'under 15 s (issue 16, at 1,000,000 posts)', met: res.ms < 15_000 * (size / 1_000_000) } : { met: null }) },
    );
    if (before) {
      const same = JSON.stringify(before.terms) === JSON.stringify(res.terms);
      targets.push({ measure: `flagged terms and figures identical to before issue 16, ${n} posts`, value: same ? 'identical' : 'DIFFERENT', target: 'identical', met: same });
    }
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}
console.log('\nbench/terms — flagged at q ≤ 0.05; a flagged term is right when it is a trigger word or part of one');
console.log(['method'.padEnd(20), 'recall'.padStart(7), 'precision'.padStart(10), 'pet words'.padStart(10), 'decoys'.padStart(7), '  speed, peak RSS'].join(''));
for (const r of rows) console.log(r);
console.log(`\n(recall: of ${TRIGGERS} trigger words; pet words: of the ${CONFOUNDERS} words of always-removed accounts, flagged; decoys: of ${DECOYS} never-censored words, flagged)`);
reportTargets('terms', targets);

/** The value after `flag` on the command line (`--flag value` or `--flag=value`). */
function argValue(flag: string): string | undefined {
  const i = process.argv.findIndex((a) => a === flag || a.startsWith(`${flag}=`));
  if (i < 0) return undefined;
  const a = process.argv[i]!;
  return a.includes('=') ? a.slice(a.indexOf('=') + 1) : process.argv[i + 1];
}

function line(name: string, s: ReturnType<typeof score>, extra: string): string {
  return [name.padEnd(20), s.recall.toFixed(3).padStart(7), s.precision.toFixed(3).padStart(10), String(s.pets).padStart(10), String(s.decoys).padStart(7), `  ${extra}`].join('');
}

/**
 * Recall over trigger words, precision over flagged terms, and the traps that were flagged. A
 * term stands for a planted word when one contains the other (single characters stand for none:
 * they are shared by too many words); a trap counts only through terms no trigger explains.
 */
function score(flagged: Flagged[]) {
  const related = (t: string, w: string) => t.length >= 2 && (w.includes(t) || t.includes(w));
  const byTrigger = (t: string) => triggers.some((w) => related(t, w));
  const found = triggers.filter((w) => flagged.some((f) => related(f.term, w))).length;
  const right = flagged.filter((f) => byTrigger(f.term)).length;
  const unexplained = flagged.filter((f) => !byTrigger(f.term));
  return {
    recall: found / triggers.length,
    precision: flagged.length ? right / flagged.length : 1,
    pets: petWords.filter((w) => unexplained.some((f) => related(f.term, w))).length,
    decoys: decoys.filter((w) => unexplained.some((f) => related(f.term, w))).length,
  };
}

/** Writes `size` posts with the planted truth into a new SQLite store. */
async function generate(db: string, size: number): Promise<void> {
  const store = await openStore({ db });
  const src = await ensureSource(store, { name: 'bench-terms', kind: 'import', platform: 'synthetic' });
  const writer = store.bulkWriter();
  const gen = createRng(size);
  const t0 = Date.UTC(2026, 0, 1);
  let batch: PostRecord[] = [];
  for (let i = 0; i < size; i++) {
    const confounder = gen.chance(0.03) ? gen.int(0, CONFOUNDERS - 1) : -1;
    const author = confounder >= 0 ? `c${confounder}` : `a${zipf(gen, AUTHORS)}`;
    const parts = [gen.pick(corpus.organic)];
    const trigger = gen.chance(0.02);
    if (trigger) parts.splice(gen.int(0, 1), 0, gen.pick(triggers));
    if (gen.chance(0.02)) parts.splice(gen.int(0, parts.length), 0, gen.pick(decoys));
    if (confounder >= 0 && gen.chance(0.7)) parts.push(petWords[confounder]!);
    const rate = confounder >= 0 ? CONFOUNDER_RATE : trigger ? TRIGGER_RATE : BASE_RATE;
    const removed = gen.chance(rate);
    batch.push(Object.assign(emptyPost(`p${i}`, parts.join(' ')), {
      accountId: author, createdAt: t0 + gen.int(0, 60 * 86_400_000),
      status: removed ? 'removed_by_platform' as const : 'visible' as const,
    }));
    if (batch.length === 20_000) {
      await writer.writePosts(src.id, batch, t0, { versions: false });
      batch = [];
    }
  }
  if (batch.length) await writer.writePosts(src.id, batch, t0, { versions: false });
  await store.close();
}

/** Author index with a long tail: a few accounts write much, most write little. */
function zipf(r: Rng, n: number): number {
  return Math.min(n - 1, Math.floor(Math.exp(r.next() * Math.log(n + 1))) - 1);
}

/** Censored words from the shared keyword lists (2–4 Han characters), else a built-in handful. */
function sensitiveWords(): { list: string[]; source: string } {
  const file = path.join(sharedDataDir(), 'keyword-lists', 'june-4-censored-keywords.csv');
  if (existsSync(file)) {
    const rows = parse(readFileSync(file), { columns: true, skip_empty_lines: true, relax_column_count: true }) as Array<{ word?: string }>;
    const list = [...new Set(rows.map((r) => (r.word ?? '').trim()).filter((w) => /^\p{Script=Han}{2,4}$/u.test(w)))];
    // Words that contain one another would blur which one was censored.
    const distinct = list.filter((w) => !list.some((o) => o !== w && (o.includes(w) || w.includes(o))));
    return { list: distinct, source: `${distinct.length} words of june-4-censored-keywords.csv` };
  }
  return {
    list: ['六四', '学潮', '维权', '游行', '法轮', '藏独', '疆独', '示威', '罢工', '翻墙', '民运', '镇压', '坦克', '绝食', '戒严', '平反', '请愿',
      '暴政', '独裁', '抗议', '静坐', '广场', '学联', '工联', '宪章', '血案', '屠城', '流亡', '异见', '上访', '拆迁', '截访', '维稳', '信访', '冤案',
      '黑监', '喝茶', '删帖', '封号', '敏感', '审查', '禁言', '跨省', '被捕', '失踪', '关押', '判刑', '律师', '人权', '自由', '民主', '选举', '言论',
      '集会', '结社', '新闻', '出版', '真相', '悼念', '蜡烛', '黄丝', '雨伞', '口罩', '白纸', '封城', '核酸', '方舱', '吹哨', '隔离', '清零', '动态'],
    source: 'built-in list (keyword lists not found)',
  };
}
