/**
 * OONI failure strings (df-007-errors): the probe reports every failed operation with the same
 * vocabulary OONI uses, so our measurements and OONI's can be analysed together.
 */

/** Thrown by our own deadline timers, so it maps to generic_timeout_error. */
export class ProbeTimeout extends Error {
  code = 'ETIMEDOUT';
  constructor(what: string) {
    super(`${what} timed out`);
  }
}

const BY_CODE: Record<string, string> = {
  ECONNRESET: 'connection_reset',
  ECONNREFUSED: 'connection_refused',
  ETIMEDOUT: 'generic_timeout_error',
  ECONNABORTED: 'connection_aborted',
  EHOSTUNREACH: 'host_unreachable',
  ENETUNREACH: 'network_unreachable',
  EPIPE: 'connection_reset',
  ENOTFOUND: 'dns_nxdomain_error',
  ENODATA: 'dns_no_answer',
  EAI_AGAIN: 'dns_temporary_failure',
  ESERVFAIL: 'dns_servfail_error',
  EREFUSED: 'dns_refused_error',
  ECONNREFUSED_DNS: 'dns_refused_error',
  EADDRNOTAVAIL: 'address_not_available',
  ERR_TLS_CERT_ALTNAME_INVALID: 'ssl_invalid_hostname',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'ssl_unknown_authority',
  UNABLE_TO_GET_ISSUER_CERT: 'ssl_unknown_authority',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'ssl_unknown_authority',
  SELF_SIGNED_CERT_IN_CHAIN: 'ssl_unknown_authority',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'ssl_unknown_authority',
  CERT_UNTRUSTED: 'ssl_unknown_authority',
  CERT_HAS_EXPIRED: 'ssl_invalid_certificate',
  CERT_NOT_YET_VALID: 'ssl_invalid_certificate',
  CERT_REVOKED: 'ssl_invalid_certificate',
  ERR_SSL_WRONG_VERSION_NUMBER: 'ssl_failed_handshake',
  ERR_HTTP_PARSER: 'http_invalid_response',
  HPE_INVALID_CONSTANT: 'http_invalid_response',
  ERR_INVALID_URL: 'http_invalid_redirect_location_host',
};

/** Maps a Node error to OONI's failure string (null for no error). */
export function toFailure(err: unknown): string | null {
  if (err == null) return null;
  const e = err as { code?: string; message?: string };
  const code = e.code ?? '';
  if (BY_CODE[code]) return BY_CODE[code];
  const msg = e.message ?? String(err);
  if (/socket hang up|ended by the other party|Client network socket disconnected/i.test(msg)) return 'eof_error';
  if (code.startsWith('ERR_SSL') || /SSL|TLS|handshake/i.test(msg)) return 'ssl_failed_handshake';
  if (code.startsWith('HPE_')) return 'http_invalid_response';
  return `unknown_failure: ${msg.slice(0, 200)}`;
}

/** Runs `fn` against a deadline; rejects with ProbeTimeout when it passes. */
export async function withDeadline<T>(ms: number, what: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      ac.abort();
      reject(new ProbeTimeout(what));
    }, ms);
  });
  try {
    return await Promise.race([fn(ac.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
