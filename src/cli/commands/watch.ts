/** `censorscope watch`: follow every live source, revisit posts and tracked sites until Ctrl-C or --for. */
import type { Command } from 'commander';
import { archiveDirOf, withStore } from '../context.ts';
import { DEFAULT_CONCURRENCY, DEFAULT_PER_HOST, runWatch } from '../../watch/run.ts';
import { openArchive } from '../../archive/index.ts';
import { UserError } from '../../util/errors.ts';
import { countSites } from '../../watch/sites/claim.ts';

/** Parses 90s, 10m, 2h, 1d (or plain milliseconds). */
export function parseDuration(s: string): number {
  const m = s.trim().match(/^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/);
  if (!m) throw new UserError(`"${s}" is not a duration; use e.g. 30s, 10m, 2h or 1d.`);
  const mult = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? 'ms') as 'ms'];
  return Math.round(Number(m[1]) * mult);
}

/** Parses a whole number of at least 1 for `flag`. */
export function parseCount(s: string, flag: string): number {
  const n = Number(s);
  if (!/^\d+$/.test(s.trim()) || n < 1) throw new UserError(`${flag} "${s}" is not a whole number of at least 1; use e.g. ${flag} 8.`);
  return n;
}

export function registerWatch(program: Command): void {
  program.command('watch')
    .description('Follow every live source, revisit posts on the adaptive schedule and record disappearances, and revisit tracked sites (censorscope site add) on theirs (Ctrl-C to stop).')
    .option('--for <duration>', 'stop after this much wall time (e.g. 30s, 10m, 2h)')
    .option('--quiet', 'no progress lines')
    .option('--sim-clock <url>', "follow the simulated platform's clock (censorscope sim at this URL); only that origin's time headers count")
    .option('--allow-private', "let posts' links and redirects reach loopback, private and link-local addresses (a source's own URL always may)")
    .option('--concurrency <n>', `requests in flight at once in this process, across all sources (default ${DEFAULT_CONCURRENCY}; 1 checks one post at a time)`)
    .option('--per-host <n>', `connections open to one host (name and port) at once (default ${DEFAULT_PER_HOST})`)
    .option('--without-archive', "write nothing to the web archive (--archive folder): neither site captures nor the answers of posts' first checks, edits and disappearances")
    .action(async (f: { for?: string; quiet?: boolean; simClock?: string; allowPrivate?: boolean; withoutArchive?: boolean; concurrency?: string; perHost?: string }, cmd: Command) => {
      const durationMs = f.for ? parseDuration(f.for) : undefined;
      const concurrency = f.concurrency ? parseCount(f.concurrency, '--concurrency') : undefined;
      const perHost = f.perHost ? parseCount(f.perHost, '--per-host') : undefined;
      const ac = new AbortController();
      const stop = () => ac.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        await withStore(cmd, async (store) => {
          const sources = await store.db.selectFrom('sources').select('id').where('kind', 'in', ['mastodon', 'feed', 'http-json']).where('enabled', '=', 1).execute();
          if (!sources.length && !(await countSites(store))) throw new UserError('There is nothing to watch; add a live source with `censorscope source add` or a site with `censorscope site add URL`.');
          // Site captures and the answers a post's evidence rests on are archived (WARC) beside the store.
          const archive = f.withoutArchive ? undefined : await openArchive(store, { dir: archiveDirOf(cmd) });
          try {
            await runWatch(store, {
              archive, signal: ac.signal, durationMs, concurrency, perHost, progressEveryMs: 5000, simClock: f.simClock, allowPrivate: f.allowPrivate === true,
              onProgress: f.quiet ? undefined : (p) => {
                const kinds = Object.entries(p.disappearances).map(([k, n]) => `${k}=${n}`).join(' ') || 'none';
                const states = Object.entries(p.sites.states).map(([k, n]) => `${k}=${n}`).join(' ') || 'none';
                process.stderr.write(`watch: tracked=${p.tracked} checks/min=${p.checksPerMinute} disappearances: ${kinds} | sites=${p.sites.tracked} captures/min=${p.sites.capturesPerMinute} states: ${states}\n`);
              },
            });
          } finally {
            await archive?.close();
          }
        });
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
}
