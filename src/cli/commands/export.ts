/** `censorscope export posts`: posts out of the store, accounts pseudonymised by default. */
import { createWriteStream } from 'node:fs';
import type { Command } from 'commander';
import { withStore, printJson } from '../context.ts';
import { exportPosts } from '../../report/export-posts.ts';
import { UserError } from '../../util/errors.ts';
import { createProgress } from '../../util/progress.ts';
import { FilterError, filteredPosts, resolveFilter, type PostFilter, type ResolvedFilter } from '../../report/export-filter.ts';
import { accountView, PseudonymIndex } from '../../report/privacy.ts';
import type { Store } from '../../store/open.ts';
import { filterFromFlags, registerViewExports } from './export-views.ts';

export function registerExport(program: Command): void {
  const exp = program.command('export').description('Export data from the store.');
  exp.command('posts')
    .description('Export every post, one record a post. Account ids, handles and mentions (and the author\'s id or handle inside URLs and evidence) are pseudonymised with a keyed hash unless --reveal-accounts; display names are not exported; text is kept as written.')
    .option('--format <fmt>', 'csv or jsonl', 'csv')
    .option('--out <file>', 'write here instead of stdout')
    .option('--reveal-accounts', 'export real account ids and handles (the people in this data may be at risk)')
    .option('--json', 'with --out: print {"exported": N, "out": FILE} as JSON')
    // The dashboard's post-list filters (GET /api/posts), so a filtered list exports the same posts as its Download link.
    .option('--search <text>', 'only posts whose text contains this').option('--status <status>', 'only posts with this status')
    .option('--source <id>', 'only posts of this source (id)').option('--account <account>', 'only posts of this account: its store id, handle, platform id or pseudonym (acct_…)')
    .option('--from <time>', 'created at or after (epoch ms or ISO date)').option('--to <time>', 'created before (epoch ms or ISO date)')
    .action(async (flags: { format: string; out?: string; revealAccounts?: boolean; json?: boolean; search?: string; status?: string; source?: string; account?: string; from?: string; to?: string }, cmd: Command) => {
      if (flags.format !== 'csv' && flags.format !== 'jsonl') throw new UserError(`--format must be csv or jsonl, not "${flags.format}".`);
      const filter = filterFromFlags(flags);
      const filtered = Object.values(filter).some((v) => v !== undefined);
      if (flags.json && !flags.out) throw new UserError('--json needs --out FILE, since the posts themselves go to stdout otherwise.');
      const out = flags.out ? createWriteStream(flags.out) : process.stdout;
      const progress = createProgress({ label: 'export', unit: 'posts', quiet: !flags.out });
      const n = await withStore(cmd, async (store) => {
        // --account takes what the dashboard's filter takes (store id, handle, platform id, pseudonym).
        const select = filtered ? filteredPosts(await resolveCliFilter(store, filter, !!flags.revealAccounts)) : undefined;
        return exportPosts(store, out, { format: flags.format as 'csv' | 'jsonl', revealAccounts: flags.revealAccounts, select, onRows: (k) => progress.tick(k) });
      });
      progress.stop();
      if (flags.out) await new Promise<void>((res) => (out as ReturnType<typeof createWriteStream>).end(res));
      if (flags.json) printJson({ exported: n, out: flags.out });
      else if (flags.out) process.stderr.write(`Exported ${n} posts to ${flags.out}.\n`);
    });
  registerViewExports(exp);
}

/** Resolves --account to store accounts as the dashboard's filter does; a vague value is a user error. */
async function resolveCliFilter(store: Store, filter: PostFilter, reveal: boolean): Promise<ResolvedFilter> {
  try {
    return (await resolveFilter(store, new PseudonymIndex(store), await accountView(store, reveal), filter)).filter;
  } catch (err) {
    if (err instanceof FilterError) throw new UserError(`--${err.param}: ${err.message}.`);
    throw err;
  }
}
