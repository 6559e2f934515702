/**
 * `censorscope impostors`: look-alike accounts and domains of the watchlist's accounts and sites,
 * in lists the user gives (--accounts, --domains) or, without them, in the store (its accounts and
 * the domains its posts link to), whose findings are stored.
 */
import type { Command } from 'commander';
import { withStore, printJson } from '../context.ts';
import { UserError } from '../../util/errors.ts';
import { createProgress } from '../../util/progress.ts';
import { readWatchlist, listWatchlist, type WatchEntry, type WatchlistError } from '../../detect/impostors/watchlist.ts';
import { readAccountsFile, readDomainsFile } from '../../detect/impostors/inputs.ts';
import { bestMatch, buildIndexes, runImpostors, targetLabel } from '../../detect/impostors/scan.ts';
import { accountView } from '../../report/privacy.ts';
import { viewAccountImpostor } from '../../report/privacy-impostors.ts';

interface Flags { watchlist?: string; accounts?: string; domains?: string; json?: boolean; revealAccounts?: boolean }

interface Output {
  accounts: Array<{ account_id: string; name: string | null; handle: string | null; target: string; score: number; reasons: string[] }>;
  domains: Array<{ domain: string; target: string; score: number; reasons: string[] }>;
}

/** Makes a scraped name safe to print on a terminal (no control or bidi characters). */
function safe(text: string | null): string {
  return (text ?? '').replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '\uFFFD');
}

function reportBadLines(errors: WatchlistError[]): void {
  for (const e of errors.slice(0, 20)) process.stderr.write(`censorscope: ${e.file}, line ${e.line}, field ${e.field}: ${e.reason}; the line is skipped.\n`);
  if (errors.length > 20) process.stderr.write(`censorscope: … and ${errors.length - 20} more bad lines skipped.\n`);
}

/** Gives every watchlist entry read from a file an id of its own (its position). */
function numbered(entries: Array<Omit<WatchEntry, 'id'>>): WatchEntry[] {
  return entries.map((e, i) => ({ id: i + 1, ...e }));
}

export function registerImpostors(program: Command): void {
  program.command('impostors')
    .description('Find accounts and domains that imitate the watchlist\'s accounts and sites: look-alike display names and handles (visually similar characters, homoglyphs, invisible characters, fake "official" additions) and look-alike domains (typos, keyboard and visual neighbours, hyphenation, IDN homographs, combined with a change of suffix; brand in a subdomain; brand plus a word). With --accounts or --domains, scans those lists; without, scans the store\'s accounts and the domains of its posts\' links and stores the findings (kind "impostor").')
    .option('--watchlist <file>', 'CSV with the header name,handle,platform,domain: the accounts and sites to protect (default: the store\'s watchlist, see `censorscope watchlist`)')
    .option('--accounts <file>', 'CSV with the header account_id,name,handle: accounts to check (printed as given)')
    .option('--domains <file>', 'domains to check, one a line')
    .option('--reveal-accounts', 'print the store\'s flagged accounts with their real ids, handles and names (the people in this data may be at risk); pseudonyms otherwise')
    .option('--json', 'print {"accounts": [{"account_id", "name", "handle", "target", "score", "reasons"}], "domains": [{"domain", "target", "score", "reasons"}]}')
    .action(async (flags: Flags, cmd: Command) => {
      const fromFiles = Boolean(flags.accounts || flags.domains);
      let watch: WatchEntry[] | undefined;
      if (flags.watchlist) {
        const { entries, errors } = readWatchlist(flags.watchlist);
        reportBadLines(errors);
        if (!entries.length) throw new UserError(`${flags.watchlist} has no usable watchlist entry (${errors.length} bad lines); give rows of name,handle,platform,domain.`);
        watch = numbered(entries);
      }
      const progress = createProgress({ label: 'impostors', unit: fromFiles ? 'items' : 'rows', quiet: Boolean(flags.json) && !process.stderr.isTTY });
      let out: Output;
      let note = '';
      try {
        if (fromFiles) {
          if (!watch) watch = await withStore(cmd, (store) => listWatchlist(store));
          if (!watch.length) throw new UserError('The watchlist is empty: give --watchlist FILE or add entries with `censorscope watchlist add`.');
          out = scanFiles(watch, flags, progress);
        } else {
          out = await withStore(cmd, async (store) => {
            const r = await runImpostors(store, { watchlist: watch }, progress);
            if (!r.watchlist) throw new UserError('The watchlist is empty: give --watchlist FILE or add entries with `censorscope watchlist add|import`.');
            const view = await accountView(store, Boolean(flags.revealAccounts));
            note = `Scanned ${r.accountsScanned} accounts and ${r.postsScanned} posts against ${r.watchlist} watchlist entries; findings stored (kind "impostor").`;
            return {
              accounts: r.accounts.map((a) => {
                const v = viewAccountImpostor(a, view);
                return { account_id: v.account_id, name: v.name, handle: v.handle, target: v.target, score: v.score, reasons: v.reasons };
              }),
              domains: r.domains.map((d) => ({ domain: d.domain, target: d.target, score: d.score, reasons: d.reasons })),
            };
          });
        }
      } finally {
        progress.stop();
      }
      if (flags.json) return printJson(out);
      const lines: string[] = [];
      if (note) lines.push(note);
      lines.push(`${out.accounts.length} impostor account${out.accounts.length === 1 ? '' : 's'}, ${out.domains.length} impostor domain${out.domains.length === 1 ? '' : 's'}.`);
      for (const a of out.accounts) lines.push(`account ${safe(a.account_id)} ${safe(a.handle)} ${safe(a.name)} → ${safe(a.target)} (${a.score.toFixed(2)}): ${a.reasons.map(safe).join('; ')}`);
      for (const d of out.domains) lines.push(`domain ${safe(d.domain)} → ${d.target} (${d.score.toFixed(2)}): ${d.reasons.map(safe).join('; ')}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}

/** Checks the user's own lists (no store needed): accounts and domains are printed as given. */
function scanFiles(watch: WatchEntry[], flags: Flags, progress: ReturnType<typeof createProgress>): Output {
  const { names, domains, byId } = buildIndexes(watch);
  const out: Output = { accounts: [], domains: [] };
  if (flags.accounts) {
    const { accounts, errors } = readAccountsFile(flags.accounts);
    reportBadLines(errors);
    progress.setTotal(accounts.length);
    for (const a of accounts) {
      const m = bestMatch(names.match({ name: a.name, handle: a.handle }));
      if (m) out.accounts.push({ account_id: a.account_id, name: a.name, handle: a.handle, target: targetLabel(m.entry, 'account'), score: m.score, reasons: m.reasons });
      progress.tick(1);
    }
  }
  if (flags.domains) {
    const { domains: list, errors } = readDomainsFile(flags.domains);
    reportBadLines(errors);
    progress.setTotal(list.length);
    const seen = new Set<string>();
    for (const d of list) {
      const f = domains.match(d);
      progress.tick(1);
      if (!f || seen.has(f.domain)) continue;
      seen.add(f.domain);
      out.domains.push({ domain: d, target: targetLabel(byId.get(f.targetId)!, 'domain'), score: f.score, reasons: f.reasons });
    }
  }
  return out;
}
