/** One measured import in a fresh process, so peak RSS belongs to this import alone. Prints JSON. */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { importFile } from '../../src/collect/import.ts';
import { twitterIo } from '../../src/collect/formats/twitter-io.ts';
import { openStore } from '../../src/store/open.ts';

/** CPU milliseconds the main (writing) thread has used, from /proc (Linux); undefined elsewhere. */
function mainThreadCpuMs(): number | undefined {
  try {
    // Fields 14 and 15 (utime, stime) in clock ticks, counted after the parenthesised command name.
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

const [file, target, schema] = process.argv.slice(2);
const store = target.startsWith('postgres') ? await openStore({ url: target, schema }) : await openStore({ db: target });
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const main0 = mainThreadCpuMs();
const elu0 = performance.eventLoopUtilization();
const counts = await importFile(store, file, { format: twitterIo, quiet: true });
const ms = performance.now() - t0;
// Share of the import the main (writing) thread was busy; the rest it waited for the parser.
const writerBusy = performance.eventLoopUtilization(elu0).utilization;
// CPU time is steadier than wall time on a shared machine: the writer's own, and the whole process's (parser worker included).
const cpu = process.cpuUsage(cpu0);
const main1 = mainThreadCpuMs();
await store.close();
process.stdout.write(JSON.stringify({
  ...counts, ms, writerBusy, cpuMs: (cpu.user + cpu.system) / 1000,
  writerCpuMs: main0 === undefined || main1 === undefined ? undefined : main1 - main0,
  maxRssMB: process.resourceUsage().maxRSS / 1024,
}) + '\n');
