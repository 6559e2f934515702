/**
 * Runs INSIDE the lab's injector namespace. The censoring router `dup`s every DNS query from the
 * client network here; for censored names we answer at once, from the resolver's address, so the
 * forged answer arrives before the (delayed) real one — the Great Firewall's DNS injection.
 * Usage: node --import tsx injector.ts CONFIG.json; prints "ready".
 */
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { encodeReply, parseQuery } from './dns-reply.ts';

export interface InjectorConfig {
  resolverIp: string;
  /** Censored name → forged addresses, or "nxdomain". */
  inject: Record<string, string[] | 'nxdomain'>;
}

const cfg = JSON.parse(readFileSync(process.argv[2], 'utf8')) as InjectorConfig;
const sock = dgram.createSocket('udp4');
sock.on('message', (msg, rinfo) => {
  const q = parseQuery(msg);
  const rule = q && cfg.inject[q.question.name.toLowerCase()];
  if (!q || !rule) return;
  sock.send(encodeReply(q, rule === 'nxdomain' ? null : rule, 60), rinfo.port, rinfo.address);
});
await new Promise<void>((r) => sock.bind(53, cfg.resolverIp, () => r()));
process.stdout.write('ready\n');
process.on('SIGTERM', () => process.exit(0));
