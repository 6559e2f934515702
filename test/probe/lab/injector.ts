/**
 * Runs INSIDE the lab's injector namespace. The censoring router `dup`s every DNS query from the
 * client network here; for censored names we answer at once, from the resolver's address, so the
 * forged answer arrives before the (delayed) real one — the Great Firewall's DNS injection.
 * Usage: node --import tsx injector.ts CONFIG.json; prints "ready".
 */
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import dnsPacket from 'dns-packet';

export interface InjectorConfig {
  resolverIp: string;
  /** Censored name → forged addresses, or "nxdomain". */
  inject: Record<string, string[] | 'nxdomain'>;
}

const cfg = JSON.parse(readFileSync(process.argv[2], 'utf8')) as InjectorConfig;
const sock = dgram.createSocket('udp4');
sock.on('message', (msg, rinfo) => {
  let q: dnsPacket.Packet;
  try {
    q = dnsPacket.decode(msg);
  } catch {
    return;
  }
  const question = q.questions?.[0];
  const rule = question && cfg.inject[question.name.toLowerCase()];
  if (!question || !rule) return;
  const nx = rule === 'nxdomain';
  const answers = !nx && question.type === 'A' ? rule.map((a) => ({ type: 'A' as const, name: question.name, ttl: 60, data: a })) : [];
  const reply = dnsPacket.encode({ type: 'response', id: q.id, flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (nx ? 3 : 0), questions: q.questions, answers });
  sock.send(reply, rinfo.port, rinfo.address);
});
await new Promise<void>((r) => sock.bind(53, cfg.resolverIp, () => r()));
process.stdout.write('ready\n');
process.on('SIGTERM', () => process.exit(0));
