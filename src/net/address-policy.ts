/**
 * Which network addresses the observatory may connect to on a stranger's say-so. A feed, a post's
 * link or a redirect must not make the watcher (or the probe) reach loopback, private networks,
 * link-local cloud metadata (169.254.169.254) and the like; the decision is made on the address
 * actually connected to, after DNS resolution, so a name that resolves (or rebinds) to an internal
 * address is refused as well.
 */
import { BlockList, isIP } from 'node:net';

/** Who may reach internal addresses: an explicit `--allow-private`, or a source's own configured origins. */
export interface AddressPolicy {
  /** Allow every address (`watch --allow-private`, or a caller that only talks to its own test servers). */
  allowPrivate?: boolean;
  /** Origins (`http://127.0.0.1:8080`) the operator configured: their own host may be internal. */
  allowOrigins?: Iterable<string>;
}

/** A request refused by the address policy: permanent for this URL, never a transient failure. */
export class BlockedAddressError extends Error {
  readonly code = 'blocked_address';
  constructor(message: string) {
    super(message);
    this.name = 'BlockedAddressError';
  }
}

const RANGES: Array<[string, number, 'ipv4' | 'ipv6', string]> = [
  ['0.0.0.0', 8, 'ipv4', 'a "this network" address (0.0.0.0/8)'],
  ['10.0.0.0', 8, 'ipv4', 'a private address (10/8)'],
  ['100.64.0.0', 10, 'ipv4', 'a carrier-grade NAT address (100.64/10)'],
  ['127.0.0.0', 8, 'ipv4', 'a loopback address'],
  ['169.254.0.0', 16, 'ipv4', 'a link-local address (169.254/16, where cloud metadata lives)'],
  ['172.16.0.0', 12, 'ipv4', 'a private address (172.16/12)'],
  ['192.0.0.0', 24, 'ipv4', 'an IETF protocol address (192.0.0/24)'],
  ['192.168.0.0', 16, 'ipv4', 'a private address (192.168/16)'],
  ['198.18.0.0', 15, 'ipv4', 'a benchmarking address (198.18/15)'],
  ['224.0.0.0', 4, 'ipv4', 'a multicast address'],
  ['240.0.0.0', 4, 'ipv4', 'a reserved or broadcast address (240/4)'],
  ['::', 128, 'ipv6', 'the unspecified IPv6 address'],
  ['::1', 128, 'ipv6', 'the IPv6 loopback address'],
  ['::ffff:0:0', 96, 'ipv6', 'an IPv4-mapped IPv6 address'],
  ['::', 96, 'ipv6', 'an IPv4-compatible IPv6 address'],
  ['fc00::', 7, 'ipv6', 'a unique-local IPv6 address (fc00::/7)'],
  ['fe80::', 10, 'ipv6', 'a link-local IPv6 address (fe80::/10)'],
  ['fec0::', 10, 'ipv6', 'a site-local IPv6 address (fec0::/10)'],
  ['ff00::', 8, 'ipv6', 'a multicast IPv6 address'],
];
const LISTS = RANGES.map(([net, prefix, type, reason]) => {
  const list = new BlockList();
  list.addSubnet(net, prefix, type);
  return { list, type, reason };
});

/** Why `ip` is internal (a sentence fragment), or null for an ordinary public address. */
export function internalAddressReason(ip: string): string | null {
  const bare = ip.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(bare);
  if (!family) return 'not an IP address';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const l of LISTS) if (l.type === type && l.list.check(bare, type)) return l.reason;
  return null;
}

/** The origins a policy trusts, normalised. */
export function allowedOrigins(policy: AddressPolicy): Set<string> {
  const out = new Set<string>();
  for (const o of policy.allowOrigins ?? []) {
    try {
      out.add(new URL(o).origin);
    } catch {
      // Not a URL: nothing to allow.
    }
  }
  return out;
}

/** Every http(s) origin named anywhere in a source's configuration (its own URLs, URL templates). */
export function configOrigins(config: unknown): string[] {
  const out = new Set<string>();
  const walk = (v: unknown, depth: number): void => {
    if (depth > 20) return;
    if (typeof v === 'string') {
      if (/^https?:\/\//i.test(v)) {
        try {
          out.add(new URL(v).origin);
        } catch {
          // A template whose host is a placeholder: it names no fixed origin.
        }
      }
    } else if (Array.isArray(v)) for (const x of v) walk(x, depth + 1);
    else if (v && typeof v === 'object') for (const x of Object.values(v)) walk(x, depth + 1);
  };
  walk(config, 0);
  return [...out];
}
