/**
 * DNS over UDP that keeps every answer: the Great Firewall's forged answer races the real one and
 * usually wins, so a resolver that stops at the first reply hides the injection. We send one
 * query and keep listening for `waitMs` (2 s by default, longer than OONI's 500 ms).
 */
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import dnsPacket from 'dns-packet';

export interface UdpAnswer {
  /** Seconds since the query was sent. */
  t: number;
  rcode: string;
  addrs: string[];
  ttls: number[];
  /** Base64 of the whole DNS message, as OONI's raw_response. */
  raw: string;
}

export interface UdpLookup {
  resolver: string;
  hostname: string;
  qtype: 'A';
  answers: UdpAnswer[];
  /** OONI failure string when no answer came at all. */
  failure: string | null;
  t0: number;
}

/** The first nameserver in /etc/resolv.conf (inside `ip netns exec` that is the namespace's file). */
export function systemNameserver(): string {
  try {
    const m = /^\s*nameserver\s+([0-9.]+)\s*$/m.exec(readFileSync('/etc/resolv.conf', 'utf8'));
    if (m) return m[1];
  } catch {
    // fall through
  }
  return '127.0.0.1';
}

/** Sends one A query and collects every reply that arrives within `waitMs`. */
export async function udpLookup(hostname: string, opts: { resolver: string; timeoutMs: number; waitMs: number; port?: number }): Promise<UdpLookup> {
  const sock = dgram.createSocket('udp4');
  const id = Math.floor(Math.random() * 65535);
  const query = dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name: hostname }] });
  const started = performance.now();
  const answers: UdpAnswer[] = [];
  const out: UdpLookup = { resolver: opts.resolver, hostname, qtype: 'A', answers, failure: null, t0: Date.now() };
  await new Promise<void>((resolve) => {
    let timer: NodeJS.Timeout;
    const finish = (): void => {
      clearTimeout(timer);
      sock.close();
      resolve();
    };
    // Until the first answer we wait up to the DNS timeout; after it, we keep listening for late ones.
    timer = setTimeout(finish, Math.max(opts.timeoutMs, opts.waitMs));
    sock.on('message', (msg, rinfo) => {
      if (rinfo.address !== opts.resolver) return;
      let pkt: dnsPacket.Packet;
      try {
        pkt = dnsPacket.decode(msg);
      } catch {
        return;
      }
      if (pkt.id !== id) return;
      const a = (pkt.answers ?? []).filter((r) => r.type === 'A') as Array<{ data: string; ttl?: number }>;
      answers.push({
        t: (performance.now() - started) / 1000,
        rcode: (pkt as { rcode?: string }).rcode ?? 'NOERROR',
        addrs: a.map((r) => r.data),
        ttls: a.map((r) => r.ttl ?? 0),
        raw: msg.toString('base64'),
      });
      if (answers.length === 1) {
        clearTimeout(timer);
        timer = setTimeout(finish, opts.waitMs);
      }
    });
    sock.on('error', (err) => {
      out.failure = (err as NodeJS.ErrnoException).code === 'ECONNREFUSED' ? 'dns_refused_error' : 'unknown_failure: ' + err.message;
      finish();
    });
    sock.send(query, opts.port ?? 53, opts.resolver);
  });
  if (!answers.length && !out.failure) out.failure = 'generic_timeout_error';
  return out;
}

/** OONI's failure for a DNS answer: NXDOMAIN and empty answers are failures too. */
export function answerFailure(a: UdpAnswer): string | null {
  if (a.rcode === 'NXDOMAIN') return 'dns_nxdomain_error';
  if (a.rcode === 'REFUSED') return 'dns_refused_error';
  if (a.rcode === 'SERVFAIL') return 'dns_servfail_error';
  if (a.rcode !== 'NOERROR') return 'dns_server_misbehaving';
  if (!a.addrs.length) return 'dns_no_answer';
  return null;
}
