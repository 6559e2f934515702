/**
 * `censorscope export campaign|term`: the dashboard's downloads from the command line. Each
 * writes through the same functions as the API (src/report/export-*.ts), so a file saved from
 * the dashboard and one written here are the same bytes (at the same privacy setting).
 */
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { withStore, printJson } from '../context.ts';
import { UserError } from '../../util/errors.ts';
import type { Store } from '../../store/open.ts';
import { exportPosts, writeChunk } from '../../report/export-posts.ts';
import { filterProblem, postFilter, postsWithIds, type PostFilter } from '../../report/export-filter.ts';
import { campaignNetwork, loadCampaign, networkGexf, networkGraphml, writeEdgesCsv } from '../../report/export-campaign.ts';
import { loadTerm, termPosts, timelineText } from '../../report/export-term.ts';

const REVEAL_HELP = 'real account ids and handles (the people in this data may be at risk); pseudonyms otherwise';

interface OutFlags { out?: string; json?: boolean; revealAccounts?: boolean }

/** Runs `write` into --out or stdout and reports as `export posts` does. */
export async function toOutput(cmd: Command, flags: OutFlags, what: string, write: (store: Store, out: Writable) => Promise<number>): Promise<void> {
  if (flags.json && !flags.out) throw new UserError(`--json needs --out FILE, since the ${what} go to stdout otherwise.`);
  const out = flags.out ? createWriteStream(flags.out) : process.stdout;
  const n = await withStore(cmd, (store) => write(store, out));
  if (flags.out) await new Promise<void>((res, rej) => { (out as ReturnType<typeof createWriteStream>).on('error', rej).end(res); });
  if (flags.json) printJson({ exported: n, out: flags.out });
  else if (flags.out) process.stderr.write(`Exported ${n} ${what} to ${flags.out}.\n`);
}

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new UserError(`${flag} must be ${allowed.join(' or ')}, not "${value}".`);
  return value as T;
}

/** The post list's filters from `export posts` flags, checked as the API checks them. */
export function filterFromFlags(flags: { search?: string; status?: string; source?: string; account?: string; from?: string; to?: string }): PostFilter {
  const flagOf: Record<string, string> = { q: '--search', status: '--status', source: '--source', account: '--account', from: '--from', to: '--to' };
  const r = postFilter.safeParse({ q: flags.search, status: flags.status, source: flags.source, account: flags.account, from: flags.from, to: flags.to });
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new UserError(`${flagOf[String(issue.path[0])] ?? String(issue.path[0])}: ${issue.message}.`);
  }
  const problem = filterProblem(r.data);
  if (problem) throw new UserError(`--from must not be after --to.`);
  return r.data;
}

/** Registers `export campaign` and `export term` under `export`. */
export function registerViewExports(exp: Command): void {
  exp.command('campaign')
    .description('Export a coordinated campaign found by `coordination`: its posts (csv, jsonl), its account network (gexf, graphml) or its edges (csv: one row per coordinated post pair, with both posts). Accounts are pseudonymised unless --reveal-accounts.')
    .argument('<id>', 'campaign id (cmp-…)')
    .argument('[part]', 'posts, network or edges', 'posts')
    .option('--format <fmt>', 'posts: csv or jsonl (default csv); network: gexf or graphml (default gexf); edges: csv')
    .option('--out <file>', 'write here instead of stdout')
    .option('--reveal-accounts', REVEAL_HELP)
    .option('--json', 'with --out: print {"exported": N, "out": FILE} as JSON')
    .action(async (id: string, partArg: string, flags: OutFlags & { format?: string }, cmd: Command) => {
      const part = oneOf('the part', partArg, ['posts', 'network', 'edges'] as const);
      const reveal = !!flags.revealAccounts;
      const load = async (store: Store) => {
        const c = await loadCampaign(store, id);
        if (!c) throw new UserError(`No campaign has id "${id}"; \`censorscope coordination --json\` lists them.`);
        return c;
      };
      if (part === 'posts') {
        const format = oneOf('--format', flags.format ?? 'csv', ['csv', 'jsonl'] as const);
        return toOutput(cmd, flags, 'posts', async (store, out) => exportPosts(store, out, { format, revealAccounts: reveal, select: postsWithIds((await load(store)).evidence.postIds) }));
      }
      if (part === 'edges') {
        oneOf('--format', flags.format ?? 'csv', ['csv'] as const);
        return toOutput(cmd, flags, 'edge rows', async (store, out) => writeEdgesCsv(store, await load(store), out, reveal));
      }
      const format = oneOf('--format', flags.format ?? 'gexf', ['gexf', 'graphml'] as const);
      return toOutput(cmd, flags, 'edges', async (store, out) => {
        const net = await campaignNetwork(store, await load(store), reveal);
        await writeChunk(out, format === 'gexf' ? networkGexf(net) : networkGraphml(net));
        return net.edges.length;
      });
    });

  exp.command('term')
    .description('Export a term of the latest `terms` run: the posts it counted for the term (csv, jsonl) or its timeline by UTC day with Wilson intervals (csv, json). Accounts are pseudonymised unless --reveal-accounts.')
    .argument('<term>', 'the term as the terms table shows it')
    .argument('[part]', 'posts or timeline', 'posts')
    .option('--format <fmt>', 'posts: csv or jsonl; timeline: csv or json (default csv)')
    .option('--out <file>', 'write here instead of stdout')
    .option('--reveal-accounts', REVEAL_HELP)
    .option('--json', 'with --out: print {"exported": N, "out": FILE} as JSON')
    .action(async (term: string, partArg: string, flags: OutFlags & { format?: string }, cmd: Command) => {
      const part = oneOf('the part', partArg, ['posts', 'timeline'] as const);
      const load = async (store: Store) => {
        const t = await loadTerm(store, term);
        if (!t) throw new UserError(`The latest terms run has no term "${term}"; \`censorscope terms\` lists them.`);
        return t;
      };
      if (part === 'posts') {
        const format = oneOf('--format', flags.format ?? 'csv', ['csv', 'jsonl'] as const);
        return toOutput(cmd, flags, 'posts', async (store, out) => exportPosts(store, out, { format, revealAccounts: !!flags.revealAccounts, select: termPosts(await load(store)) }));
      }
      const format = oneOf('--format', flags.format ?? 'csv', ['csv', 'json'] as const);
      return toOutput(cmd, flags, 'days', async (store, out) => {
        const t = await load(store);
        await writeChunk(out, timelineText(t, format));
        return t.timeline.length;
      });
    });
}
