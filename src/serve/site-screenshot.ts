/**
 * Screenshots of archived captures, rendered by Chromium (playwright-core with Debian's
 * /usr/bin/chromium) from the archive alone: JavaScript is off, every request the page makes is
 * answered from the archive or aborted, and the browser's only proxy is a closed local port, so
 * an archived page can never reach the live web (no beacon tells its owner that it was looked
 * at). One render runs at a time; each is bounded by a timeout; results are cached on disk
 * beside the archive, one PNG per payload digest.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { ArchivedAnswer } from '../archive/types.ts';
import { replayContentType } from './site-replay.ts';

/** Where Chromium is looked for (Debian's package); CENSORSCOPE_CHROMIUM names another. */
export function chromiumPath(): string | null {
  const p = process.env.CENSORSCOPE_CHROMIUM || '/usr/bin/chromium';
  return existsSync(p) ? p : null;
}

export interface RenderRequest {
  /** The URL the capture was made at: the main document is served at it, so relative links resolve as they did. */
  url: string;
  main: ArchivedAnswer;
  /** The archived answer for another URL the page asks for, or null (the request is then aborted). */
  lookup(url: string): Promise<ArchivedAnswer | null>;
}

export interface Rendered {
  png: Buffer;
  /** URLs answered from the archive (the main document first). */
  served: string[];
  /** URLs the page asked for that were aborted (not archived, or not http). */
  blocked: string[];
}

const VIEWPORT = { width: 1024, height: 768 };
const TIMEOUT_MS = 20_000;

/** Renders an archived page; throws when Chromium is missing or the render does not finish in time. */
export async function renderArchived(req: RenderRequest, opts: { executable?: string; timeoutMs?: number } = {}): Promise<Rendered> {
  const executablePath = opts.executable ?? chromiumPath();
  if (!executablePath) throw new Error('Chromium is not installed at /usr/bin/chromium.');
  const timeout = opts.timeoutMs ?? TIMEOUT_MS;
  const browser = await chromium.launch({
    executablePath, headless: true, timeout,
    // Whatever escapes the request interception (prefetch, preconnect) meets a closed port, never the network.
    proxy: { server: 'http://127.0.0.1:9', bypass: '<-loopback>' },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--dns-prefetch-disable', '--no-pings', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-domain-reliability', '--disable-features=NetworkPrediction'],
  });
  const served: string[] = [];
  const blocked: string[] = [];
  try {
    const context = await browser.newContext({ javaScriptEnabled: false, serviceWorkers: 'block', viewport: VIEWPORT, acceptDownloads: false, offline: false });
    const mainUrl = new URL(req.url).href;
    await context.route('**/*', async (route) => {
      const url = route.request().url();
      const answer = url === mainUrl ? req.main : /^https?:/.test(url) ? await req.lookup(url).catch(() => null) : null;
      if (!answer) {
        blocked.push(url);
        return route.abort('blockedbyclient');
      }
      served.push(url);
      // Only the body and a vetted content type: archived headers (Set-Cookie, Refresh, Link) are not replayed.
      return route.fulfill({ status: answer.status >= 200 && answer.status < 600 ? answer.status : 200, contentType: replayContentType(answer.headers), body: Buffer.from(answer.body) });
    });
    const page = await context.newPage();
    page.setDefaultTimeout(timeout);
    await page.goto(mainUrl, { waitUntil: 'load', timeout });
    const png = await page.screenshot({ type: 'png', timeout, animations: 'disabled' });
    return { png, served, blocked };
  } finally {
    await browser.close().catch(() => undefined);
  }
}

/** Renders one capture at a time and keeps each PNG on disk under `dir`, named by the payload digest. */
export class ScreenshotCache {
  private queue: Promise<unknown> = Promise.resolve();
  private pending = new Map<string, Promise<Buffer>>();

  constructor(private readonly dir: string, private readonly render: (req: RenderRequest) => Promise<Rendered> = renderArchived) {}

  /** The cached PNG for `digest`, rendering it (after any render in progress) when absent. */
  get(digest: string, request: () => Promise<RenderRequest>): Promise<Buffer> {
    const name = `${digest.replace(/[^A-Za-z0-9]+/g, '-').slice(0, 120)}.png`;
    const file = join(this.dir, name);
    if (existsSync(file)) return Promise.resolve(readFileSync(file));
    const inFlight = this.pending.get(name);
    if (inFlight) return inFlight;
    const run = this.queue.then(async () => {
      if (existsSync(file)) return readFileSync(file);
      const { png } = await this.render(await request());
      mkdirSync(this.dir, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, png);
      renameSync(tmp, file);
      return png;
    }).finally(() => this.pending.delete(name));
    this.queue = run.catch(() => undefined);
    this.pending.set(name, run);
    return run;
  }
}
