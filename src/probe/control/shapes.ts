/**
 * OONI's web-connectivity test-helper wire format (ts-017 "control"), so our probe can query
 * OONI's public test helpers and OONI's probe can query ours.
 */
import { z } from 'zod';

export const ControlRequestSchema = z.object({
  // Only web URLs: a test helper must not be usable to reach other protocols.
  http_request: z.string().url().refine((u) => /^https?:\/\//i.test(u), 'http_request must be an http(s) URL'),
  http_request_headers: z.record(z.string(), z.array(z.string())).default({}),
  tcp_connect: z.array(z.string()).default([]),
  x_quic_enabled: z.boolean().optional(),
});
export type ControlRequest = z.infer<typeof ControlRequestSchema>;

const failure = z.string().nullable().default(null);

export const ControlResponseSchema = z.object({
  tcp_connect: z.record(z.string(), z.object({ status: z.boolean(), failure })).default({}),
  tls_handshake: z.record(z.string(), z.object({ server_name: z.string().default(''), status: z.boolean(), failure })).nullable().default({}),
  http_request: z.object({
    body_length: z.number().default(-1),
    discovered_h3_endpoint: z.string().default(''),
    failure,
    title: z.string().default(''),
    headers: z.record(z.string(), z.string()).nullable().default({}),
    status_code: z.number().default(-1),
  }),
  dns: z.object({ failure, addrs: z.array(z.string()).nullable().default([]) }),
  ip_info: z.record(z.string(), z.object({ asn: z.number().default(0), flags: z.number().default(0) })).nullable().default({}),
});
export type ControlResponse = z.infer<typeof ControlResponseSchema>;
