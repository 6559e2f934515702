/** One measured import in a fresh process, so peak RSS belongs to this import alone. Prints JSON. */
import { performance } from 'node:perf_hooks';
import { importFile } from '../../src/collect/import.ts';
import { twitterIo } from '../../src/collect/formats/twitter-io.ts';
import { openStore } from '../../src/store/open.ts';

const [file, target, schema] = process.argv.slice(2);
const store = target.startsWith('postgres') ? await openStore({ url: target, schema }) : await openStore({ db: target });
const t0 = performance.now();
const elu0 = performance.eventLoopUtilization();
const counts = await importFile(store, file, { format: twitterIo, quiet: true });
const ms = performance.now() - t0;
// Share of the import the main (writing) thread was busy; the rest it waited for the parser.
const writerBusy = performance.eventLoopUtilization(elu0).utilization;
await store.close();
process.stdout.write(JSON.stringify({ ...counts, ms, writerBusy, maxRssMB: process.resourceUsage().maxRSS / 1024 }) + '\n');
