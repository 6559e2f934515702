#!/usr/bin/env node
// `npm pack` (and publish) hooks. prepack: dist/ and the dashboard bundle (dist/web) up to date,
// and package-lock.json shipped as npm-shrinkwrap.json, so `npm install -g` of the tarball installs
// the very dependency versions the project tests (a package's own package-lock.json is ignored by
// installs, and so are its `overrides`, which keep Node 20 support). postpack: removes it again.
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt, ROOT } from './build.mjs';

const SHRINKWRAP = join(ROOT, 'npm-shrinkwrap.json');
const log = (line) => process.stderr.write(`${line}\n`);

if (process.argv[2] === 'prepack') {
  ensureBuilt({ log });
  const { ensureWebBundle } = await import('../dist/serve/web-build.js');
  await ensureWebBundle({ log });
  copyFileSync(join(ROOT, 'package-lock.json'), SHRINKWRAP);
} else if (process.argv[2] === 'postpack') {
  rmSync(SHRINKWRAP, { force: true });
} else {
  log('Usage: node scripts/pack.mjs prepack|postpack (npm pack runs it).');
  process.exit(2);
}
