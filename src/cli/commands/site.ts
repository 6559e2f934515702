/** `censorscope site add|list|history|remove|webhook`: the websites the site watch revisits. */
import type { Command } from 'commander';
import { withStore, printJson } from '../context.ts';
import { parseDuration } from './watch.ts';
import { UserError } from '../../util/errors.ts';
import type { TrackedSite } from '../../store/schema.ts';
import { addSite, addSiteList, findSite, globalWebhook, listSites, removeSite, setGlobalWebhook } from '../../watch/sites/tracked.ts';
import { siteHistory } from '../../watch/sites/history.ts';

/** 5000 → "5s", 5400000 → "1h30m": the interval as people write it. */
export function formatDuration(ms: number): string {
  if (ms % 1000) return `${ms}ms`;
  let s = ms / 1000;
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86_400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    if (s >= size) {
      parts.push(`${Math.floor(s / size)}${unit}`);
      s %= size;
    }
  }
  return parts.join('') || '0s';
}

const iso = (t: number | null) => (t == null ? null : new Date(Number(t)).toISOString());

/** A tracked site as `site list --json` prints it. */
function siteJson(s: TrackedSite) {
  return {
    id: Number(s.id), url: s.url, name: s.name, every: formatDuration(Number(s.every_ms)), everyMs: Number(s.every_ms),
    webhook: s.webhook, category: s.category, enabled: Number(s.enabled) === 1,
    state: s.state, stateSince: iso(s.state_since), nextCheckAt: iso(s.next_check_at), addedAt: iso(s.added_at),
  };
}

interface AddFlags { every?: string; name?: string; webhook?: string; list?: string; json?: boolean }

export function registerSite(program: Command): void {
  const site = program.command('site').description('Track websites: `watch` revisits them, archives each answer (WARC) and classifies the change (defaced, injected, taken down, ...).');
  site.command('add [url]')
    .description('Track a site (or every URL of a Citizen Lab test-list CSV with --list FILE); adding one already tracked updates its interval, name or webhook.')
    .option('--every <duration>', 'revisit interval, e.g. 5s, 10m, 1h (default 1h, at least 1s)')
    .option('--name <name>', 'a name to show instead of the URL')
    .option('--webhook <url>', "POST a JSON alert here when this site's state changes (else the global webhook, `site webhook URL`)")
    .option('--list <file>', 'a Citizen Lab test-list CSV (url,category_code,category_description,date_added,source,notes); bad rows are quarantined in import_errors')
    .option('--json', 'print the stored site (or the list summary) as JSON')
    .action(async (url: string | undefined, f: AddFlags, cmd: Command) => {
      const everyMs = f.every == null ? undefined : parseDuration(f.every);
      if (f.list) {
        if (url) throw new UserError('Give either a URL or --list FILE, not both.');
        if (f.name || f.webhook) throw new UserError('--name and --webhook apply to one site; add the list first, then set them with `site add URL --name N --webhook URL`.');
        const r = await withStore(cmd, (store) => addSiteList(store, f.list!, everyMs));
        if (f.json) return printJson({ file: f.list, added: r.added, alreadyTracked: r.known, quarantined: r.quarantined.map(({ raw: _raw, ...e }) => e) });
        process.stdout.write(`${f.list}: ${r.added} site(s) added, ${r.known} already tracked, ${r.quarantined.length} row(s) quarantined${r.quarantined.length ? ' (kept in the import_errors table)' : ''}.\n`);
        for (const e of r.quarantined.slice(0, 10)) process.stdout.write(`  ${e.file}, line ${e.line}, field ${e.field}: ${e.reason}\n`);
        if (r.quarantined.length > 10) process.stdout.write(`  … and ${r.quarantined.length - 10} more\n`);
        return;
      }
      if (!url) throw new UserError('Give the URL of the site to track (site add https://example.org/), or a list with --list FILE.');
      const r = await withStore(cmd, (store) => addSite(store, { url, everyMs, name: f.name ?? null, webhook: f.webhook ?? null }));
      if (f.json) return printJson(siteJson(r.site));
      process.stdout.write(`${r.added ? 'tracking' : 'already tracked'} site ${r.site.id} ${r.site.url} every ${formatDuration(Number(r.site.every_ms))}${r.site.name ? ` ("${r.site.name}")` : ''}${r.site.webhook ? `, webhook ${r.site.webhook}` : ''}\n`);
    });

  site.command('list')
    .description('List tracked sites with their state and interval.')
    .option('--json', 'print the sites as a JSON array')
    .action(async (f: { json?: boolean }, cmd: Command) => {
      const rows = await withStore(cmd, listSites);
      if (f.json) return printJson(rows.map(siteJson));
      if (!rows.length) return void process.stdout.write('no tracked sites; add one with `censorscope site add URL`\n');
      process.stdout.write(`${'id'.padStart(5)}  ${'state'.padEnd(11)} ${'since'.padEnd(20)} ${'every'.padEnd(7)} url\n`);
      for (const r of rows) {
        const since = r.state_since == null ? '-' : new Date(Number(r.state_since)).toISOString().slice(0, 19) + 'Z';
        process.stdout.write(`${String(r.id).padStart(5)}  ${(r.state ?? 'new').padEnd(11)} ${since.padEnd(20)} ${formatDuration(Number(r.every_ms)).padEnd(7)} ${r.url}${r.name ? `  (${r.name})` : ''}${r.category ? `  [${r.category}]` : ''}\n`);
      }
    });

  site.command('history <url>')
    .description("A tracked site's captures, oldest first: time, HTTP status, verdict, reasons and payload digest.")
    .option('--json', 'print {"url", "captures": [{"at", "status", "verdict", "reasons", "digest"}]}')
    .action(async (url: string, f: { json?: boolean }, cmd: Command) => {
      const h = await withStore(cmd, async (store) => siteHistory(store, await findSite(store, url)));
      if (f.json) return printJson(h);
      if (!h.captures.length) return void process.stdout.write(`${h.url}: no captures yet; \`censorscope watch\` visits it when due.\n`);
      process.stdout.write(`${h.url}\n${'at'.padEnd(24)} ${'status'.padEnd(6)} ${'verdict'.padEnd(11)} ${'digest'.padEnd(20)} reasons\n`);
      for (const c of h.captures) {
        const digest = c.digest ? `${c.digest.slice(0, 19)}…` : '-';
        process.stdout.write(`${c.at.padEnd(24)} ${String(c.status ?? '-').padEnd(6)} ${c.verdict.padEnd(11)} ${digest.padEnd(20)} ${c.reasons.join('; ')}\n`);
      }
    });

  site.command('remove <url>')
    .description('Stop tracking a site (its captures and pending alerts are removed; archived WARC records stay).')
    .action(async (url: string, _f: unknown, cmd: Command) => {
      const s = await withStore(cmd, (store) => removeSite(store, url));
      process.stdout.write(`removed site ${s.id} ${s.url}\n`);
    });

  site.command('webhook [url]')
    .description('Show, set or (--clear) clear the global webhook called on state changes of sites without their own.')
    .option('--clear', 'remove the global webhook')
    .action(async (url: string | undefined, f: { clear?: boolean }, cmd: Command) => {
      if (url && f.clear) throw new UserError('Give either a webhook URL or --clear, not both.');
      const value = await withStore(cmd, (store) => (f.clear ? setGlobalWebhook(store, null) : url ? setGlobalWebhook(store, url) : globalWebhook(store)));
      if (f.clear) return void process.stdout.write('global site webhook cleared\n');
      process.stdout.write(value ? `global site webhook: ${value}\n` : 'no global site webhook; set one with `censorscope site webhook URL`\n');
    });
}
