#!/usr/bin/env node
// Runs before `npm start` and `npm test`: installs the npm dependencies on a fresh clone (or
// when package-lock.json changed), so the quick start is just those two commands. `npm ci`
// installs exactly what package-lock.json pins and never rewrites it, so every clone runs the
// same dependency tree (and a lock file out of step with package.json is an error, not a rewrite).
import { existsSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const marker = 'node_modules/.package-lock.json';
const stale = !existsSync(marker) || statSync('package-lock.json').mtimeMs > statSync(marker).mtimeMs;
if (stale) {
  console.error('Installing dependencies (npm ci)…');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
