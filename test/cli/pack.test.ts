/**
 * The package as users get it: `npm pack` makes a tarball, `npm install -g` puts it into a fresh
 * prefix, and the installed `censorscope` runs from another folder: its help, and an import of a
 * small generated file (SQLite, worker thread, migrations) followed by stats.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tempDir, csv } from '../helpers/files.ts';
import { WEIBOSCOPE_COLUMNS } from '../../src/collect/samples/sample-files.ts';

const ROOT = resolve('.');
const npmVersion = spawnSync('npm', ['--version'], { encoding: 'utf8' });
const skip = npmVersion.status === 0 ? false : 'npm is not installed, so the package cannot be packed and installed; install npm (it comes with Node.js) to run this test.';

/** Runs a command and fails the test with its output when it fails. */
function run(cmd: string, args: string[], opts: SpawnSyncOptions = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10 * 60_000, ...opts });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} failed:\n${String(r.stdout)}\n${String(r.stderr)}`);
  return String(r.stdout);
}

describe('npm pack, npm install -g, run from anywhere', { skip }, () => {
  const dir = tempDir();
  let bin: string;
  let files: string[];
  // The installed program picks its store from the environment: none here, so ./censorscope.db.
  const env: NodeJS.ProcessEnv = { ...process.env, npm_config_update_notifier: 'false' };
  for (const name of ['DATABASE_URL', 'CENSORSCOPE_DB', 'CENSORSCOPE_ARCHIVE']) delete env[name];

  before(() => {
    // prepack (scripts/pack.mjs) brings dist/ and the dashboard bundle up to date first.
    const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', dir.dir], { cwd: ROOT, env })) as Array<{ filename: string; files: Array<{ path: string }> }>;
    files = packed[0]!.files.map((f) => f.path);
    const tarball = join(dir.dir, packed[0]!.filename);
    const prefix = join(dir.dir, 'prefix');
    // Install scripts are skipped to keep this fast: the one native module, better-sqlite3, would
    // compile from source for minutes. Its binary comes from the project's own install when the
    // versions match (the same build for the same Node), else its install script builds it.
    run('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', tarball], { cwd: dir.dir, env });
    const installed = join(prefix, 'lib/node_modules/censorscope');
    const sqlite = join(installed, 'node_modules/better-sqlite3');
    const version = (p: string) => (JSON.parse(readFileSync(join(p, 'package.json'), 'utf8')) as { version: string }).version;
    const ours = join(ROOT, 'node_modules/better-sqlite3');
    if (version(sqlite) === version(ours) && existsSync(join(ours, 'build/Release/better_sqlite3.node'))) {
      mkdirSync(join(sqlite, 'build/Release'), { recursive: true });
      copyFileSync(join(ours, 'build/Release/better_sqlite3.node'), join(sqlite, 'build/Release/better_sqlite3.node'));
    } else {
      run('npm', ['rebuild', '-g', '--prefix', prefix, 'better-sqlite3'], { cwd: dir.dir, env });
    }
    bin = join(prefix, 'bin/censorscope');
  });
  after(() => dir.cleanup());

  it('ships the compiled program and its run-time files, not the TypeScript sources', () => {
    for (const f of ['bin/censorscope.js', 'dist/cli/main.js', 'dist/cli/commands/stats.js', 'dist/collect/import-worker.js', 'dist/util/worker-boot.mjs', 'dist/vendor/kysely.js',
      'dist/detect/impostors/lookalike/confusables.txt', 'dist/web/index.html', 'npm-shrinkwrap.json', 'package.json']) {
      assert.ok(files.includes(f), `the tarball holds ${f}`);
    }
    assert.deepEqual(files.filter((f) => /^(src|test|bench|scripts)\//.test(f) || f.endsWith('.ts') || f.startsWith('dist/.')), []);
    assert.ok(!existsSync(join(ROOT, 'npm-shrinkwrap.json')), 'postpack removed the shrinkwrap from the working tree');
  });

  it('runs --help from another folder', () => {
    const elsewhere = join(dir.dir, 'elsewhere');
    mkdirSync(elsewhere);
    const help = run(bin, ['--help'], { cwd: elsewhere, env });
    assert.match(help, /^Usage: censorscope \[options\] \[command\]/);
    assert.match(help, /^ {2}import \[options\] <files\.\.\.> /m);
    assert.match(run(bin, ['stats', '--help'], { cwd: elsewhere, env }), /Usage: censorscope stats \[options\]/);
  });

  it('imports a generated file into a store in the working folder and counts it', () => {
    const work = join(dir.dir, 'work');
    mkdirSync(work);
    const rows = Array.from({ length: 25 }, (_, i) => [String(i + 1), '', `user${i % 4}`, '', '', '0', `微博 ${i}`, '', '2012-01-03 02:02:27', i % 5 === 0 ? '2012-01-04 00:00:00' : '', i % 10 === 0 ? 'True' : 'False']);
    const file = dir.file('posts.csv', csv([WEIBOSCOPE_COLUMNS, ...rows]));
    const imported = JSON.parse(run(bin, ['import', '--format', 'weiboscope', '--json', '--quiet', file], { cwd: work, env }));
    assert.deepEqual(imported, { imported: 25, duplicates: 0, quarantined: 0, rows: 25, conflicts: 0 });
    assert.ok(readdirSync(work).includes('censorscope.db'), 'the default store is ./censorscope.db in the working folder');
    const stats = JSON.parse(run(bin, ['stats', '--json'], { cwd: work, env }));
    assert.equal(stats.posts, 25);
    assert.equal(stats.accounts, 4);
    assert.equal(stats.byStatus.removed_by_platform, 3);
  });
});
