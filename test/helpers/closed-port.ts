/**
 * A loopback port where nothing listens. A port that was free a moment ago is not one: tests run in
 * parallel, and the next `listen(0)` anywhere may be handed it. Ports below 1024 are outside the
 * range the kernel hands out for `listen(0)`, so a refused one stays refused for the whole run.
 */
import net from 'node:net';

function refuses(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.once('connect', () => { s.destroy(); resolve(false); });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
}

/** The first port from 1 up on `host` that refuses connections (none below 1024: throws). */
export async function closedPort(host = '127.0.0.1'): Promise<number> {
  for (let port = 1; port < 1024; port++) if (await refuses(host, port)) return port;
  throw new Error(`every port below 1024 on ${host} accepts connections; the test needs one that refuses`);
}
