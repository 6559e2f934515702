/** `censorscope probe`: OONI-compatible web-connectivity measurements and site-availability tracking. */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { withStore, printJson } from '../context.ts';
import { UserError } from '../../util/errors.ts';
import { readTestList, type ListEntry } from '../../probe/availability/test-list.ts';
import { trackList, type RunOptions } from '../../probe/availability/run.ts';
import { parseDuration } from '../../probe/availability/duration.ts';
import { DEFAULTS } from '../../probe/measure.ts';
import type { OoniEnvelope } from '../../probe/ooni/format.ts';
import { registerProbeAnalyse } from './probe-analyse.ts';
import { registerProbeResults } from './probe-results.ts';

interface ProbeFlags {
  input?: string[];
  list?: string;
  th?: string;
  out?: string;
  every?: string;
  residual?: boolean;
  residualDelays?: string;
  json?: boolean;
  concurrency: string;
  resolver?: string;
  timeout?: string;
  dnsTimeout?: string;
  dnsWait?: string;
  allowTestNets?: boolean;
  knownForged?: string;
  probeCc: string;
  probeAsn: string;
  store: boolean;
}

const int = (v: string | undefined, name: string): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new UserError(`${name} must be a non-negative number (got "${v}").`);
  return n;
};

/** Registers `probe`. */
export function registerProbe(program: Command): void {
  program.command('probe')
    .description('Test whether websites are reachable and, if not, how they are blocked (OONI web connectivity); with --every, track a list over time.')
    .option('--input <url...>', 'URL(s) to measure')
    .option('--list <file>', 'Citizen Lab test-list CSV (url,category_code,…) or one URL per line')
    .option('--th <url>', 'test helper URL (ours: `censorscope th`; OONI\'s: https://0.th.ooni.org/); without one verdicts are "unknown"')
    .option('--out <file>', 'append each measurement as OONI JSON (JSONL)')
    .option('--every <duration>', 'repeat the list every interval (e.g. 6h) until interrupted, recording each site\'s timeline')
    .option('--residual', 'after a reset, re-probe the same address and port to detect residual censorship')
    .option('--residual-delays <seconds>', 'comma-separated re-probe delays after a reset', DEFAULTS.residualDelaysS.join(','))
    .option('--concurrency <n>', 'URLs measured at once', '8')
    .option('--resolver <ip>', 'DNS server for the raw UDP lookup (default: first nameserver in /etc/resolv.conf)')
    .option('--timeout <ms>', 'TCP/TLS/HTTP timeout in ms', String(DEFAULTS.timeoutMs))
    .option('--dns-timeout <ms>', 'DNS timeout in ms', String(DEFAULTS.dnsTimeoutMs))
    .option('--dns-wait <ms>', 'how long to keep listening for late (raced) DNS answers', String(DEFAULTS.dnsWaitMs))
    .option('--known-forged <file>', 'addresses the censor\'s DNS injector is known to return (one IP per line, e.g. from GFWatch)')
    .option('--allow-test-nets', 'do not treat RFC 5737 documentation addresses as bogons (for the namespace lab)')
    .option('--probe-cc <cc>', 'country code recorded in measurements', 'ZZ')
    .option('--probe-asn <asn>', 'network recorded in measurements', 'AS0')
    .option('--no-store', 'do not save measurements in the store')
    .option('--json', 'print one JSON document with every result')
    .action(async (flags: ProbeFlags, cmd: Command) => {
      if (!flags.input?.length && !flags.list) throw new UserError('Give --input URL or --list FILE.');
      const entries: ListEntry[] = [];
      for (const u of flags.input ?? []) {
        try {
          const url = new URL(u);
          if (!/^https?:$/.test(url.protocol)) throw new Error('scheme');
        } catch {
          throw new UserError(`"${u}" is not an http(s) URL.`);
        }
        entries.push({ url: u, category_code: null });
      }
      if (flags.list) entries.push(...readTestList(flags.list));
      if (!/^AS\d+$/.test(flags.probeAsn)) throw new UserError('--probe-asn must look like AS1234.');
      if (!/^[A-Z]{2}$/.test(flags.probeCc)) throw new UserError('--probe-cc must be two capital letters (e.g. CN).');
      if (flags.every && !flags.list) throw new UserError('--every tracks a list: give --list FILE too.');
      if ((int(flags.concurrency, '--concurrency') ?? 8) > 16 && !process.env.UV_THREADPOOL_SIZE) {
        process.stderr.write('censorscope: hint: the system resolver runs on 4 threads; set UV_THREADPOOL_SIZE=64 for high --concurrency.\n');
      }
      if (!flags.th) process.stderr.write('censorscope: no --th test helper given; without a control, most verdicts will be "unknown".\n');
      const ac = new AbortController();
      const stop = (): void => ac.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const opts: RunOptions = {
        thUrl: flags.th, outFile: flags.out, residual: flags.residual,
        residualDelaysS: (flags.residualDelays ?? '').split(',').filter(Boolean).map((s) => int(s.trim(), '--residual-delays')!),
        concurrency: int(flags.concurrency, '--concurrency'), resolver: flags.resolver,
        timeoutMs: int(flags.timeout, '--timeout'), dnsTimeoutMs: int(flags.dnsTimeout, '--dns-timeout'), dnsWaitMs: int(flags.dnsWait, '--dns-wait'),
        allowTestNets: flags.allowTestNets, knownForged: flags.knownForged ? readAddressList(flags.knownForged) : undefined, probeCc: flags.probeCc, probeAsn: flags.probeAsn,
        listName: flags.list, everyMs: flags.every ? parseDuration(flags.every) : undefined, signal: ac.signal,
        onMeasurement: (m) => {
          if (!flags.json) process.stdout.write(describe(m) + '\n');
          const cf = controlFailureOf(m);
          if (cf) process.stderr.write(`censorscope: no control for ${m.input}: the test helper at ${flags.th} failed (${cf}), so this measurement cannot tell blocking from an ordinary failure.\n`);
        },
      };
      const run = async (store: Parameters<typeof trackList>[0]): Promise<OoniEnvelope[]> => trackList(store, entries, opts, (s) => {
        process.stderr.write(`round ${s.round}: ${s.measured} URLs in ${s.seconds.toFixed(1)} s — ${Object.entries(s.verdicts).map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
      });
      const results = flags.store ? await withStore(cmd, run) : await run(null);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      if (flags.json) {
        printJson({
          measured: results.length,
          results: results.map((m) => {
            const tk = m.test_keys as Record<string, unknown>;
            return { input: m.input, verdict: tk.x_verdict, blocking: tk.blocking, accessible: tk.accessible, how: tk.x_blocked_how,
              dns_consistency: tk.dns_consistency, x_blocking_flags: tk.x_blocking_flags, http_experiment_failure: tk.http_experiment_failure,
              control_failure: tk.control_failure ?? null };
          }),
        });
      }
      // A run whose every control failed measured nothing it can classify: say so with the exit code.
      if (flags.th && results.length && results.every((m) => controlFailureOf(m))) {
        throw new UserError(`Every control measurement failed (${results.length} of ${results.length}): check that the test helper at ${flags.th} is running and reachable; without it the verdicts are "unknown".`);
      }
    });
  // `probe analyse` and `probe results` (issue 12) live in their own modules.
  const probe = program.commands.find((c) => c.name() === 'probe')!;
  registerProbeAnalyse(probe);
  registerProbeResults(probe);
}

function readAddressList(file: string): Set<string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UserError(`Cannot read ${file}; give a file with one IP address per line.`);
  }
  const ips = text.split('\n').map((l) => l.replace(/#.*/, '').trim()).filter(Boolean);
  const bad = ips.find((ip) => !isIP(ip));
  if (bad) throw new UserError(`${file} has "${bad}", which is not an IP address.`);
  return new Set(ips);
}

/** The measurement's control failure when a test helper was asked and failed (not when none was given). */
function controlFailureOf(m: OoniEnvelope): string | null {
  const f = (m.test_keys as Record<string, unknown>).control_failure;
  return typeof f === 'string' && f !== 'no_test_helper' ? f : null;
}

function describe(m: OoniEnvelope): string {
  const tk = m.test_keys as Record<string, unknown>;
  const how = (tk.x_blocked_how as string[] | undefined)?.join('+');
  const cf = controlFailureOf(m);
  return `${String(tk.x_verdict).padEnd(9)} ${m.input}${tk.blocking ? ` (blocking: ${String(tk.blocking)}${how ? `; ${how}` : ''})` : ''}${cf ? ` (no control: ${cf})` : ''}`;
}
