/** `censorscope archive export|verify|stats`: the web archive as WACZ packages a replay tool opens. */
import type { Command } from 'commander';
import { archiveDirOf, printJson, withStore } from '../context.ts';
import { exportWacz } from '../../archive/wacz.ts';
import { validateWacz } from '../../archive/wacz-validate.ts';
import { archiveStats } from '../../archive/stats.ts';
import { UserError } from '../../util/errors.ts';

export function registerArchive(program: Command): void {
  const archive = program.command('archive').description('Export and check the web archive (WARC records of tracked sites and watched posts).');

  archive.command('export')
    .description('Write a WACZ 1.1.1 package (WARC, CDXJ index, pages, datapackage) that ReplayWeb.page and pywb replay.')
    .option('--site <url>', 'the captures of one tracked site')
    .option('--post <id>', 'the checks of one watched post')
    .option('--all', 'everything archived')
    .requiredOption('--out <file>', 'the .wacz file to write')
    .action(async (flags: { site?: string; post?: string; all?: boolean; out: string }, cmd: Command) => {
      let post: number | undefined;
      if (flags.post !== undefined) {
        post = Number(flags.post);
        if (!Number.isSafeInteger(post) || post <= 0) throw new UserError(`--post takes a post ID (a positive whole number), not "${flags.post}".`);
      }
      const dir = archiveDirOf(cmd);
      const summary = await withStore(cmd, (store) => exportWacz(store, { dir }, { site: flags.site, post, all: flags.all }, flags.out,
        (m) => process.stderr.write(`archive export: ${m}\n`)));
      process.stdout.write(`wrote ${flags.out}: ${summary.records} WARC records, ${summary.pages} pages, ${summary.bytes} bytes\n`);
    });

  archive.command('verify')
    .description('Check a WACZ: resource hashes, the datapackage digest, every index line against its WARC record, every page in the index.')
    .argument('<file>', 'the .wacz file')
    .action(async (file: string) => {
      const { problems, counts } = await validateWacz(file);
      if (problems.length) {
        for (const p of problems) process.stdout.write(`${p}\n`);
        throw new UserError(`${file} is not valid: ${problems.length} problem(s).`);
      }
      process.stdout.write(`OK ${file}: ${counts.resources} resources, ${counts.indexLines} index lines, ${counts.pages} pages\n`);
    });

  archive.command('stats')
    .description('Files, records and bytes in the web archive, and the share of captures deduplicated.')
    .option('--json', 'print the figures as JSON')
    .action(async (flags: { json?: boolean }, cmd: Command) => {
      const dir = archiveDirOf(cmd);
      const s = await withStore(cmd, (store) => archiveStats(store, dir));
      if (flags.json) return printJson(s);
      process.stdout.write([
        `folder     ${s.dir}`, `files      ${s.files}`, `bytes      ${s.bytes}`,
        `responses  ${s.records.response}`, `revisits   ${s.records.revisit}`, `requests   ${s.records.request}`,
        `dedup      ${(s.dedupRatio * 100).toFixed(1)}% of captures were revisits`,
      ].join('\n') + '\n');
    });
}
