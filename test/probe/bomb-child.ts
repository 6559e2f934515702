/**
 * Child process for test/probe/ooni-bomb.test.ts: imports one OONI file into a fresh SQLite
 * store and prints the counts, the quarantine's fields and its own peak memory as JSON, so the
 * test measures this process alone.
 */
import { importOoniFile } from '../../src/probe/ooni/import.ts';
import { openStore } from '../../src/store/open.ts';

const [file, db] = process.argv.slice(2);
const store = await openStore({ db });
const baseline = process.memoryUsage().rss;
let result: unknown;
try {
  const counts = await importOoniFile(store, file, { quiet: true });
  const errors = await store.db.selectFrom('import_errors').select(['line', 'field', 'reason']).orderBy('line').execute();
  const run = await store.db.selectFrom('imports').select('state').executeTakeFirstOrThrow();
  result = { counts, errors, state: run.state };
} catch (err) {
  result = { error: (err as Error).message };
}
await store.close();
process.stdout.write(JSON.stringify({ ...(result as object), baselineRss: baseline, maxRss: process.resourceUsage().maxRSS * 1024 }) + '\n');
