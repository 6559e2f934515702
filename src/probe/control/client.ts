/** Asks a test helper (ours or OONI's) for the control measurement. */
import { ControlResponseSchema, type ControlRequest, type ControlResponse } from './shapes.ts';
import { toFailure } from '../failure.ts';
import { REQUEST_HEADERS } from '../http.ts';
import { BODY_CAPS, BlockedAddressError, FetchError, safeFetch, TooLargeError } from '../../net/fetch.ts';

export interface ControlResult {
  control: ControlResponse | null;
  failure: string | null;
}

/**
 * POSTs the control request; a failure string instead of a throw when the helper is unreachable.
 * The helper's own URL may be any address (the operator chose it); its redirects may not reach
 * internal ones, and its answer is read up to BODY_CAPS.control.
 */
export async function queryControl(thUrl: string, input: string, endpoints: string[], timeoutMs: number, signal?: AbortSignal): Promise<ControlResult> {
  const body: ControlRequest = {
    http_request: input,
    http_request_headers: Object.fromEntries(Object.entries(REQUEST_HEADERS).map(([k, v]) => [k, [v]])),
    tcp_connect: endpoints,
    x_quic_enabled: false,
  };
  try {
    const res = await safeFetch(thUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      policy: { allowOrigins: [thUrl] },
      maxBytes: BODY_CAPS.control.maxBytes,
      timeoutMs,
      signal,
    });
    if (res.status < 200 || res.status > 299) return { control: null, failure: `http_request_failed: status ${res.status}` };
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(res.bytes));
    } catch {
      return { control: null, failure: 'json_parse_error' };
    }
    const parsed = ControlResponseSchema.safeParse(json);
    if (!parsed.success) return { control: null, failure: 'json_parse_error' };
    return { control: parsed.data, failure: null };
  } catch (err) {
    if (err instanceof FetchError && err.code === 'timeout') return { control: null, failure: 'generic_timeout_error' };
    if (err instanceof TooLargeError) return { control: null, failure: 'http_response_too_large' };
    if (err instanceof BlockedAddressError) return { control: null, failure: 'th_refused_private_address' };
    const e = err as Error & { code?: string; cause?: unknown };
    return { control: null, failure: toFailure(e.cause ?? e) };
  }
}
