/**
 * OONI data format 0.2.0 (df-000 envelope, df-002 DNS, df-005 TCP connect, df-006 TLS, df-001
 * HTTP): our measurements are written in it, and OONI's published measurements are read with the
 * same schema. Our additions live under `x_` keys, which OONI's tools ignore.
 */
import { z } from 'zod';
import type { RawMeasurement } from '../measure.ts';

export const SOFTWARE_NAME = 'censorscope';
export const SOFTWARE_VERSION = '0.1.0';

// Text the store keeps in its own columns: PostgreSQL refuses NUL, and both stores would turn a
// lone surrogate into U+FFFD, so such a value is refused rather than stored altered.
const storableText = z.string().refine((s) => !/[\u0000\p{Cs}]/u.test(s), {
  message: 'contains a NUL character or a lone UTF-16 surrogate, which the store cannot keep as text',
});

/** The longest input (URL) stored, in UTF-8 bytes: PostgreSQL's index entries hold about 2.7 kB. */
export const MAX_INPUT_BYTES = 2048;
const storableInput = storableText.refine((s) => Buffer.byteLength(s) <= MAX_INPUT_BYTES, {
  message: `is longer than ${MAX_INPUT_BYTES} bytes, the longest input the store indexes`,
});

/**
 * The test keys the store copies into its own columns (blocking, verdict, flags): a hostile value
 * (a NUL, a fraction for an integer) is refused with its field, not left to fail the write.
 */
const StoredTestKeysSchema = z.object({
  blocking: z.union([storableText, z.boolean()]).nullable().optional(),
  x_verdict: storableText.optional(),
  x_blocking_flags: z.number().int().min(0).max(2 ** 31 - 1).optional(),
}).passthrough();

/** The envelope fields every measurement must carry (what we validate on write and on import). */
export const OoniEnvelopeSchema = z.object({
  data_format_version: z.string(),
  input: storableInput.nullable(),
  measurement_start_time: z.string().refine((s) => parseOoniTime(s) !== null, {
    message: 'not a real UTC time in OONI\'s format YYYY-MM-DD HH:MM:SS',
  }),
  probe_asn: z.string().regex(/^AS\d+$/),
  probe_cc: z.string().regex(/^[A-Z]{2}$/),
  software_name: z.string(),
  software_version: z.string(),
  test_name: storableText,
  test_keys: StoredTestKeysSchema,
  report_id: storableText.optional(),
  measurement_uid: storableText.refine((s) => s.length <= 256, { message: 'is longer than 256 characters; OONI\'s are about 60' }).optional(),
  test_runtime: z.number().optional(),
  test_start_time: z.string().optional(),
}).passthrough();
export type OoniEnvelope = z.infer<typeof OoniEnvelopeSchema>;

/** The web-connectivity test keys we read back (OONI's and ours): the stored ones, and the rest. */
export const WebConnectivityKeysSchema = StoredTestKeysSchema.extend({
  queries: z.array(z.unknown()).nullable().optional(),
  tcp_connect: z.array(z.unknown()).nullable().optional(),
  tls_handshakes: z.array(z.unknown()).nullable().optional(),
  requests: z.array(z.unknown()).nullable().optional(),
  accessible: z.boolean().nullable().optional(),
  dns_consistency: z.string().nullable().optional(),
  x_blocked_how: z.array(z.string()).optional(),
}).passthrough();

/** OONI's time format: "YYYY-MM-DD HH:MM:SS" in UTC. */
export function ooniTime(d: Date): string {
  return d.toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * Parses OONI's time format ("YYYY-MM-DD HH:MM:SS", always UTC) to epoch ms; null when the text
 * is not a real time. The round trip matters: Date.parse reads 2019-02-30 as March 2.
 */
export function parseOoniTime(s: string): number | null {
  if (!/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(s)) return null;
  const ms = Date.parse(`${s.replace(' ', 'T')}Z`);
  return Number.isFinite(ms) && ooniTime(new Date(ms)) === s ? ms : null;
}

export interface EnvelopeContext {
  probeCc?: string;
  probeAsn?: string;
  reportId?: string;
}

/** Builds the OONI measurement JSON for one of our measurements. */
export function toOoni(m: RawMeasurement, ctx: EnvelopeContext = {}): OoniEnvelope {
  const a = m.analysis;
  const queries: unknown[] = [{
    answers: m.system.addrs.map((ip) => ({ answer_type: 'A', ipv4: ip, ttl: null })),
    engine: 'getaddrinfo', failure: m.system.failure, hostname: new URL(m.input).hostname, query_type: 'A',
    resolver_hostname: null, resolver_port: null, resolver_address: '', t: m.system.t,
  }];
  for (const ans of m.udp?.answers ?? []) {
    queries.push({
      answers: ans.addrs.map((ip, i) => ({ answer_type: 'A', ipv4: ip, ttl: ans.ttls[i] ?? null })),
      engine: 'udp', failure: ans.rcode === 'NOERROR' ? (ans.addrs.length ? null : 'dns_no_answer') : ans.rcode === 'NXDOMAIN' ? 'dns_nxdomain_error' : 'dns_server_misbehaving',
      hostname: m.udp!.hostname, query_type: 'A', resolver_address: `${m.udp!.resolver}:53`, t: ans.t, raw_response: ans.raw, x_rcode: ans.rcode,
    });
  }
  if (m.udp && !m.udp.answers.length) {
    queries.push({ answers: null, engine: 'udp', failure: m.udp.failure, hostname: m.udp.hostname, query_type: 'A', resolver_address: `${m.udp.resolver}:53`, t: 0 });
  }
  const testKeys = {
    agent: 'redirect',
    client_resolver: m.resolver,
    retries: null,
    socksproxy: null,
    queries,
    tcp_connect: m.tcp,
    tls_handshakes: m.tls,
    requests: m.http?.requests ?? [],
    control: m.control.control ?? {},
    control_failure: m.control.failure,
    control_request: null,
    dns_experiment_failure: a.dns_experiment_failure,
    dns_consistency: a.dns_consistency,
    http_experiment_failure: a.http_experiment_failure,
    body_length_match: a.body_length_match,
    body_proportion: a.body_proportion,
    status_code_match: a.status_code_match,
    headers_match: a.headers_match,
    title_match: a.title_match,
    accessible: a.accessible,
    blocking: a.blocking,
    x_dns_flags: a.x_dns_flags,
    x_blocking_flags: a.x_blocking_flags,
    x_forged: a.x_forged,
    x_residual: m.residual,
    x_verdict: a.x_verdict,
    x_blocked_how: a.x_blocked_how,
  };
  return {
    annotations: { engine_name: SOFTWARE_NAME, platform: process.platform },
    data_format_version: '0.2.0',
    input: m.input,
    measurement_start_time: ooniTime(m.startedAt),
    test_start_time: ooniTime(m.startedAt),
    probe_asn: ctx.probeAsn ?? 'AS0',
    probe_cc: ctx.probeCc ?? 'ZZ',
    probe_ip: '127.0.0.1',
    probe_network_name: '',
    report_id: ctx.reportId ?? '',
    resolver_asn: 'AS0',
    resolver_ip: m.resolver,
    resolver_network_name: '',
    software_name: SOFTWARE_NAME,
    software_version: SOFTWARE_VERSION,
    test_helpers: m.thUrl ? { backend: { address: m.thUrl, type: m.thUrl.startsWith('https') ? 'https' : 'http' } } : {},
    test_name: 'web_connectivity',
    test_runtime: m.runtimeS,
    test_version: '0.4.3',
    test_keys: testKeys,
  };
}
