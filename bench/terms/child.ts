/**
 * One term analysis in a fresh process, so time and peak RSS are its own. Prints JSON.
 * `--pooled`: the unstratified test; `--before`: the pre-issue-16 implementation (the test
 * oracle in test/detect/terms/legacy), to time against in the same run.
 */
import { openStore } from '../../src/store/open.ts';
import { runTerms } from '../../src/detect/terms/index.ts';
import { runTerms as runBefore } from '../../test/detect/terms/legacy/run.ts';

const store = await openStore({ db: process.argv[2] });
const flags = process.argv.slice(3);
const t0 = performance.now();
const c0 = process.cpuUsage();
// Every significant term, not just the top of the table: the bench scores them all.
const opts = { save: false, limit: 100_000, pooled: flags.includes('--pooled') };
const r = flags.includes('--before') ? await runBefore(store, opts) : await runTerms(store, opts);
const ms = performance.now() - t0;
const cpu = process.cpuUsage(c0);
await store.close();
process.stdout.write(JSON.stringify({
  ms, cpuMs: (cpu.user + cpu.system) / 1000, maxRssMB: process.resourceUsage().maxRSS / 1024, posts: r.posts, baseline: r.baseline, test: r.test,
  terms: r.terms.map((t) => ({ term: t.term, q: t.q, qPooled: t.qPooled, qAuthor: t.qAuthor, posts: t.posts, removed: t.removed })),
}));
