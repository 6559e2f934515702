/**
 * Real HTTP servers on loopback for the site watch's tests: a site whose answers follow a script
 * (one answer per hit), and a webhook receiver that can fail, hang or accept.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Answer {
  status?: number;
  body: string;
  contentType?: string;
  /** ms to wait before answering. */
  delayMs?: number;
}

export interface ScriptedSite {
  url: string;
  /** Wall-clock times of each hit. */
  hits: number[];
  /** Most requests in flight at once (any path). */
  maxInFlight: number;
  close(): Promise<void>;
}

function listen(server: Server, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve(`http://${host}:${(server.address() as AddressInfo).port}`));
  });
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((r) => server.close(() => r()));
}

/** A site answering `script(hitNumber)` (0-based) to every GET. */
export async function scriptedSite(script: (hit: number) => Answer, host = '127.0.0.1'): Promise<ScriptedSite> {
  const hits: number[] = [];
  let inFlight = 0;
  const state = { maxInFlight: 0 };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const n = hits.length;
    hits.push(Date.now());
    state.maxInFlight = Math.max(state.maxInFlight, ++inFlight);
    res.on('close', () => { inFlight--; });
    const a = script(n);
    const send = () => {
      res.writeHead(a.status ?? 200, { 'content-type': a.contentType ?? 'text/html; charset=utf-8' });
      res.end(a.body);
    };
    if (a.delayMs) setTimeout(send, a.delayMs);
    else send();
  });
  const url = `${await listen(server, host)}/`;
  return { url, hits, get maxInFlight() { return state.maxInFlight; }, close: () => closeServer(server) };
}

export interface Webhook {
  url: string;
  /** Every POST received: the time, the body and the status answered (null: left hanging). */
  calls: Array<{ at: number; body: string; status: number | null }>;
  close(): Promise<void>;
}

/** A webhook receiver; `answer(callNumber)` gives the status, or null to never answer. */
export async function webhookServer(answer: (call: number) => number | null): Promise<Webhook> {
  const calls: Webhook['calls'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = answer(calls.length);
      calls.push({ at: Date.now(), body: Buffer.concat(chunks).toString('utf8'), status });
      if (status === null) return; // hang
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(status < 300 ? 'ok' : 'no');
    });
  });
  const url = `${await listen(server, '127.0.0.1')}/hook`;
  return { url, calls, close: () => closeServer(server) };
}
