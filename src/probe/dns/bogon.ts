/**
 * Bogon addresses: a public name that resolves to one of these was almost certainly tampered
 * with. The RFC 5737 documentation ranges are bogons too, except in our namespace lab, which is
 * built from them (`allowTestNets`).
 */
import { BlockList } from 'node:net';

const BOGONS: Array<[string, number]> = [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16],
  ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15],
  ['224.0.0.0', 4], ['240.0.0.0', 4],
];
const TEST_NETS: Array<[string, number]> = [['192.0.2.0', 24], ['198.51.100.0', 24], ['203.0.113.0', 24]];

const strict = new BlockList();
const lab = new BlockList();
for (const [a, p] of BOGONS) {
  strict.addSubnet(a, p, 'ipv4');
  lab.addSubnet(a, p, 'ipv4');
}
for (const [a, p] of TEST_NETS) strict.addSubnet(a, p, 'ipv4');

/** True when `ip` is a private, loopback, reserved (or, unless allowed, documentation) address. */
export function isBogon(ip: string, opts: { allowTestNets?: boolean } = {}): boolean {
  if (ip.includes(':')) return ip === '::1' || /^f[cd]/i.test(ip) || /^fe80/i.test(ip);
  return (opts.allowTestNets ? lab : strict).check(ip, 'ipv4');
}
