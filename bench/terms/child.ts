/** One term analysis in a fresh process, so time and peak RSS are its own. Prints JSON. */
import { openStore } from '../../src/store/open.ts';
import { runTerms } from '../../src/detect/terms/index.ts';

const store = await openStore({ db: process.argv[2] });
const t0 = performance.now();
// Every significant term, not just the top of the table: the bench scores them all.
const r = await runTerms(store, { save: false, limit: 100_000 });
const ms = performance.now() - t0;
await store.close();
process.stdout.write(JSON.stringify({
  ms, maxRssMB: process.resourceUsage().maxRSS / 1024, posts: r.posts, baseline: r.baseline,
  // qPooled is the unstratified test's q where the detector reports it apart from q (else q is that test).
  terms: r.terms.map((t) => ({ term: t.term, q: (t as { qPooled?: number }).qPooled ?? t.q, qAuthor: t.qAuthor, posts: t.posts, removed: t.removed })),
}));
