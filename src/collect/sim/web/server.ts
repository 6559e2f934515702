/**
 * The simulated web: one HTTP server on 127.0.0.1 serving many scripted sites under path prefixes
 * (`http://127.0.0.1:PORT/<site>/`), each answering at the shared clock's time as its script says,
 * exactly as real servers do: real status codes and reason phrases, nginx's error pages,
 * Content-Type with charset (GBK bytes for the sites labelled gb2312, as real ones are),
 * Last-Modified and 304s, Set-Cookie, redirects to a parking page, connections reset or left
 * unanswered, and — for the sites scripted to refuse connections — a port of their own that is
 * closed while the outage lasts. A test fixture and bench data source: never a real site.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import iconv from 'iconv-lite';
import { realClock, type Clock } from '../../../watch/clock.ts';
import { createRng } from '../../../util/random.ts';
import { hashOf, nginxError, parkedPage, renderPage } from './pages.ts';
import { buildScript, stateAt, stateChanges, type ScriptOptions, type SimSite, type SiteState, type StateChange } from './script.ts';
import { loadWebText, type WebText } from './text.ts';

export interface SimWebOptions {
  /** The sites and their histories: a ready script, or the options to build one. */
  sites: SimSite[] | ScriptOptions;
  /** The clock the sites follow (default: the wall clock). Pass the same VirtualClock to the watcher via `handle.clock`. */
  clock?: Clock;
  seed?: number;
  /** Page text (default: the shared data sets when present, else built-in text). */
  text?: WebText;
  host?: string;
  /**
   * Called with the clock's time after each sleep of `handle.clock` (after the ports are synced):
   * benches and tests insert what happens elsewhere at that time, e.g. the probe's measurement of a
   * site scripted `blocked`.
   */
  onTime?: (t: number) => Promise<void> | void;
}

/** One request served, for tests and the bench. */
export interface ServedRequest {
  site: string | null;
  at: number;
  status: number | 'reset' | 'hang';
  /** Body bytes sent (0 for a reset, a hang, a redirect or a 304). */
  bytes: number;
}

export interface SimWebHandle {
  /** The main server's origin, e.g. http://127.0.0.1:40123. */
  origin: string;
  sites: SimSite[];
  /** The front page URL of a site (its own port for sites that refuse connections in an outage). */
  urlOf(siteId: string): string;
  /** The site a URL belongs to, or null. */
  siteOf(url: string): SimSite | null;
  stateAt(siteId: string, t: number): SiteState;
  /** The scripted state changes up to `until` (default: the clock's now). */
  changes(until?: number): StateChange[];
  /**
   * The clock to give the watcher: the sites' clock, which after each sleep opens or closes the
   * ports of sites whose connections are refused, so the outage begins and ends on time.
   */
  clock: Clock;
  requests(): ServedRequest[];
  text: WebText;
  /** Replaces the `onTime` hook (one that needs the handle, e.g. to know the sites' URLs). */
  setOnTime(fn: SimWebOptions['onTime']): void;
  close(): Promise<void>;
}

const SERVERS = ['nginx/1.18.0', 'Apache/2.4.41 (Ubuntu)', 'nginx', 'Microsoft-IIS/8.5', 'openresty/1.21.4.1', 'Tengine'];
const STYLE = 'body{margin:0;font:14px/1.6 "Helvetica Neue",Arial,"Microsoft YaHei",sans-serif;color:#222}header,nav,main,footer{max-width:1000px;margin:0 auto;padding:8px}nav ul{list-style:none;display:flex;gap:16px;padding:0}.footer{color:#666;font-size:12px;border-top:1px solid #ddd}.ad{float:right}\n';

const httpDate = (t: number) => new Date(t).toUTCString();
/** A site scripted `blocked` is served on an address of its own. */
const ownsHost = (s: SimSite) => s.phases.some((p) => p.state.kind === 'blocked');

/** Starts the simulated web on 127.0.0.1 (or `host`). */
export async function startSimWeb(opts: SimWebOptions): Promise<SimWebHandle> {
  const inner = opts.clock ?? realClock;
  const sites = Array.isArray(opts.sites) ? opts.sites : buildScript(opts.sites);
  const byId = new Map(sites.map((s) => [s.id, s]));
  const text = opts.text ?? loadWebText();
  const host = opts.host ?? '127.0.0.1';
  const cookies = createRng((opts.seed ?? 1) ^ 0xc00c1e);
  const served: ServedRequest[] = [];
  const sockets = new Set<Socket>();
  let origin = '';
  let onTime = opts.onTime;

  /** When the current phase of `site` began (Last-Modified of a page that changes by phase). */
  const phaseStart = (site: SimSite, t: number) => {
    let from = site.phases[0]!.from;
    for (const p of site.phases) if (p.from <= t) from = p.from;
    return from;
  };

  function answer(req: http.IncomingMessage, res: http.ServerResponse, site: SimSite | null, rest: string, parking: boolean): void {
    const t = inner.now();
    const log = (status: ServedRequest['status'], bytes = 0): void => {
      served.push({ site: site?.id ?? null, at: t, status, bytes });
    };
    const serverName = site ? SERVERS[hashOf(site.id) % SERVERS.length]! : 'nginx';
    const send = (status: number, body: string, headers: Record<string, string> = {}, charset: SimSite['charset'] = 'utf-8') => {
      const bytes = charset === 'gb2312' ? iconv.encode(body, 'gbk') : Buffer.from(body, 'utf8');
      res.writeHead(status, {
        Server: serverName, Date: httpDate(t), 'Content-Type': `text/html; charset=${charset}`, 'Content-Length': String(bytes.length), Connection: 'keep-alive', ...headers,
      });
      res.end(req.method === 'HEAD' ? undefined : bytes);
      log(status, req.method === 'HEAD' ? 0 : bytes.length);
    };
    if (!site) return send(404, nginxError(404, 'Not Found'));
    if (parking) {
      // The parking service: whatever the domain was, a for-sale page.
      return send(200, parkedPage(site.id), { Server: 'Parking/1.0', 'Cache-Control': 'no-cache', 'Set-Cookie': `pk_vid=${cookies.int(1e8, 9e8)}; Path=/; Max-Age=2592000` });
    }
    const state = stateAt(site, t);
    if (state.kind === 'down') {
      if (state.how === 'reset' || state.how === 'refused') {
        // (refused only reaches here if a request slipped in before the port closed.)
        log('reset');
        req.socket.resetAndDestroy();
        return;
      }
      if (state.how === 'timeout') {
        // Accept and never answer: the client's timeout ends it (or the server's close).
        log('hang');
        return;
      }
      return send(503, nginxError(503, 'Service Temporarily Unavailable'), { 'Retry-After': '600' });
    }
    if (state.kind === 'gone') {
      if (state.how === 'parked') {
        // The expired domain now points at a parking service: a 302 to its landing page.
        res.writeHead(302, { Server: serverName, Date: httpDate(t), Location: `${origin}/_parking/${site.id}/?domain=${site.id}.example`, 'Content-Type': 'text/html', 'Content-Length': '0' });
        res.end();
        return log(302);
      }
      if (state.how === 'notice') return send(200, renderPage(site, text, state, t), {}, site.charset);
      return send(state.how === '410' ? 410 : 404, renderPage(site, text, state, t));
    }
    if (rest === 'static/style.css') {
      res.writeHead(200, { Server: serverName, Date: httpDate(t), 'Content-Type': 'text/css', 'Content-Length': String(Buffer.byteLength(STYLE)), 'Last-Modified': httpDate(sites[0]!.phases[0]!.from), 'Cache-Control': 'max-age=86400' });
      res.end(req.method === 'HEAD' ? undefined : STYLE);
      return log(200, Buffer.byteLength(STYLE));
    }
    if (rest !== '' && rest !== 'index.html') return send(404, nginxError(404, 'Not Found'));
    // Last-Modified: a news page changes every minute; a portal when its phase began (second resolution).
    const modified = Math.floor((site.kind === 'news' ? Math.floor(t / 60_000) * 60_000 : phaseStart(site, t)) / 1000) * 1000;
    const since = Date.parse(req.headers['if-modified-since'] ?? '');
    const headers: Record<string, string> = {
      'Last-Modified': httpDate(modified),
      'Set-Cookie': site.kind === 'gov'
        ? `PHPSESSID=${cookies.int(1e9, 9e9).toString(36)}${cookies.int(1e9, 9e9).toString(36)}; path=/; HttpOnly`
        : `JSESSIONID=${cookies.int(1e9, 9e9).toString(16).toUpperCase()}; Path=/; HttpOnly`,
      'Cache-Control': site.kind === 'news' ? 'max-age=60' : 'no-cache',
      Vary: 'Accept-Encoding',
      ...(site.kind === 'gov' && hashOf(site.id) % 2 === 0 ? { 'X-Powered-By': 'PHP/5.6.40' } : {}),
    };
    if (site.kind !== 'news' && !Number.isNaN(since) && since >= modified) {
      res.writeHead(304, { Server: serverName, Date: httpDate(t), 'Last-Modified': headers['Last-Modified']! });
      res.end();
      return log(304);
    }
    return send(200, renderPage(site, text, state, t), headers, site.charset);
  }

  function route(req: http.IncomingMessage, res: http.ServerResponse, only: SimSite | null): void {
    const u = new URL(req.url ?? '/', 'http://sim');
    const m = u.pathname.match(/^\/(_parking\/)?([a-z]+-\d+)(?:\/(.*))?$/);
    const site = m ? byId.get(m[2]!) ?? null : null;
    // A site with its own port is only there; the main server does not know it (and vice versa).
    const here = site && (only ? site === only : !(site.ownPort || ownsHost(site)) || m![1] != null) ? site : null;
    if (here && m![3] === undefined && !m![1]) {
      // /<site> without the slash: the redirect every web server makes.
      res.writeHead(301, { Server: 'nginx', Date: httpDate(inner.now()), Location: `${u.pathname}/`, 'Content-Length': '0' });
      res.end();
      served.push({ site: here.id, at: inner.now(), status: 301, bytes: 0 });
      return;
    }
    answer(req, res, here, m?.[3] ?? '', m?.[1] != null);
  }

  const track = (srv: http.Server) => {
    srv.on('connection', (s: Socket) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    srv.keepAliveTimeout = 5000;
    return srv;
  };
  const listen = (srv: http.Server, port: number, on = host) => new Promise<number>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(port, on, () => {
      srv.off('error', reject);
      resolve((srv.address() as AddressInfo).port);
    });
  });

  const main = track(http.createServer((req, res) => route(req, res, null)));
  const mainPort = await listen(main, 0);
  origin = `http://${host}:${mainPort}`;

  // Sites that refuse connections in an outage get a port of their own, closed while it lasts.
  // Sites scripted `blocked` get an address of their own in 127.0.0.0/8 (Linux answers on all of
  // it), since the probe's verdict applies to a host: one blocked site must not block the rest.
  const own = new Map<string, { server: http.Server; host: string; port: number; open: boolean }>();
  let nextLoopback = 10;
  for (const s of sites.filter((x) => x.ownPort || ownsHost(x))) {
    const server = track(http.createServer((req, res) => route(req, res, s)));
    const at = ownsHost(s) && host === '127.0.0.1' ? `127.0.0.${nextLoopback++}` : host;
    own.set(s.id, { server, host: at, port: await listen(server, 0, at), open: true });
  }
  let syncing: Promise<void> = Promise.resolve();
  const syncOnce = async () => {
    const t = inner.now();
    for (const [id, o] of own) {
      const st = stateAt(byId.get(id)!, t);
      const shouldOpen = !(st.kind === 'down' && st.how === 'refused');
      if (shouldOpen && !o.open) {
        await listen(o.server, o.port, o.host);
        o.open = true;
      } else if (!shouldOpen && o.open) {
        o.open = false;
        await new Promise<void>((r) => {
          o.server.close(() => r());
          o.server.closeAllConnections();
        });
      }
    }
  };
  // Serialised: two overlapping syncs would both try to open the same port.
  const sync = () => (syncing = syncing.then(syncOnce, syncOnce));
  await sync();
  const timer = opts.clock ? null : setInterval(() => void sync(), 100);
  timer?.unref();

  const clock: Clock = {
    discrete: inner.discrete,
    now: () => inner.now(),
    async sleep(ms, signal) {
      await inner.sleep(ms, signal);
      await sync();
      await onTime?.(inner.now());
    },
  };

  return {
    origin,
    sites,
    urlOf(id) {
      const o = own.get(id);
      if (!byId.has(id)) throw new Error(`The simulated web has no site "${id}".`);
      return `${o ? `http://${o.host}:${o.port}` : origin}/${id}/`;
    },
    siteOf(url) {
      const m = new URL(url).pathname.match(/^\/([a-z]+-\d+)\//);
      return m ? byId.get(m[1]!) ?? null : null;
    },
    stateAt: (id, t) => stateAt(byId.get(id)!, t),
    changes: (until) => stateChanges(sites, until ?? inner.now()),
    clock,
    requests: () => [...served],
    text,
    setOnTime(fn) {
      onTime = fn;
    },
    async close() {
      if (timer) clearInterval(timer);
      await syncing.catch(() => undefined);
      for (const s of sockets) s.destroy();
      const servers = [main, ...[...own.values()].filter((o) => o.open).map((o) => o.server)];
      await Promise.all(servers.map((s) => new Promise<void>((r) => {
        s.close(() => r());
        s.closeAllConnections();
      })));
    },
  };
}
