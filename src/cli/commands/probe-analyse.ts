/** `censorscope probe analyse FILE.jsonl`: OONI's verdict and ours, side by side, for OONI's own measurements. */
import type { Command } from 'commander';
import { statSync } from 'node:fs';
import { printJson } from '../context.ts';
import { UserError } from '../../util/errors.ts';
import type { AnalyseReport, AnalysedMeasurement, Blocking } from '../../probe/analyse/index.ts';

const show = (b: Blocking, a: boolean | null): string => `${JSON.stringify(b)}/${JSON.stringify(a)}`;

function textReport(r: AnalyseReport): string {
  const rows = r.measurements.map((m: AnalysedMeasurement) => [
    m.agree ? 'agree   ' : 'DISAGREE',
    ...(m.scenario !== undefined ? [m.scenario] : []),
    m.input,
    `ooni ${show(m.ooni.blocking, m.ooni.accessible)}`,
    `censorscope ${show(m.censorscope.blocking, m.censorscope.accessible)} ${m.censorscope.verdict}`,
    ...(m.agree ? [] : [`(${m.censorscope.reasons.join('; ')})`]),
  ].join('  '));
  const a = r.agreement;
  const table = ['', 'agreement (blocking as OONI writes it):', `${'OONI'.padEnd(16)}${'censorscope'.padEnd(16)}count`];
  for (const row of a.table) table.push(`${JSON.stringify(row.ooni).padEnd(16)}${JSON.stringify(row.censorscope).padEnd(16)}${row.count}${row.ooni === row.censorscope ? '' : '  (differ)'}`);
  table.push(`${a.agree} of ${a.measurements} measurements agree (${a.disagree} disagree); ${a.bad_lines} bad line(s) skipped.`);
  return [...rows, ...table].join('\n');
}

/** Registers `probe analyse` under the `probe` command. */
export function registerProbeAnalyse(probe: Command): void {
  probe.command('analyse')
    .argument('<file>', 'OONI Web Connectivity measurements, one JSON a line (bare, or {"scenario", "measurement"} as in OONI\'s QA data)')
    .description('Re-classify OONI Web Connectivity measurements (test versions 0.0.1 to 0.5) with our classifier and compare with OONI\'s verdicts.')
    .option('--json', 'print one JSON document: {"measurements": [...], "agreement": {...}}')
    .action(async (file: string, _flags: { json?: boolean }, cmd: Command) => {
      // `probe` has its own --json, which commander gives to the parent wherever it appears.
      const json = Boolean((cmd.optsWithGlobals() as { json?: boolean }).json);
      try {
        if (!statSync(file).isFile()) throw new Error('not a file');
      } catch {
        throw new UserError(`Cannot read ${file}; give a file of OONI measurements in JSON lines.`);
      }
      // Loaded on use: every other command starts without the analyser's schemas.
      const { analyseFile } = await import('../../probe/analyse/index.ts');
      const report = await analyseFile(file);
      for (const b of report.bad) process.stderr.write(`censorscope: ${file} line ${b.line}: ${b.reason}; line skipped.\n`);
      if (json) printJson({ measurements: report.measurements, agreement: report.agreement, skipped_lines: report.bad });
      else process.stdout.write(textReport(report) + '\n');
      if (!report.measurements.length && report.bad.length) {
        throw new UserError(`${file} holds no Web Connectivity measurement that could be read (${report.bad.length} bad line(s)).`);
      }
    });
}
