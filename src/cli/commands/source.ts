/** `censorscope source add|list`: the live sources the watcher follows. */
import type { Command } from 'commander';
import { withStore, printJson } from '../context.ts';
import { addSource, checkFeedUrl, listSources } from '../../collect/sources/add.ts';
import { UserError } from '../../util/errors.ts';

interface AddFlags { url?: string; public?: boolean; hashtag?: string; account?: string; config?: string; name?: string; budget?: string; timeout?: string; simulated?: boolean; json?: boolean }

export function registerSource(program: Command): void {
  const source = program.command('source').description('Manage live sources (mastodon, feed, http-json) for the deletion watch.');
  source.command('add <kind>')
    .description('Add a live source: mastodon --url URL (--public | --hashtag TAG | --account HANDLE), feed --url URL (RSS, RDF, Atom or JSON Feed; fetched once and refused if not a feed), or http-json --config FILE.')
    .option('--url <url>', 'server or feed URL')
    .option('--public', 'mastodon: follow the public timeline')
    .option('--hashtag <tag>', 'mastodon: follow a hashtag timeline')
    .option('--account <handle>', "mastodon: follow one account's statuses")
    .option('--config <file>', 'http-json: JSON config describing the API')
    .option('--name <name>', 'unique name (default derived from the URL)')
    .option('--budget <n>', 'requests per minute this source may use (default 60)')
    .option('--timeout <ms>', 'milliseconds one request may take before it counts as a timeout, never a deletion (default 10000)')
    .option('--simulated', 'the source is a simulation (e.g. censorscope sim): the dashboard shows a "simulated data" banner while it is present')
    .option('--json', 'print the stored source as JSON')
    .action(async (kind: string, f: AddFlags, cmd: Command) => {
      const common = { name: f.name, budgetPerMinute: f.budget == null ? undefined : Number(f.budget), timeoutMs: f.timeout == null ? undefined : Number(f.timeout), simulated: f.simulated === true };
      const row = await withStore(cmd, async (store) => {
        if (kind === 'mastodon' || kind === 'feed') {
          if (!f.url) throw new UserError(`A ${kind} source needs --url URL.`);
          // One fetch now, so a page that is not a feed is refused instead of failing every watch.
          if (kind === 'feed') await checkFeedUrl(f.url);
          return kind === 'mastodon'
            ? addSource(store, { kind, url: f.url, public: f.public, hashtag: f.hashtag, account: f.account, ...common })
            : addSource(store, { kind, url: f.url, ...common });
        }
        if (kind === 'http-json') {
          if (!f.config) throw new UserError('An http-json source needs --config FILE.');
          return addSource(store, { kind, configFile: f.config, ...common });
        }
        throw new UserError(`Unknown source kind "${kind}"; use mastodon, feed or http-json.`);
      });
      if (f.json) return printJson({ ...row, config: JSON.parse(row.config) });
      process.stdout.write(`added source ${row.id} "${row.name}" (${row.kind})\n`);
    });
  source.command('list')
    .description('List live sources with their kind, budget and cursor.')
    .option('--json', 'print the sources as a JSON array')
    .action(async (f: { json?: boolean }, cmd: Command) => {
      const rows = await withStore(cmd, listSources);
      if (f.json) return printJson(rows.map((r) => ({ ...r, config: JSON.parse(r.config) })));
      if (!rows.length) return void process.stdout.write('no live sources; add one with `censorscope source add`\n');
      for (const r of rows) {
        const c = JSON.parse(r.config) as { budgetPerMinute?: number; url?: string };
        process.stdout.write(`${String(r.id).padStart(4)}  ${r.kind.padEnd(9)} ${r.name}  budget=${c.budgetPerMinute ?? 60}/min${r.enabled ? '' : '  (disabled)'}\n`);
      }
    });
}
