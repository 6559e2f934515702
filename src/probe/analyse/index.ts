/**
 * `probe analyse`: re-classifies OONI Web Connectivity measurements with our classifier and puts
 * OONI's verdict next to ours, with an agreement table. Lines may be bare measurements or the
 * QA file's `{"scenario", "measurement"}` wrappers; a bad line is reported and counted, never fatal.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { classify, type Analysis, type Verdict } from '../classify/index.ts';
import { observationsOf } from './observations.ts';
import { ScenarioWrapperSchema, WebConnectivityMeasurementSchema, testKeysSchemaFor, type WebConnectivityMeasurement } from './schemas.ts';

export type Blocking = Analysis['blocking'];

export interface AnalysedMeasurement {
  line: number;
  scenario?: string;
  input: string;
  probe_cc: string | null;
  test_version: string | null;
  ooni: { blocking: Blocking; accessible: boolean | null };
  censorscope: { blocking: Blocking; accessible: boolean | null; verdict: Verdict; reasons: string[] };
  agree: boolean;
}

export interface BadLine {
  line: number;
  reason: string;
}

export interface Agreement {
  lines: number;
  measurements: number;
  bad_lines: number;
  agree: number;
  disagree: number;
  /** How often each pair of verdicts (OONI's blocking, ours) occurred; agreeing pairs have equal values. */
  table: Array<{ ooni: Blocking; censorscope: Blocking; count: number }>;
}

export interface AnalyseReport {
  measurements: AnalysedMeasurement[];
  bad: BadLine[];
  agreement: Agreement;
}

const KNOWN = new Set(['dns', 'tcp_ip', 'http-failure', 'http-diff']);

/** OONI's blocking value normalised to the five the spec knows; anything else is reported as null. */
function ooniBlocking(v: unknown): Blocking {
  if (v === false) return false;
  if (typeof v === 'string' && KNOWN.has(v)) return v as Blocking;
  return null;
}

/** Why our classifier said what it said, as short phrases. */
function reasonsOf(a: Analysis): string[] {
  const r: string[] = [...a.x_blocked_how];
  if (a.control_failure) r.push(`no control: ${a.control_failure}`);
  if (a.dns_consistency) r.push(`dns ${a.dns_consistency}`);
  if (a.http_experiment_failure) r.push(`http failure ${a.http_experiment_failure}`);
  for (const k of ['status_code_match', 'body_length_match', 'headers_match', 'title_match'] as const) {
    if (a[k] !== null) r.push(`${k}=${a[k]}`);
  }
  return r;
}

function describeIssue(issue: { path: PropertyKey[]; code: string; message: string }, prefix: string[]): string {
  const field = [...prefix, ...issue.path.map(String)].join('.') || '(measurement)';
  const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
  return `not a Web Connectivity measurement: field ${field} ${missing ? 'is missing' : `is invalid (${issue.message})`}`;
}

/** Classifies one parsed JSON value (bare measurement or QA wrapper); throws a sentence on bad input. */
export function analyseValue(value: unknown, line: number): AnalysedMeasurement {
  let scenario: string | undefined;
  let body = value;
  const wrapped = ScenarioWrapperSchema.safeParse(value);
  if (wrapped.success) {
    scenario = wrapped.data.scenario;
    body = wrapped.data.measurement;
  }
  const parsed = WebConnectivityMeasurementSchema.safeParse(body);
  if (!parsed.success) throw new Error(describeIssue(parsed.error.issues[0], []));
  const envelope = parsed.data;
  const keys = testKeysSchemaFor(envelope.test_version).safeParse(envelope.test_keys);
  if (!keys.success) throw new Error(describeIssue(keys.error.issues[0], ['test_keys']));
  const m: WebConnectivityMeasurement = { input: envelope.input, test_name: envelope.test_name, test_version: envelope.test_version, probe_cc: envelope.probe_cc, test_keys: keys.data };
  if (m.test_name && m.test_name !== 'web_connectivity') throw new Error(`field test_name: "${m.test_name}" is not a Web Connectivity measurement`);
  const a = classify(observationsOf(m));
  const ooni = { blocking: ooniBlocking(m.test_keys.blocking), accessible: m.test_keys.accessible ?? null };
  const ours = { blocking: a.blocking, accessible: a.accessible, verdict: a.x_verdict, reasons: reasonsOf(a) };
  return {
    line, ...(scenario !== undefined ? { scenario } : {}), input: m.input, probe_cc: m.probe_cc ?? null, test_version: m.test_version ?? null,
    ooni, censorscope: ours, agree: ooni.blocking === ours.blocking && ooni.accessible === ours.accessible,
  };
}

/** Builds the agreement table from analysed measurements. */
export function agreementOf(ms: AnalysedMeasurement[], lines: number, bad: number): Agreement {
  const table: Agreement['table'] = [];
  for (const m of ms) {
    const row = table.find((r) => r.ooni === m.ooni.blocking && r.censorscope === m.censorscope.blocking);
    if (row) row.count++;
    else table.push({ ooni: m.ooni.blocking, censorscope: m.censorscope.blocking, count: 1 });
  }
  table.sort((a, b) => b.count - a.count);
  const agree = ms.filter((m) => m.agree).length;
  return { lines, measurements: ms.length, bad_lines: bad, agree, disagree: ms.length - agree, table };
}

/** Analyses a JSONL file line by line (streamed: OONI files can be large). */
export async function analyseFile(file: string): Promise<AnalyseReport> {
  const measurements: AnalysedMeasurement[] = [];
  const bad: BadLine[] = [];
  const rl = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let n = 0;
  for await (const raw of rl) {
    n++;
    const text = n === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (!text.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      bad.push({ line: n, reason: `not JSON (${(err as Error).message})` });
      continue;
    }
    try {
      measurements.push(analyseValue(value, n));
    } catch (err) {
      bad.push({ line: n, reason: (err as Error).message });
    }
  }
  return { measurements, bad, agreement: agreementOf(measurements, n, bad.length) };
}
