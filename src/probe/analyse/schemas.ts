/**
 * Zod schemas for OONI Web Connectivity test keys as OONI has published them, from
 * ooniprobe-legacy and Measurement Kit (0.0.1–0.3.x) through probe-engine (0.4.x) to LTE (0.5.x).
 * The shapes differ in detail (bodies as text or {format: base64}, headers as a map or a list,
 * a control that is `{}` when it failed, fields that come and go); every schema passes unknown
 * fields through and accepts what any version wrote, so a field we do not read never rejects a
 * measurement.
 */
import { z } from 'zod';

const failure = z.string().nullable().optional().transform((v) => v ?? null);

/** A body as text, or base64 when it was not valid UTF-8 (df-001), or absent. */
export const BodySchema = z.union([
  z.string(),
  z.object({ format: z.literal('base64'), data: z.string() }).passthrough(),
  z.null(),
]).optional();

/** Header maps: `{name: value}` (legacy and 0.4+), `{name: [values]}` (some MK versions). */
const HeaderMap = z.record(z.string(), z.union([z.string(), z.array(z.string()), z.number(), z.null()])).nullable().optional();
const HeaderList = z.array(z.tuple([z.string(), z.union([z.string(), z.object({ format: z.string(), data: z.string() }).passthrough()])])).nullable().optional();

export const AnswerSchema = z.object({
  answer_type: z.string().optional(),
  ipv4: z.string().optional(),
  ipv6: z.string().optional(),
  hostname: z.string().optional(),
}).passthrough();

export const QuerySchema = z.object({
  answers: z.array(AnswerSchema).nullable().optional(),
  engine: z.string().nullable().optional(),
  failure,
  hostname: z.string().nullable().optional(),
  query_type: z.string().nullable().optional(),
  resolver_address: z.string().nullable().optional(),
  t: z.number().nullable().optional(),
}).passthrough();

export const TcpConnectSchema = z.object({
  ip: z.string(),
  port: z.union([z.number(), z.string()]).transform((p) => Number(p)),
  status: z.object({
    success: z.boolean().nullable().optional(),
    failure,
    blocked: z.boolean().nullable().optional(),
  }).passthrough(),
  t: z.number().nullable().optional(),
}).passthrough();

export const TlsHandshakeSchema = z.object({
  address: z.string().nullable().optional(),
  server_name: z.string().nullable().optional(),
  failure,
  no_tls_verify: z.boolean().nullable().optional(),
}).passthrough();

export const HttpTransactionSchema = z.object({
  failure,
  request: z.object({
    url: z.string().nullable().optional(),
    method: z.string().nullable().optional(),
  }).passthrough().nullable().optional(),
  response: z.object({
    body: BodySchema,
    body_is_truncated: z.boolean().nullable().optional(),
    code: z.number().nullable().optional(),
    headers: HeaderMap,
    headers_list: HeaderList,
  }).passthrough().nullable().optional(),
}).passthrough();

/** The control as every test helper version answered; `{}` or null when there was none. */
export const ArchivedControlSchema = z.object({
  tcp_connect: z.record(z.string(), z.object({ status: z.boolean().nullable().optional(), failure }).passthrough()).nullable().optional(),
  tls_handshake: z.record(z.string(), z.object({ server_name: z.string().nullable().optional(), status: z.boolean().nullable().optional(), failure }).passthrough()).nullable().optional(),
  http_request: z.object({
    body_length: z.number().nullable().optional(),
    failure,
    title: z.string().nullable().optional(),
    headers: HeaderMap,
    status_code: z.number().nullable().optional(),
  }).passthrough().nullable().optional(),
  dns: z.object({
    failure,
    addrs: z.array(z.string()).nullable().optional(),
  }).passthrough().nullable().optional(),
  ip_info: z.record(z.string(), z.unknown()).nullable().optional(),
}).passthrough();

/** OONI's verdict: false, a blocking type, or null; some early reports wrote other strings. */
export const BlockingSchema = z.union([z.literal(false), z.string(), z.null()]).optional();

/** What every version has: the raw observations, the control, and OONI's verdict. */
export const WebConnectivityTestKeysSchema = z.object({
  queries: z.array(QuerySchema).nullable().optional(),
  tcp_connect: z.array(TcpConnectSchema).nullable().optional(),
  tls_handshakes: z.array(TlsHandshakeSchema).nullable().optional(),
  requests: z.array(HttpTransactionSchema).nullable().optional(),
  control: z.union([ArchivedControlSchema, z.null()]).optional(),
  control_failure: failure,
  dns_experiment_failure: failure,
  http_experiment_failure: failure,
  blocking: BlockingSchema,
  accessible: z.boolean().nullable().optional(),
  x_dns_duplicate_responses: z.array(QuerySchema).nullable().optional(),
}).passthrough();
export type WebConnectivityTestKeys = z.infer<typeof WebConnectivityTestKeysSchema>;

/** Measurement Kit and ooniprobe-legacy (0.0.1–0.3.x): one resolver, no engine names, no TLS step. */
export const LegacyTestKeysSchema = WebConnectivityTestKeysSchema.extend({
  client_resolver: z.string().nullable().optional(),
  dns_consistency: z.string().nullable().optional(),
});

/** probe-engine (0.4.x): engine-named queries, TLS handshakes, `headers_list`, the x_status summary bits. */
export const EngineTestKeysSchema = WebConnectivityTestKeysSchema.extend({
  x_status: z.number().nullable().optional(),
  retries: z.number().nullable().optional(),
});

/** LTE (0.5.x): several resolvers (getaddrinfo, UDP, DoH), operations tagged by redirect depth, blocking flags. */
export const LteTestKeysSchema = WebConnectivityTestKeysSchema.extend({
  x_blocking_flags: z.number().nullable().optional(),
  x_dns_flags: z.number().nullable().optional(),
  x_null_null_flags: z.number().nullable().optional(),
  x_control_request: z.object({ http_request: z.string().optional(), tcp_connect: z.array(z.string()).nullable().optional() }).passthrough().nullable().optional(),
});

/** The test-keys schema for a test version; an unknown or missing version gets the newest. */
export function testKeysSchemaFor(version: string | undefined): typeof WebConnectivityTestKeysSchema {
  const m = /^(\d+)\.(\d+)/.exec(version ?? '');
  if (!m) return LteTestKeysSchema;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  if (major === 0 && minor < 4) return LegacyTestKeysSchema;
  if (major === 0 && minor === 4) return EngineTestKeysSchema;
  return LteTestKeysSchema;
}

/** The envelope fields `probe analyse` reads; test_keys are checked with their version's schema. */
export const WebConnectivityMeasurementSchema = z.object({
  input: z.string(),
  test_name: z.string().optional(),
  test_version: z.string().optional(),
  probe_cc: z.string().nullable().optional(),
  measurement_uid: z.string().optional(),
  test_keys: z.record(z.string(), z.unknown()),
}).passthrough();

/** A measurement whose test keys passed their version's schema. */
export interface WebConnectivityMeasurement {
  input: string;
  test_name?: string;
  test_version?: string;
  probe_cc?: string | null;
  test_keys: WebConnectivityTestKeys;
}

/** A line of OONI's QA file: the scenario's name and its measurement. */
export const ScenarioWrapperSchema = z.object({ scenario: z.string(), measurement: z.unknown() }).passthrough();
