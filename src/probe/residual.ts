/**
 * Residual censorship (the Great Firewall keeps blocking the same client, server address and port
 * for about 90 s after it reset a connection): re-probe that endpoint with a plain TCP connect at
 * fixed delays after the reset, and see when it opens again.
 */
import { tcpConnect } from './tcp.ts';

export interface ResidualCheck {
  endpoint: string;
  probes: Array<{ delay_s: number; failure: string | null }>;
  /** The endpoint was still blocked right after the reset, without any offending content. */
  detected: boolean;
  /** The last delay still blocked and the first one open again (seconds), when seen. */
  penalty_s: [number, number | null] | null;
}

/** Probes ip:port at each delay (seconds after `resetAt`, a performance.now() time). */
export async function checkResidual(ip: string, port: number, resetAt: number, delaysS: number[], timeoutMs: number): Promise<ResidualCheck> {
  const probes: ResidualCheck['probes'] = [];
  for (const d of delaysS) {
    const wait = resetAt + d * 1000 - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const c = await tcpConnect(ip, port, timeoutMs);
    probes.push({ delay_s: d, failure: c.status.failure });
  }
  const detected = probes.length > 0 && probes[0].failure !== null;
  let penalty: ResidualCheck['penalty_s'] = null;
  if (detected) {
    const open = probes.findIndex((p) => p.failure === null);
    penalty = open < 0 ? [probes[probes.length - 1].delay_s, null] : [probes[open - 1].delay_s, probes[open].delay_s];
  }
  return { endpoint: `${ip}:${port}`, probes, detected, penalty_s: penalty };
}
