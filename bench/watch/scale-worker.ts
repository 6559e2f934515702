/**
 * One watcher process of bench/watch/scale.ts: runs `runWatch` on the store named in its
 * environment (DATABASE_URL and CENSORSCOPE_PG_SCHEMA, or CENSORSCOPE_DB) and prints one JSON
 * line: its checks and the clock times of its first and last.
 */
import { openStore } from '../../src/store/open.ts';
import { runWatch } from '../../src/watch/run.ts';

const env = process.env;
const store = env.DATABASE_URL ? await openStore({ url: env.DATABASE_URL, schema: env.CENSORSCOPE_PG_SCHEMA }) : await openStore({ db: env.CENSORSCOPE_DB });
let checks = 0;
let first = Infinity;
let last = 0;
try {
  await runWatch(store, {
    durationMs: Number(env.WATCH_MS), concurrency: Number(env.WATCH_CONCURRENCY), perHost: Number(env.WATCH_PER_HOST), sites: false,
    policy: { kind: 'fixed', fixedMs: 60_000 },
    onCheck: (c) => {
      checks++;
      first = Math.min(first, c.start);
      last = Math.max(last, c.end);
    },
  });
} finally {
  await store.close();
}
console.log(JSON.stringify({ checks, first, last }));
