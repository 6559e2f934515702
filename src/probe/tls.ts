/** TLS handshake with the URL's SNI to one endpoint, recorded as OONI's tls_handshakes entry. */
import tls from 'node:tls';
import { ProbeTimeout, toFailure } from './failure.ts';

export interface TlsHandshakeEntry {
  address: string;
  server_name: string;
  failure: string | null;
  negotiated_protocol: string | null;
  tls_version: string | null;
  cipher_suite: string | null;
  peer_certificates: Array<{ format: 'base64'; data: string }>;
  no_tls_verify: boolean;
  t: number;
}

/** Connects to ip:port, handshakes with `sni`, verifies the certificate; never throws. */
export function tlsHandshake(ip: string, port: number, sni: string, timeoutMs: number): Promise<TlsHandshakeEntry> {
  const started = performance.now();
  return new Promise((resolve) => {
    const sock = tls.connect({ host: ip, port, servername: sni, ALPNProtocols: ['http/1.1'], rejectUnauthorized: true });
    const done = (err: unknown): void => {
      clearTimeout(timer);
      const cert = !err ? sock.getPeerCertificate(true) : undefined;
      const chain: Array<{ format: 'base64'; data: string }> = [];
      for (let c = cert, i = 0; c && c.raw && i < 5; c = c.issuerCertificate === c ? undefined : c.issuerCertificate, i++) {
        chain.push({ format: 'base64', data: c.raw.toString('base64') });
      }
      resolve({
        address: `${ip}:${port}`,
        server_name: sni,
        failure: toFailure(err),
        negotiated_protocol: err ? null : (sock.alpnProtocol || null),
        tls_version: err ? null : (sock.getProtocol() ?? null),
        cipher_suite: err ? null : (sock.getCipher()?.standardName ?? null),
        peer_certificates: chain,
        no_tls_verify: false,
        t: (performance.now() - started) / 1000,
      });
      sock.destroy();
    };
    const timer = setTimeout(() => done(new ProbeTimeout('TLS handshake')), timeoutMs);
    sock.once('secureConnect', () => done(null));
    sock.once('error', done);
  });
}
