/** `censorscope probe results`: stored measurements (ours and imported OONI ones) and per-site timelines. */
import type { Command } from 'commander';
import { withStore, printJson } from '../context.ts';
import { UserError } from '../../util/errors.ts';
import { parseDuration } from '../../probe/availability/duration.ts';
import { probeResults, type ProbeResults, type ResultsFilter } from '../../probe/results.ts';

interface ResultsFlags {
  input?: string;
  since?: string;
  until?: string;
  cc?: string;
  asn?: string;
  source?: string;
  limit: string;
  json?: boolean;
}

/** Registers `probe results` under the `probe` command. */
export function registerProbeResults(probe: Command): void {
  probe.command('results')
    .description('List stored measurements (ours and imported OONI ones) and each site\'s timeline per network: when its state changed, and how it is blocked.')
    .option('--input <url-or-host>', 'only this URL (exact) or every URL on this host')
    .option('--since <time>', 'only measurements started at or after this UTC time (2024-01-31, 2024-01-31T12:00) or this long ago (7d, 12h)')
    .option('--until <time>', 'only measurements started before this time (same forms as --since)')
    .option('--cc <code>', 'only measurements from this country (two letters, e.g. CN)')
    .option('--asn <asn>', 'only measurements from this network (e.g. AS4134)')
    .option('--source <which>', 'probe (measured here) or import (imported files)')
    .option('--limit <n>', 'list at most this many measurements, the most recent (timelines use every matching one)', '1000')
    .option('--json', 'print {"total", "truncated", "measurements": [...], "sites": [{"input", "probe_cc", "probe_asn", "timeline": [{"at", "until", "state", "how", "measurements"}]}]}')
    .action(async (own: ResultsFlags, cmd: Command) => {
      const flags = withParentFlags(own, cmd);
      const filter = toFilter(flags);
      const results = await withStore(cmd, (store) => probeResults(store, filter));
      if (flags.json) printJson(results);
      else process.stdout.write(describe(results));
    });
}

/**
 * `probe` itself has --json and --input, and commander gives an option to the parent when both
 * know it (the program's options are not positional), so read them from there too.
 */
function withParentFlags(own: ResultsFlags, cmd: Command): ResultsFlags {
  const parent = (cmd.parent?.opts() ?? {}) as { json?: boolean; input?: string[] };
  if (parent.input && parent.input.length > 1) throw new UserError('probe results takes one --input (a URL or a host name).');
  return { ...own, json: own.json ?? parent.json, input: own.input ?? parent.input?.[0] };
}

function toFilter(flags: ResultsFlags): ResultsFilter {
  const limit = Number(flags.limit);
  if (!Number.isInteger(limit) || limit < 0) throw new UserError(`--limit must be a whole number (got "${flags.limit}").`);
  if (flags.cc && !/^[A-Za-z]{2}$/.test(flags.cc)) throw new UserError(`--cc must be a two-letter country code such as CN (got "${flags.cc}").`);
  if (flags.asn && !/^AS\d+$/i.test(flags.asn)) throw new UserError(`--asn must look like AS4134 (got "${flags.asn}").`);
  if (flags.source && flags.source !== 'probe' && flags.source !== 'import') throw new UserError(`--source must be probe or import (got "${flags.source}").`);
  return {
    input: flags.input, cc: flags.cc, asn: flags.asn, limit, source: flags.source as ResultsFilter['source'],
    since: flags.since === undefined ? undefined : parseTime(flags.since, '--since'),
    until: flags.until === undefined ? undefined : parseTime(flags.until, '--until'),
  };
}

/** A UTC date or time (zone-less means UTC, whatever the machine's zone), or a duration ago. */
export function parseTime(text: string, flag: string, now = Date.now()): number {
  const t = text.trim();
  if (/^\d+(\.\d+)?\s*(ms|s|m|h|d)$/.test(t)) return now - parseDuration(t);
  const m = /^(\d{4}-\d\d-\d\d)(?:[T ](\d\d:\d\d(?::\d\d(?:\.\d+)?)?))?\s*(Z|[+-]\d\d:?\d\d)?$/i.exec(t);
  // The day is checked on its own: Date.parse reads 2024-02-30 as March 1.
  const realDay = m !== null && new Date(Date.parse(`${m[1]}T00:00:00Z`) || 0).toISOString().slice(0, 10) === m[1];
  const ms = realDay ? Date.parse(`${m[1]}T${m[2] ?? '00:00:00'}${m[3] ?? 'Z'}`) : NaN;
  if (!Number.isFinite(ms)) throw new UserError(`${flag} "${text}" is not a time; write 2024-01-31, 2024-01-31T12:00 (UTC), or a duration ago such as 7d.`);
  return ms;
}

function describe(r: ProbeResults): string {
  if (!r.total) return 'No stored measurements match. Measure with `censorscope probe`, or import OONI files with `censorscope import --format ooni FILE.jsonl`.\n';
  const lines: string[] = [];
  lines.push(r.truncated ? `${r.measurements.length} most recent of ${r.total} measurements (raise --limit for more):` : `${r.total} measurements:`);
  lines.push(['time (UTC)         ', 'source', 'cc', 'asn       ', 'state    ', 'how                 ', 'ooni (blocking, accessible)', 'input'].join('  '));
  for (const m of r.measurements) {
    const ooni = m.ooni ? `${String(m.ooni.blocking)}, ${String(m.ooni.accessible)}` : '-';
    lines.push([m.measurement_start_time, m.source.padEnd(6), m.probe_cc, m.probe_asn.padEnd(10), m.state.padEnd(9), (m.how.join('+') || '-').padEnd(20), ooni.padEnd(27), m.input].join('  '));
  }
  lines.push('', `Timelines (${r.sites.length} sites × networks; each line is a change point):`);
  for (const s of r.sites) {
    lines.push(`${s.input}  ${s.probe_cc} ${s.probe_asn}`);
    for (const p of s.timeline) {
      const span = p.at === p.until ? p.at : `${p.at} – ${p.until}`;
      lines.push(`  ${span}  ${p.state}${p.how.length ? ` (${p.how.join('+')})` : ''}  ${p.measurements} measurement${p.measurements === 1 ? '' : 's'}`);
    }
  }
  return lines.join('\n') + '\n';
}
