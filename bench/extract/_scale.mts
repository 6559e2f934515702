import { openStore } from '../../src/store/open.ts';
import { runTerms } from '../../src/detect/terms/index.ts';
import { organic } from './data.ts';
import type { PostRecord } from '../../src/store/bulk.ts';
const N = Number(process.argv[2] ?? 200000);
const db = `/tmp/scr/scale-${N}.db`;
const store = await openStore({ db });
const exists = await store.db.selectFrom('posts').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
if (Number(exists?.n ?? 0) < N) {
  const src = await store.db.insertInto('sources').values({ kind: 'import', name: 'scale', platform: 'test', config: '{}', cursor: null, enabled: 1, created_at: Date.now() }).returning('id').executeTakeFirstOrThrow();
  const reviews = organic();
  const hot = ['六四', '法轮功', '习近平下台'];
  let batch: PostRecord[] = [];
  const t0 = Date.now();
  for (let i = 0; i < N; i++) {
    const r = reviews[i % reviews.length]!;
    const h = i % 50 === 0 ? hot[i % 3]! : '';
    const removed = h ? Math.random() < 0.6 : Math.random() < 0.05;
    batch.push({ platformPostId: `p${i}`, accountId: `a${Math.floor(Math.random() * 20000)}`, accountHandle: null, accountName: null, createdAt: Date.UTC(2024, 0, 1) + (i % 90) * 86400000, text: r + h, language: null, url: null, replyToId: null, repostOfId: null, hashtags: null, urls: null, mentions: null, status: removed ? 'removed_by_platform' : 'visible', statusChangedAt: null, statusEvidence: null, extra: null });
    if (batch.length === 10000) { await store.bulkWriter().writePosts(Number(src.id), batch, Date.now(), { versions: false }); batch = []; }
  }
  if (batch.length) await store.bulkWriter().writePosts(Number(src.id), batch, Date.now(), { versions: false });
  console.log(`wrote ${N} posts in ${(Date.now() - t0) / 1000}s`);
}
const t1 = Date.now();
const r = await runTerms(store, { minPosts: 20, save: true });
const mem = process.memoryUsage();
console.log(`terms over ${r.posts} posts: ${(Date.now() - t1) / 1000}s, tested ${r.tested}, pruned ${r.pruned}, approximate ${r.approximate}, rss ${(mem.rss / 1e6).toFixed(0)} MB, heap ${(mem.heapUsed / 1e6).toFixed(0)} MB`);
console.log(r.terms.slice(0, 8).map((t) => `${t.term} ${t.removed}/${t.posts} q=${t.q.toExponential(1)} qA=${t.qAuthor.toExponential(1)}`).join('\n'));
await store.close();
