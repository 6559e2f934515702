/**
 * The host names the server answers to (the DNS-rebinding defence). A browser sends the name it
 * resolved in `Host`, so a hostile page whose name resolves to 127.0.0.1 still arrives with its
 * own name and is refused. Bound to every interface, the machine's own addresses are accepted
 * too: an address is never an attacker's name.
 */
import { networkInterfaces } from 'node:os';

export const DEFAULT_HOSTS = ['127.0.0.1', 'localhost', '[::1]'];

const WILDCARDS = new Set(['0.0.0.0', '::', '[::]']);

/** Lower-cased host names (IPv6 in brackets) the server accepts, from its bound address and the operator's list. */
export function allowedHostNames(boundHost: string | undefined, extra: string[] = []): Set<string> {
  const names = new Set(DEFAULT_HOSTS);
  const add = (h: string) => {
    const t = h.trim().toLowerCase().replace(/\.$/, '');
    if (t) names.add(t.includes(':') && !t.startsWith('[') ? `[${t}]` : t);
  };
  for (const h of extra) add(h);
  if (boundHost && !WILDCARDS.has(boundHost)) add(boundHost);
  if (boundHost && WILDCARDS.has(boundHost)) {
    for (const list of Object.values(networkInterfaces())) for (const i of list ?? []) add(i.address.replace(/%.*$/, ''));
  }
  return names;
}

/** Whether a `Host` header names an allowed host (any port). A request without Host is refused. */
export function hostAllowed(header: string | undefined, allowed: Set<string>): boolean {
  if (!header) return false;
  const h = header.trim().toLowerCase();
  const m = /^(\[[0-9a-f:.]+\]|[^:\s]+)(:\d{1,5})?$/.exec(h);
  if (!m) return false;
  return allowed.has(m[1]!.replace(/\.$/, ''));
}

/** Parses `--allowed-hosts a,b,c`. */
export function parseAllowedHosts(v: string | undefined): string[] {
  return (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}
