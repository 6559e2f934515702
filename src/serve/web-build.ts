/**
 * Builds the dashboard bundle (src/serve/web → dist/web) with Vite when it is missing or older
 * than its sources, so a fresh clone needs no separate build step before `serve` or `demo`.
 */
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const WEB_SRC = join(PROJECT_ROOT, 'src/serve/web');
export const WEB_DIST = join(PROJECT_ROOT, 'dist/web');

function newest(dir: string): number {
  let t = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    t = Math.max(t, st.isDirectory() ? newest(p) : st.mtimeMs);
  }
  return t;
}

/** True when dist/web is missing or older than any file under src/serve/web. */
export function webBundleStale(): boolean {
  const index = join(WEB_DIST, 'index.html');
  if (!existsSync(index)) return true;
  // An installed package (npm pack) ships the built bundle without its sources.
  if (!existsSync(WEB_SRC)) return false;
  return newest(WEB_SRC) > statSync(index).mtimeMs;
}

let building: Promise<void> | null = null;

/** Builds the bundle if stale (concurrent callers share one build). */
export async function ensureWebBundle(opts: { force?: boolean; log?: (line: string) => void } = {}): Promise<void> {
  if (!opts.force && !webBundleStale()) return;
  if (!existsSync(WEB_SRC)) throw new Error(`The dashboard bundle (${WEB_DIST}) is missing from this installation: reinstall censorscope from a package built by \`npm pack\`, which includes it.`);
  building ??= (async () => {
    opts.log?.('Building the dashboard (vite)…');
    const { build } = await import('vite');
    // Build beside the live bundle and swap it in, so concurrent builds (parallel test files,
    // a demo and a server) never see a half-emptied directory.
    const tmp = `${WEB_DIST}.build-${process.pid}-${Date.now()}`;
    try {
      await build({ configFile: join(WEB_SRC, 'vite.config.ts'), logLevel: 'warn', build: { outDir: tmp, emptyOutDir: true } });
      const old = `${WEB_DIST}.old-${process.pid}-${Date.now()}`;
      if (existsSync(WEB_DIST)) renameSync(WEB_DIST, old);
      try {
        renameSync(tmp, WEB_DIST);
      } catch (err) {
        // Another process swapped its identical build in first.
        if (!existsSync(join(WEB_DIST, 'index.html'))) throw err;
      }
      rmSync(old, { recursive: true, force: true });
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  })().finally(() => { building = null; });
  await building;
}
