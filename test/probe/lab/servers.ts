/**
 * Runs INSIDE the lab's server namespace (spawned with `ip netns exec`): the authoritative-ish
 * resolver (which delays its answers to the client network, so the injector's forged answer wins
 * the race, as on the Great Firewall), and the web servers for every lab hostname on :80/:443.
 * Usage: node --import tsx servers.ts CONFIG.json; prints "ready" when listening.
 */
import dgram from 'node:dgram';
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { encodeReply, parseQuery } from './dns-reply.ts';

export interface ServerConfig {
  resolverIp: string;
  clientPrefix: string;
  dnsDelayMs: number;
  /** Real records: hostname → IPv4 addresses; an empty list answers NOERROR with no data. */
  zone: Record<string, string[]>;
  leafCert: string;
  leafKey: string;
  untrustedCert: string;
  untrustedKey: string;
  /** Hostnames served with the self-signed certificate. */
  untrustedHosts: string[];
  /** Addresses whose HTTPS always presents the self-signed certificate (a "bad SSL" box). */
  untrustedIps: string[];
  redirects: Record<string, string>;
  /** Hostnames serving a 1 MiB page (beyond the probe's 512 KiB cap). */
  large: string[];
}

/** The page a lab site serves: deterministic per host, with a title and an uncommon header. */
export function sitePage(host: string, large = false): string {
  const para = `<p>${host} is a lab website used to test censorship measurement. Nothing here is real.</p>\n`;
  return `<!doctype html><html><head><title>Welcome to ${host}</title></head><body>${para.repeat(large ? 12_000 : 40)}</body></html>`;
}

const cfg = JSON.parse(readFileSync(process.argv[2], 'utf8')) as ServerConfig;

const dns = dgram.createSocket('udp4');
dns.on('message', (msg, rinfo) => {
  const q = parseQuery(msg);
  if (!q) return;
  const reply = encodeReply(q, cfg.zone[q.question.name.toLowerCase()] ?? null, 300);
  const delay = rinfo.address.startsWith(cfg.clientPrefix) ? cfg.dnsDelayMs : 0;
  setTimeout(() => dns.send(reply, rinfo.port, rinfo.address), delay);
});

const web = http.createServer((req, res) => {
  const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
  const to = cfg.redirects[host];
  if (to) {
    res.writeHead(302, { location: to, 'x-lab-site': host });
    res.end();
    return;
  }
  const body = sitePage(host, cfg.large.includes(host));
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'x-lab-site': host, 'content-length': Buffer.byteLength(body) });
  res.end(body);
});

const good = tls.createSecureContext({ cert: readFileSync(cfg.leafCert), key: readFileSync(cfg.leafKey) });
const bad = tls.createSecureContext({ cert: readFileSync(cfg.untrustedCert), key: readFileSync(cfg.untrustedKey) });
const tlsFor = (ctx: 'sni' | 'bad'): tls.Server => tls.createServer({
  SNICallback: (name, cb) => cb(null, ctx === 'bad' || cfg.untrustedHosts.includes(name.toLowerCase()) ? bad : good),
  cert: readFileSync(cfg.leafCert), key: readFileSync(cfg.leafKey), ALPNProtocols: ['http/1.1'],
}, (sock) => web.emit('connection', sock));
const tlsGood = tlsFor('sni');
const tlsBad = tlsFor('bad');
// One listener on :443 for every address; the local address picks which certificate box answers.
const https = net.createServer((sock) => (cfg.untrustedIps.includes(sock.localAddress?.replace(/^::ffff:/, '') ?? '') ? tlsBad : tlsGood).emit('connection', sock));
for (const s of [web, https, tlsGood, tlsBad]) s.on('error', (e) => process.stderr.write(`server error: ${e.message}\n`));

await new Promise<void>((r) => dns.bind(53, cfg.resolverIp, () => r()));
await new Promise<void>((r) => web.listen(80, '0.0.0.0', () => r()));
await new Promise<void>((r) => https.listen(443, '0.0.0.0', () => r()));
process.stdout.write('ready\n');
process.on('SIGTERM', () => process.exit(0));
