/**
 * Simulated sources a given round-trip away: one simulated platform (censorscope sim's server)
 * per source, each behind its own proxy that answers `latencyMs` late and notes when every
 * request arrived, so budgets can be checked from what the platform saw.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSim, type SimHandle } from '../../src/collect/sim/server.ts';
import { AcceleratedClock } from '../../src/watch/clock.ts';

export interface SlowSource {
  url: string;
  /** Arrival time (ms, wall clock) of every request the source received. */
  arrivals: number[];
  close(): Promise<void>;
}

/**
 * Starts `count` simulated sources, each answering `latencyMs` after the platform does. Their
 * platforms share one clock running `speed` times the wall clock (1: the watcher's own time, in
 * which it keeps budgets and schedules checks by post age).
 */
export async function startSlowSources(count: number, latencyMs: number, postsPerDay: number, speed: number, seed = 1): Promise<SlowSource[]> {
  const out: SlowSource[] = [];
  // Starts an hour back, so the platforms hold an hour of posts young enough for the watcher to
  // check often; at speed 1 they never post in the watcher's future.
  const start = Math.floor(Date.now() / 60_000) * 60_000 - 3_600_000;
  const clock = new AcceleratedClock(start, speed);
  for (let i = 0; i < count; i++) {
    const sim = await startSim({ seed: seed + i, clock, start, faultRate: 0, slowRate: 0, outages: null, scenario: { postsPerDay } });
    out.push(await proxy(sim, latencyMs));
  }
  return out;
}

function proxy(sim: SimHandle, latencyMs: number): Promise<SlowSource> {
  const target = new URL(sim.url);
  const arrivals: number[] = [];
  let self = '';
  // The platform's answers name its own origin (pagination links, post URLs): they must lead back here.
  const rewrite = (s: string) => s.split(target.origin).join(self);
  const server = http.createServer((req, res) => {
    arrivals.push(Date.now());
    const up = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: { ...req.headers, host: target.host, 'accept-encoding': 'identity' } }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (c: Buffer) => chunks.push(c));
      answer.on('end', () => setTimeout(() => {
        const body = Buffer.from(rewrite(Buffer.concat(chunks).toString('utf8')));
        const headers: Record<string, string | string[] | undefined> = { ...answer.headers, 'content-length': String(body.length) };
        delete headers['transfer-encoding'];
        if (typeof headers.link === 'string') headers.link = rewrite(headers.link);
        if (typeof headers.location === 'string') headers.location = rewrite(headers.location);
        res.writeHead(answer.statusCode ?? 502, headers);
        res.end(body);
      }, latencyMs));
    });
    up.on('error', () => { res.writeHead(502); res.end(); });
    req.pipe(up);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const port = (server.address() as AddressInfo).port;
    self = `http://127.0.0.1:${port}`;
    resolve({
      url: self,
      arrivals,
      close: async () => {
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
        await sim.close();
      },
    });
  }));
}
