/** One measured import in a fresh process, so peak RSS belongs to this import alone. Prints JSON. */
import { importFile } from '../../src/collect/import.ts';
import { twitterIo } from '../../src/collect/formats/twitter-io.ts';
import { openStore } from '../../src/store/open.ts';

const [file, target, schema] = process.argv.slice(2);
const store = target.startsWith('postgres') ? await openStore({ url: target, schema }) : await openStore({ db: target });
const t0 = performance.now();
const counts = await importFile(store, file, { format: twitterIo, quiet: true });
const ms = performance.now() - t0;
await store.close();
process.stdout.write(JSON.stringify({ ...counts, ms, maxRssMB: process.resourceUsage().maxRSS / 1024 }) + '\n');
