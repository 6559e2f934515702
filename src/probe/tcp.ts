/** TCP connect to one endpoint, recorded as OONI's tcp_connect entry. */
import net from 'node:net';
import { ProbeTimeout, toFailure } from './failure.ts';

export interface TcpConnectEntry {
  ip: string;
  port: number;
  status: { success: boolean; failure: string | null; blocked?: boolean | null };
  t: number;
}

/** Connects, closes, and reports how it went; never throws. */
export function tcpConnect(ip: string, port: number, timeoutMs: number): Promise<TcpConnectEntry> {
  const started = performance.now();
  return new Promise((resolve) => {
    const sock = net.connect({ host: ip, port });
    const done = (err: unknown): void => {
      clearTimeout(timer);
      sock.destroy();
      const failure = toFailure(err);
      resolve({ ip, port, status: { success: !failure, failure }, t: (performance.now() - started) / 1000 });
    };
    const timer = setTimeout(() => done(new ProbeTimeout('TCP connect')), timeoutMs);
    sock.once('connect', () => done(null));
    sock.once('error', done);
  });
}
