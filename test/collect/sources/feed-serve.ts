/** A loopback HTTP server that answers feed requests with given bytes and Content-Type, as a live feed does. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FeedSource } from '../../../src/collect/sources/feed.ts';
import { HttpClient, RequestBudget } from '../../../src/collect/sources/http.ts';
import { VirtualClock } from '../../../src/watch/clock.ts';
import type { PostRecord } from '../../../src/store/bulk.ts';

export interface Answer {
  status?: number;
  /** null sends no Content-Type at all. */
  contentType: string | null;
  body: Uint8Array | string;
}

export interface FeedServer {
  url: string;
  routes: Map<string, Answer>;
  close(): Promise<void>;
}

/** Serves `routes` (path → answer) on 127.0.0.1; unknown paths answer 404. */
export async function serveFeeds(routes = new Map<string, Answer>()): Promise<FeedServer> {
  const server = http.createServer((req, res) => {
    const a = routes.get(req.url ?? '');
    if (!a) return void res.writeHead(404).end('not found');
    const headers: Record<string, string> = {};
    if (a.contentType != null) headers['content-type'] = a.contentType;
    res.writeHead(a.status ?? 200, headers);
    res.end(typeof a.body === 'string' ? Buffer.from(a.body, 'utf8') : Buffer.from(a.body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    routes,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

/** Lists a served feed through the real feed source (HTTP client, charset, parser, mapping). */
export async function listServed(s: FeedServer, path: string, answer: Answer): Promise<PostRecord[]> {
  s.routes.set(path, answer);
  const clock = new VirtualClock(Date.UTC(2030, 0, 1));
  const src = new FeedSource({ url: `${s.url}${path}`, reuseMs: 0 }, new HttpClient({ policy: { allowPrivate: true }, budget: new RequestBudget(10_000, clock), clock, attempts: 1 }), clock);
  return (await src.listNew(null)).posts;
}
