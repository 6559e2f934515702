#!/usr/bin/env node
// Compiles src/ to dist/ (JavaScript, same folder layout, so `new URL('../..', import.meta.url)`
// paths keep pointing at the same places) and copies the files the program reads at run time.
// `node scripts/build.mjs` builds; `ensureBuilt()` rebuilds only when src/ changed since the
// last build, so a clone never runs stale JavaScript (bin/censorscope.js and the tests call it).
// The type check is not part of the build (`npm run typecheck` and `npm test` do it): a build
// only transpiles, so work in progress with a type error still runs.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SRC = join(ROOT, 'src');
const DIST = join(ROOT, 'dist');
/** Written last by a build; its time is the moment the build started. */
export const STAMP = join(DIST, '.build-stamp');
const LOCK = join(DIST, '.build-lock');
// The dashboard is Vite's (src/serve/web-build.ts builds it into dist/web on demand).
const SKIP = new Set([join(SRC, 'serve', 'web')]);
// Files read at run time beside the modules (worker boot script, lookup tables, JSON).
const ASSET = /\.(mjs|cjs|json|txt)$/;
const CONFIGS = ['tsconfig.json', 'tsconfig.build.json', 'package.json'].map((f) => join(ROOT, f));

/** Newest modification time under `dir` (files and folders, so a removed or renamed file counts). */
function newest(dir) {
  let t = statSync(dir).mtimeMs;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (SKIP.has(p)) continue;
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Why dist/ must be rebuilt, or null when it is up to date with src/. */
export function staleReason() {
  if (!existsSync(STAMP)) return 'dist/ has not been built';
  const built = statSync(STAMP).mtimeMs;
  if (newest(SRC) > built) return 'src/ changed since the last build';
  if (CONFIGS.some((f) => existsSync(f) && statSync(f).mtimeMs > built)) return 'the TypeScript configuration changed since the last build';
  return null;
}

function copyAssets(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (SKIP.has(p)) continue;
    if (e.isDirectory()) copyAssets(p);
    else if (ASSET.test(e.name)) {
      const to = join(DIST, relative(SRC, p));
      mkdirSync(dirname(to), { recursive: true });
      copyFileSync(p, to);
    }
  }
}

/**
 * Removes compiled files whose source is gone (a deleted or renamed module), so they neither run
 * nor ship. Only such files: a process running from dist/ meanwhile loses nothing it needs.
 */
function prune(dir = DIST) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    const rel = relative(DIST, p);
    if (rel === 'web' || rel.startsWith('web.') || rel.startsWith('.')) continue; // the dashboard (Vite's), the stamp, tsc's build info
    if (e.isDirectory()) {
      prune(p);
      if (!readdirSync(p).length) rmSync(p, { recursive: true, force: true });
      continue;
    }
    if (rel.startsWith('vendor')) continue; // bundled libraries (bundleVendor)
    const source = join(SRC, rel.replace(/\.js(\.map)?$/, '.ts'));
    if (!existsSync(source)) rmSync(p, { force: true });
  }
}

// Libraries bundled into one file each under dist/vendor/, because Node 20 loads a package of many
// small ES modules slowly: kysely's 262 files are most of the time `censorscope stats` takes
// (npm run bench:startup). Same installed version, one file; nothing else changes.
const VENDOR = ['kysely'];
const VENDOR_DIR = join(DIST, 'vendor');

/** Bundles each VENDOR package with esbuild (when installed; without it the imports stay as they are). */
function bundleVendor() {
  let esbuild;
  try {
    esbuild = createRequire(import.meta.url)('esbuild');
  } catch {
    return [];
  }
  for (const name of VENDOR) {
    esbuild.buildSync({ entryPoints: [name], absWorkingDir: ROOT, bundle: true, format: 'esm', platform: 'node', target: 'node20',
      outfile: join(VENDOR_DIR, `${name}.js`), logLevel: 'warning', legalComments: 'inline' });
  }
  return VENDOR;
}

/** Points every compiled `import … from 'kysely'` (and `import('kysely')`) at its bundle in dist/vendor/. */
function useVendor(names, dir = DIST) {
  if (!names.length) return;
  const specifier = new RegExp(`(\\bfrom\\s*|\\bimport\\s*\\(\\s*)(['"])(${names.join('|')})\\2`, 'g');
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (p === VENDOR_DIR || p === join(DIST, 'web')) continue;
    if (e.isDirectory()) useVendor(names, p);
    else if (e.name.endsWith('.js')) {
      const text = readFileSync(p, 'utf8');
      const to = relative(dirname(p), VENDOR_DIR).split('\\').join('/') || '.';
      const out = text.replace(specifier, (_, before, q, name) => `${before}${q}${to.startsWith('.') ? to : `./${to}`}/${name}.js${q}`);
      if (out !== text) writeFileSync(p, out);
    }
  }
}

/** Compiles src/ into dist/ and copies the run-time assets; throws with the compiler's output on failure. */
export function build({ log = (l) => process.stderr.write(`${l}\n`) } = {}) {
  const started = new Date();
  let tsc;
  try {
    tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
  } catch {
    throw new Error('Cannot build dist/: the TypeScript compiler is not installed. Run `npm ci` (it installs the development dependencies and builds).');
  }
  log('Building dist/ from src/ (tsc -p tsconfig.build.json)…');
  mkdirSync(DIST, { recursive: true });
  rmSync(STAMP, { force: true });
  const r = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--noCheck'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`Building dist/ failed (tsc exit ${r.status}):\n${r.stdout}${r.stderr}`);
  copyAssets(SRC);
  useVendor(bundleVendor());
  prune();
  writeFileSync(STAMP, '');
  // Any source saved while the compiler ran is newer than this and triggers the next rebuild.
  utimesSync(STAMP, started, started);
}

const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Rebuilds dist/ when src/ is newer than the last build. Processes starting together (parallel
 * tests) share one build: the first takes a lock folder, the others wait for it and re-check.
 * Returns true when it built.
 */
export function ensureBuilt({ log } = {}) {
  if (!staleReason()) return false;
  mkdirSync(DIST, { recursive: true });
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      // A lock older than 5 minutes belongs to a build that was killed.
      try {
        if (Date.now() - statSync(LOCK).mtimeMs > 5 * 60_000) rmSync(LOCK, { recursive: true, force: true });
      } catch { /* removed meanwhile */ }
      if (Date.now() > deadline) throw new Error(`Waited 10 minutes for another build of dist/ to finish; if none is running, remove ${LOCK} and retry.`);
      sleep(100);
    }
  }
  try {
    const why = staleReason();
    if (!why) return false;
    build({ log: log ?? ((l) => process.stderr.write(`censorscope: ${why}; ${l[0].toLowerCase()}${l.slice(1)}\n`)) });
    return true;
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    if (process.argv.includes('--if-stale')) ensureBuilt();
    else build();
  } catch (err) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}
