#!/usr/bin/env node
// Runs before `npm start` and `npm test`: installs the npm dependencies on a fresh clone (or when
// package-lock.json pins other versions than node_modules holds) and builds dist/ when src/
// changed, so the quick start is just those two commands. `npm ci` installs exactly what
// package-lock.json pins and never rewrites it, so every clone runs the same dependency tree (and
// a lock file out of step with package.json is an error, not a rewrite).
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { ensureBuilt } from './build.mjs';

/**
 * Why node_modules does not match package-lock.json, or null when it does. Compares the lock's
 * packages with npm's record of what it installed (node_modules/.package-lock.json) by version,
 * not by file times: a checkout or a new git worktree touches the lock file without changing it.
 */
function depsStale() {
  const marker = 'node_modules/.package-lock.json';
  if (!existsSync(marker)) return 'node_modules is missing or was not installed by npm';
  const want = JSON.parse(readFileSync('package-lock.json', 'utf8')).packages ?? {};
  const have = JSON.parse(readFileSync(marker, 'utf8')).packages ?? {};
  for (const [path, p] of Object.entries(want)) {
    if (!path) continue; // the project itself
    // Optional packages for other platforms (esbuild's, say) are never installed here.
    if (!have[path]) {
      if (!p.optional) return `${path} is not installed`;
    } else if (have[path].version !== p.version) return `${path} is ${have[path].version}, the lock file pins ${p.version}`;
  }
  const extra = Object.keys(have).find((path) => !(path in want));
  return extra ? `${extra} is installed but no longer in the lock file` : null;
}

const why = depsStale();
if (why) {
  console.error(`Installing dependencies (npm ci: ${why})…`);
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
// `npm ci` builds dist/ (the `prepare` script); this covers sources edited since.
try {
  ensureBuilt();
} catch (err) {
  console.error(err.message);
  process.exit(1);
}
