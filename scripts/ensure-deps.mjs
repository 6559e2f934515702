#!/usr/bin/env node
// Runs before `npm start` and `npm test`: installs the npm dependencies on a fresh clone (or
// when package-lock.json changed), so the quick start is just those two commands.
import { existsSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const marker = 'node_modules/.package-lock.json';
const stale = !existsSync(marker) || statSync('package-lock.json').mtimeMs > statSync(marker).mtimeMs;
if (stale) {
  console.error('Installing dependencies (npm install)…');
  // Not `npm ci`: @node-rs/jieba lists prebuilt binaries for other platforms that the registry
  // lacks at its version, which `npm ci` treats as an out-of-sync lock file.
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
