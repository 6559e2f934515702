/** `censorscope import`: load files of posts (or OONI measurements) into the store. */
import { writeFileSync, type WriteStream } from 'node:fs';
import type { Command } from 'commander';
import { withStore, printJson } from '../context.ts';
import { importFile, openErrorsFile, type ImportCounts } from '../../collect/import.ts';
import { ALL_FORMAT_NAMES, resolveFormat } from '../../collect/formats/registry.ts';
import { loadMapping, MAPPING_FIELDS } from '../../collect/formats/generic.ts';
import { importOoniFile } from '../../probe/ooni/import.ts';

interface ImportFlags {
  format: string;
  encoding: string;
  errors?: string;
  source?: string;
  map?: string;
  mapping?: string;
  json?: boolean;
  quiet?: boolean;
}

export function registerImport(program: Command): void {
  program.command('import')
    .description('Import files of posts (or OONI measurements) into the store; idempotent and resumable.')
    .requiredOption('--format <name>', `file format: ${ALL_FORMAT_NAMES.join(', ')}`)
    .option('--encoding <name>', 'text encoding of the files (utf-8, gb18030, …)', 'utf-8')
    .option('--errors <file>', 'also write quarantined rows here as JSONL (file, line, field, reason, raw)')
    .option('--source <name>', 'source name the posts belong to (default: the format name)')
    .option('--map <pairs>', `for csv/jsonl: field=column pairs, e.g. id=tweet_id,text=body (fields: ${MAPPING_FIELDS.join(', ')})`)
    .option('--mapping <file>', 'for csv/jsonl: a JSON file {"id": "column", "text": "column", …}')
    .option('--json', 'print {"imported", "duplicates", "quarantined"} as JSON (posts formats add "rows" and "conflicts")')
    .option('--quiet', 'no progress output')
    .argument('<files...>', 'files to import')
    .action(async (files: string[], flags: ImportFlags, cmd: Command) => {
      const totals: ImportCounts & { rows?: number; conflicts?: number } = await withStore(cmd, async (store) => {
        let importOne: (file: string) => Promise<ImportCounts & { rows?: number; conflicts?: number }>;
        let errors: WriteStream | undefined;
        if (flags.format === 'ooni') {
          // The OONI importer appends its quarantine lines; start the file empty as for posts.
          if (flags.errors) writeFileSync(flags.errors, '');
          // Ctrl-C stops after the current batch and records the import as interrupted.
          const ac = new AbortController();
          process.once('SIGINT', () => ac.abort());
          importOne = (file) => importOoniFile(store, file, { errorsFile: flags.errors, quiet: flags.quiet, signal: ac.signal });
        } else {
          const generic = flags.format === 'csv' || flags.format === 'jsonl';
          const mapping = generic ? loadMapping(flags.map, flags.mapping) : undefined;
          const format = resolveFormat({ name: flags.format, mapping });
          errors = flags.errors ? openErrorsFile(flags.errors) : undefined;
          importOne = (file) => importFile(store, file, { format, mapping, encoding: flags.encoding, source: flags.source, errors, quiet: flags.quiet });
        }
        const sum: ImportCounts & { rows?: number; conflicts?: number } = { imported: 0, duplicates: 0, quarantined: 0 };
        try {
          for (const file of files) {
            const c = await importOne(file);
            sum.imported += c.imported;
            sum.duplicates += c.duplicates;
            sum.quarantined += c.quarantined;
            // Posts imports say how many rows they read (= the three above) and how many of the quarantined were conflicting duplicates.
            if (c.rows !== undefined) sum.rows = (sum.rows ?? 0) + c.rows;
            if (c.conflicts !== undefined) sum.conflicts = (sum.conflicts ?? 0) + c.conflicts;
          }
        } finally {
          await new Promise<void>((res) => (errors ? errors.end(res) : res()));
        }
        return sum;
      });
      if (flags.json) printJson(totals);
      else {
        const what = flags.format === 'ooni' ? 'measurements' : 'posts';
        const conflicts = totals.conflicts ? ` (${totals.conflicts} of them conflicting duplicates: an id already stored with other content)` : '';
        const read = totals.rows !== undefined ? `Read ${totals.rows} rows: ` : '';
        process.stdout.write(`${read}Imported ${totals.imported} ${what}; ${totals.duplicates} were already in the store; ${totals.quarantined} rows quarantined${conflicts}.\n`);
        if (totals.quarantined && !flags.errors) process.stdout.write('See the quarantined rows with --errors FILE (they are also kept in the store\'s import_errors table).\n');
      }
    });
}
