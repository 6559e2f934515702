#!/usr/bin/env node
// The test command: finds every test file, starts a local PostgreSQL when one is installed and
// TEST_DATABASE_URL is not set, brings dist/ up to date (the CLI tests run the compiled program),
// and runs Node's test runner through tsx.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt } from './build.mjs';

function find(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) find(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const env = { ...process.env };
if (!env.TEST_DATABASE_URL && existsSync('/usr/lib/postgresql')) {
  try {
    env.TEST_DATABASE_URL = execFileSync('bash', ['scripts/pg-local.sh'], { encoding: 'utf8' }).trim();
    console.log(`# PostgreSQL for store tests: ${env.TEST_DATABASE_URL}`);
  } catch (err) {
    console.warn(`# Could not start a local PostgreSQL (${err.message.split('\n')[0]}); PostgreSQL tests will skip.`);
  }
}
const filter = process.argv.slice(2);
if (!filter.length) {
  // The whole suite starts with the type check: strict TypeScript is part of the contract.
  // Two programs: Node's (src, tests, benches) and the dashboard's (browser DOM, bundled by Vite).
  for (const project of ['tsconfig.json', 'tsconfig.web.json']) {
    const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', project, '--noEmit'], { stdio: 'inherit' });
    if (tsc.status !== 0) {
      console.error(`Type check of ${project} failed; fix the errors above.`);
      process.exit(tsc.status ?? 1);
    }
  }
  console.log('# type check passed');
}
// Built once here, before test files start CLI processes in parallel.
try {
  ensureBuilt({ log: (l) => console.log(`# ${l}`) });
} catch (err) {
  console.error(err.message);
  process.exit(1);
}
const files = find('test').filter((f) => !filter.length || filter.some((s) => f.includes(s))).sort();
const res = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  env,
});
process.exit(res.status ?? 1);
