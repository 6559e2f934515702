/** `censorscope watchlist add|list|remove|import`: the accounts and sites the impostor detector protects. */
import type { Command } from 'commander';
import { withStore, printJson } from '../context.ts';
import { UserError } from '../../util/errors.ts';
import {
  addWatchEntries, listWatchlist, quarantineWatchlistErrors, readWatchlist, removeWatchEntries, watchEntrySchema,
} from '../../detect/impostors/watchlist.ts';

export function registerWatchlist(program: Command): void {
  const wl = program.command('watchlist').description('The accounts and sites the impostor detector protects (`censorscope impostors`).');

  wl.command('add')
    .description('Add one entry: give at least one of --name, --handle, --domain.')
    .option('--name <name>', 'display name to protect (e.g. 人民日报)')
    .option('--handle <handle>', 'account handle to protect (with or without @)')
    .option('--platform <platform>', 'platform the account is on (weibo, twitter, …); empty means any')
    .option('--domain <domain>', 'site to protect (e.g. spiegel.de)')
    .option('--json', 'print {"added": N}')
    .action(async (flags: { name?: string; handle?: string; platform?: string; domain?: string; json?: boolean }, cmd: Command) => {
      const r = watchEntrySchema.safeParse({ name: flags.name, handle: flags.handle, platform: flags.platform, domain: flags.domain });
      if (!r.success) {
        const issue = r.error.issues[0]!;
        throw new UserError(`--${issue.path.map(String).join('.') || 'name'}: ${issue.message}.`);
      }
      const added = await withStore(cmd, (store) => addWatchEntries(store, [r.data]));
      if (flags.json) return printJson({ added });
      process.stdout.write(added ? 'Added 1 watchlist entry.\n' : 'That entry is already on the watchlist.\n');
    });

  wl.command('list')
    .description('List the watchlist.')
    .option('--json', 'print [{"id", "name", "handle", "platform", "domain"}]')
    .action(async (flags: { json?: boolean }, cmd: Command) => {
      const entries = await withStore(cmd, (store) => listWatchlist(store));
      if (flags.json) return printJson(entries);
      if (!entries.length) return void process.stdout.write('The watchlist is empty.\n');
      const cell = (v: string | null) => (v ?? '').replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '\uFFFD');
      process.stdout.write(`${entries.map((e) => `${e.id}\t${cell(e.name)}\t${cell(e.handle)}\t${cell(e.platform)}\t${cell(e.domain)}`).join('\n')}\n`);
    });

  wl.command('remove')
    .description('Remove entries by id (see `watchlist list`).')
    .argument('<ids...>', 'entry ids')
    .option('--json', 'print {"removed": N}')
    .action(async (ids: string[], flags: { json?: boolean }, cmd: Command) => {
      const bad = ids.filter((i) => !/^\d{1,15}$/.test(i));
      if (bad.length) throw new UserError(`Watchlist ids are whole numbers (see \`censorscope watchlist list\`), not "${bad[0]}".`);
      const removed = await withStore(cmd, (store) => removeWatchEntries(store, ids.map(Number)));
      if (flags.json) return printJson({ removed });
      process.stdout.write(`Removed ${removed} watchlist entr${removed === 1 ? 'y' : 'ies'}${removed < ids.length ? ` (${ids.length - removed} id(s) were not on it)` : ''}.\n`);
    });

  wl.command('import')
    .description('Add the entries of a CSV with the header name,handle,platform,domain; bad rows are quarantined (import_errors) with file, line, field and reason.')
    .argument('<file>', 'watchlist CSV')
    .option('--json', 'print {"added": N, "duplicates": N, "quarantined": N}')
    .action(async (file: string, flags: { json?: boolean }, cmd: Command) => {
      const { entries, errors } = readWatchlist(file);
      const added = await withStore(cmd, async (store) => {
        await quarantineWatchlistErrors(store, file, errors);
        return addWatchEntries(store, entries);
      });
      const result = { added, duplicates: entries.length - added, quarantined: errors.length };
      for (const e of errors.slice(0, 20)) process.stderr.write(`censorscope: ${e.file}, line ${e.line}, field ${e.field}: ${e.reason}; the row is quarantined.\n`);
      if (flags.json) return printJson(result);
      process.stdout.write(`Added ${added} watchlist entries (${result.duplicates} already there, ${errors.length} quarantined).\n`);
    });
}
