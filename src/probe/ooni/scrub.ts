/**
 * The probe's own IP address never leaves the observatory. OONI's probes publish `probe_ip` as
 * "127.0.0.1" unless the user opted in (df-000), and replace the address wherever else it
 * appears in the measurement with "[scrubbed]"; a measurement file written before that step
 * (ooniprobe's local results with the IP kept, another tool's output) may still carry it. The
 * store keeps what was imported, untouched, as evidence; every view and download goes through
 * `publicMeasurement`.
 */
import { isIP } from 'node:net';

/** What OONI writes in `probe_ip` when the address is withheld. */
export const WITHHELD_PROBE_IP = '127.0.0.1';
export const SCRUBBED = '[scrubbed]';

/** The probe address a measurement carries, or null when it is withheld (or is no address at all). */
export function probeIpOf(m: Record<string, unknown>): string | null {
  const ip = m.probe_ip;
  if (typeof ip !== 'string' || !isIP(ip) || ip === WITHHELD_PROBE_IP || ip === '::1') return null;
  return ip;
}

/** An address inside a string, not as part of a longer number or address ("1.2.3.4" is not in "11.2.3.45"). */
function addressPattern(ip: string): RegExp {
  const escaped = ip.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const around = ip.includes(':') ? '[0-9A-Fa-f:]' : '[0-9.]';
  return new RegExp(`(?<!${around})${escaped}(?!${around})`, 'g');
}

function scrubbed(value: unknown, pattern: RegExp): unknown {
  if (typeof value === 'string') return value.replace(pattern, SCRUBBED);
  if (Array.isArray(value)) return value.map((v) => scrubbed(v, pattern));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replace(pattern, SCRUBBED), scrubbed(v, pattern)]));
  }
  return value;
}

/**
 * The measurement as it may be shown or downloaded: unchanged (the stored JSON text, byte for
 * byte) when it carries no probe address; otherwise `probe_ip` withheld and every other
 * occurrence of the address replaced, as OONI's probes do before publishing.
 */
export function publicMeasurement(body: string): string {
  let m: Record<string, unknown>;
  try {
    m = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return body;
  }
  const ip = probeIpOf(m);
  if (!ip) return body;
  const out = scrubbed(m, addressPattern(ip)) as Record<string, unknown>;
  out.probe_ip = WITHHELD_PROBE_IP;
  return JSON.stringify(out);
}
