/**
 * The site classifier's cost per capture: `snapshotOf` + `classifyCapture` on a ~300 KB live news
 * front page (headlines from the shared real feeds, else generated) against a history of 50
 * healthy captures (the depth "unlike every earlier capture" looks at), and the stored snapshot's size.
 *
 *   node --import tsx bench/site-classify/run.ts          # 200 captures
 *   BENCH_QUICK=1 node --import tsx bench/site-classify/run.ts
 */
import { cpus, loadavg } from 'node:os';
import { snapshotOf, classifyCapture, type CaptureHistory } from '../../src/detect/sites/classify.ts';
import { newsPage, realPool, generatedPool } from '../../test/detect/sites/news.ts';
import { answer } from '../../test/detect/sites/pages.ts';

const N = process.env.BENCH_QUICK === '1' ? 40 : 200;
const real = realPool();
const pool = real.length >= 30 ? real : generatedPool(400);
// About 300 KB: enough cards that the page weighs what a big front page does.
let shown = 24;
while (Buffer.byteLength(newsPage(pool, 0, 0, shown)) < 300_000) shown += 20;
const T = Date.UTC(2026, 11, 2, 6, 0);
const page = (v: number) => answer(newsPage(pool, v, v * 3, shown), { at: T + v * 60_000, url: 'https://www.courier.example/' });

const history: CaptureHistory[] = [];
for (let v = 0; v < 50; v++) {
  const o = page(v);
  history.unshift({ at: o.at, status: 200, verdict: 'updated', snapshot: JSON.parse(JSON.stringify(snapshotOf(o))) });
}
const snapMs: number[] = []; const classMs: number[] = []; const sizes: number[] = []; const verdicts = new Map<string, number>();
for (let v = 50; v < 50 + N; v++) {
  const o = page(v);
  const t0 = performance.now();
  const s = snapshotOf(o);
  const t1 = performance.now();
  const c = classifyCapture({ outcome: o, snapshot: s }, history, null);
  const t2 = performance.now();
  snapMs.push(t1 - t0); classMs.push(t2 - t1); sizes.push(JSON.stringify(s).length);
  verdicts.set(c.verdict, (verdicts.get(c.verdict) ?? 0) + 1);
}
const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
const f = (x: number) => x.toFixed(1);
const bytes = Buffer.byteLength(newsPage(pool, 0, 0, shown));
console.log(`site-classify bench: ${N} captures of a ${Math.round(bytes / 1024)} KB front page (${shown} stories, ${real.length >= 30 ? 'real feed headlines' : 'generated headlines'}), history of 50; ${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(2)}`);
console.log(`  snapshotOf      median ${f(q(snapMs, 0.5))} ms, p95 ${f(q(snapMs, 0.95))} ms`);
console.log(`  classifyCapture median ${f(q(classMs, 0.5))} ms, p95 ${f(q(classMs, 0.95))} ms`);
console.log(`  per capture     median ${f(q(snapMs.map((x, i) => x + classMs[i]!), 0.5))} ms`);
console.log(`  snapshot JSON   median ${Math.round(q(sizes, 0.5) / 1024)} KB, max ${Math.round(Math.max(...sizes) / 1024)} KB`);
console.log(`  verdicts        ${JSON.stringify(Object.fromEntries(verdicts))}`);
