#!/usr/bin/env node
// Runs the compiled program (dist/, built from src/ by `npm run build`; `npm ci` and `npm pack`
// build it too). In a clone, where src/ sits beside dist/, it first rebuilds dist/ if src/ changed,
// so nobody runs stale JavaScript; an installed package has no src/ and skips the check.
import { existsSync } from 'node:fs';

if (existsSync(new URL('../src/cli/main.ts', import.meta.url))) {
  const { ensureBuilt } = await import('../scripts/build.mjs');
  try {
    ensureBuilt();
  } catch (err) {
    process.stderr.write(`censorscope: ${err.message}\n`);
    process.exit(1);
  }
}
// Stack traces name the TypeScript lines when debugging (loading source maps costs time otherwise).
if (process.env.CENSORSCOPE_DEBUG) process.setSourceMapsEnabled(true);
await import('../dist/cli/main.js');
