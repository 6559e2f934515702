/**
 * The one guarded DNS lookup: the address policy is applied to the addresses a name resolves to,
 * inside the socket's own lookup, so the address checked is the address connected to (a name
 * cannot rebind between a check and the connect). Used by the outbound-fetch module
 * (src/net/fetch.ts) and by the probe's measurement client (src/probe/http.ts), whose test helper
 * refuses internal addresses.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';

/** Says why an address must not be connected to, or null when it may. */
export type RefuseAddress = (ip: string) => string | null;

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A lookup with the signature `net.connect` and `http.request` accept. */
export type Lookup = (hostname: string, options: { all?: boolean; family?: number }, callback: LookupCallback) => void;

/** The system resolver (getaddrinfo), every address; `family` 4 or 6 restricts it. */
export function systemLookup(family?: 4 | 6): Lookup {
  return (host, opts, cb) => dnsLookup(host, { all: true, ...(family ? { family } : opts.family ? { family: opts.family } : {}) }, (err, addrs) => {
    if (err) return cb(err, []);
    cb(null, addrs);
  });
}

export interface GuardOptions {
  /** Where addresses come from (default: the system resolver). */
  base?: Lookup;
  /** The error a refused address fails the connection with. */
  refused: (host: string, ip: string, reason: string) => Error;
}

/**
 * A lookup that fails when any address a name resolves to is refused (any, so no fallback to a
 * second address can reach an internal one), and otherwise answers as the caller asked.
 */
export function guardedLookup(refuse: RefuseAddress, o: GuardOptions): Lookup {
  const base = o.base ?? systemLookup();
  return (host, opts, cb) => base(host, { ...opts, all: true }, (err, addrs) => {
    if (err) return cb(err, []);
    const list = Array.isArray(addrs) ? addrs : [{ address: addrs, family: 4 }];
    for (const a of list) {
      const reason = refuse(a.address);
      if (reason) return cb(o.refused(host, a.address, reason), []);
    }
    if (!list.length) return cb(Object.assign(new Error(`${host} has no address.`), { code: 'ENOTFOUND' }), []);
    if (opts?.all) cb(null, list);
    else cb(null, list[0].address, list[0].family);
  });
}
