/** Asks a test helper (ours or OONI's) for the control measurement. */
import { ControlResponseSchema, type ControlRequest, type ControlResponse } from './shapes.ts';
import { toFailure } from '../failure.ts';
import { REQUEST_HEADERS } from '../http.ts';

export interface ControlResult {
  control: ControlResponse | null;
  failure: string | null;
}

/** POSTs the control request; a failure string instead of a throw when the helper is unreachable. */
export async function queryControl(thUrl: string, input: string, endpoints: string[], timeoutMs: number): Promise<ControlResult> {
  const body: ControlRequest = {
    http_request: input,
    http_request_headers: Object.fromEntries(Object.entries(REQUEST_HEADERS).map(([k, v]) => [k, [v]])),
    tcp_connect: endpoints,
    x_quic_enabled: false,
  };
  try {
    const res = await fetch(thUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) return { control: null, failure: `http_request_failed: status ${res.status}` };
    const parsed = ControlResponseSchema.safeParse(await res.json());
    if (!parsed.success) return { control: null, failure: 'json_parse_error' };
    return { control: parsed.data, failure: null };
  } catch (err) {
    const e = err as Error & { cause?: unknown };
    if (e.name === 'TimeoutError') return { control: null, failure: 'generic_timeout_error' };
    return { control: null, failure: toFailure(e.cause ?? e) };
  }
}
