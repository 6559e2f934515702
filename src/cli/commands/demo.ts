/** `censorscope demo`: the main job on the embedded store (placeholder until the observatory runs live). */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { withStore } from '../context.ts';
import { writeWeiboscopeSample } from '../../collect/samples/sample-files.ts';
import { importFile } from '../../collect/import.ts';
import { weiboscope } from '../../collect/formats/weiboscope.ts';
import { storeStats } from '../../store/queries/stats.ts';

export function registerDemo(program: Command): void {
  program.command('demo')
    .description('Generate a sample Weiboscope file, import it into the store and print the stats.')
    .option('--rows <n>', 'rows to generate', '20000')
    .action(async (flags: { rows: string }, cmd: Command) => {
      mkdirSync('.tmp', { recursive: true });
      const file = join('.tmp', 'demo-weiboscope.csv');
      await writeWeiboscopeSample(file, Number(flags.rows));
      await withStore(cmd, async (store) => {
        const c = await importFile(store, file, { format: weiboscope });
        process.stdout.write(`Imported ${c.imported} posts (${c.duplicates} already present, ${c.quarantined} quarantined).\n`);
        process.stdout.write(`${JSON.stringify(await storeStats(store), null, 2)}\n`);
      });
    });
}
