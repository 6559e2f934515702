/** The system resolver (getaddrinfo), as the user's browser would see the name. */
import { lookup } from 'node:dns/promises';
import { toFailure, withDeadline } from '../failure.ts';

export interface SystemLookup {
  addrs: string[];
  failure: string | null;
  t: number;
}

/** Resolves `hostname` with getaddrinfo, IPv4 only (the lab and most vantage points are v4). */
export async function systemLookup(hostname: string, timeoutMs: number): Promise<SystemLookup> {
  const started = performance.now();
  try {
    const res = await withDeadline(timeoutMs, 'DNS lookup', () => lookup(hostname, { all: true, family: 4 }));
    const addrs = [...new Set(res.map((r) => r.address))];
    return { addrs, failure: addrs.length ? null : 'dns_no_answer', t: (performance.now() - started) / 1000 };
  } catch (err) {
    return { addrs: [], failure: toFailure(err), t: (performance.now() - started) / 1000 };
  }
}
