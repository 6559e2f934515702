/**
 * The command table (src/cli/commands/index.ts) against what the command modules register: the
 * top-level help is printed from the table without loading any module, so a command missing from
 * it, or listed with the wrong arguments, would be hidden or misdescribed. Also checks that a run
 * loads only its command's module, through the real compiled CLI.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Help, type Command } from 'commander';
import { COMMANDS } from '../../src/cli/commands/index.ts';
import { baseProgram, buildProgram, eagerProgram, requestedCommand } from '../../src/cli/program.ts';
import { runCli } from '../helpers/cli.ts';

const COMMANDS_DIR = 'src/cli/commands';

/** Every command below `cmd` (itself included) with its path of names, e.g. ['export', 'posts']. */
function walk(cmd: Command, path: string[] = []): Array<{ path: string[]; cmd: Command }> {
  return [{ path, cmd }, ...cmd.commands.flatMap((c) => walk(c, [...path, c.name()]))];
}

describe('the command table', () => {
  it('lists each command module with the name and arguments the module registers', async () => {
    const help = new Help();
    for (const entry of COMMANDS) {
      const program = baseProgram();
      (await entry.load())(program);
      assert.deepEqual(program.commands.map((c) => c.name()), [entry.name], `${entry.name}'s module registers exactly the command "${entry.name}"`);
      assert.equal(`${entry.name} ${entry.usage}`.trim(), help.subcommandTerm(program.commands[0]!), `usage of ${entry.name} in the table`);
      assert.ok(entry.summary.length > 0 && !entry.summary.includes('\n'), `${entry.name} has a one-line summary`);
    }
    assert.equal(new Set(COMMANDS.map((c) => c.name)).size, COMMANDS.length, 'no command listed twice');
  });

  it('reaches every module in src/cli/commands (a new command module cannot be left out)', () => {
    // The table loads its modules; they import their sub-command modules (probe.ts imports probe-analyse.ts).
    const imports = (file: string, dynamic: boolean) => [...readFileSync(join(COMMANDS_DIR, file), 'utf8')
      .matchAll(dynamic ? /import\('\.\/([\w-]+\.ts)'\)/g : /from '\.\/([\w-]+\.ts)'/g)].map((m) => m[1]!);
    const reached = new Set<string>();
    const visit = (file: string) => {
      if (reached.has(file)) return;
      reached.add(file);
      for (const f of imports(file, false)) visit(f);
    };
    for (const f of imports('index.ts', true)) visit(f);
    const modules = readdirSync(COMMANDS_DIR).filter((f) => f.endsWith('.ts') && f !== 'index.ts');
    assert.deepEqual(modules.filter((f) => !reached.has(f)), [], 'modules neither in the table nor imported by a command in it');
  });

  it('gives every command and sub-command the same help as the fully loaded program', async () => {
    const eager = await eagerProgram();
    const all = walk(eager).filter((c) => c.path.length > 0);
    assert.ok(all.length > COMMANDS.length, 'sub-commands are walked too');
    for (const { path } of all) {
      const lazy = await buildProgram([...path, '--help']);
      const find = (root: Command) => path.reduce<Command | undefined>((c, name) => c?.commands.find((x) => x.name() === name), root);
      assert.equal(find(lazy)!.helpInformation(), find(eager)!.helpInformation(), `censorscope ${path.join(' ')} --help`);
    }
  });

  it('finds the command to load past global options and their values', () => {
    const name = (args: string[]) => requestedCommand(args)?.name;
    assert.equal(name(['stats', '--json']), 'stats');
    assert.equal(name(['--db', 'stats', 'terms']), 'terms', '--db takes "stats" as its value');
    assert.equal(name(['--db=x.db', '--archive', 'a', 'export', 'posts']), 'export');
    assert.equal(name(['help', 'site']), 'site');
    assert.equal(name(['--help']), undefined);
    assert.equal(name([]), undefined);
    assert.equal(name(['nope']), undefined);
  });
});

describe('the compiled CLI loads only what a run needs', () => {
  const loaded = (args: string[]) => {
    const r = spawnSync(process.execPath, ['--import', './test/cli/fixtures/log-loads.mjs', 'bin/censorscope.js', ...args], {
      encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' }, timeout: 60_000,
    });
    assert.equal(r.status, 0, r.stderr);
    return { stdout: r.stdout, urls: [...r.stderr.matchAll(/^loaded (.+)$/gm)].map((m) => m[1]!) };
  };
  const commandModules = (urls: string[]) => urls.map((u) => /\/dist\/cli\/commands\/([\w-]+)\.js$/.exec(u)?.[1]).filter(Boolean);

  it('--help lists every command of the table without loading a command module or the store', () => {
    const { stdout, urls } = loaded(['--help']);
    assert.ok(urls.some((u) => u.endsWith('/dist/cli/main.js')), 'runs the compiled program');
    assert.ok(!urls.some((u) => u.endsWith('.ts')), 'no TypeScript at run time');
    assert.deepEqual(commandModules(urls), ['index']);
    assert.ok(!urls.some((u) => /node_modules\/(kysely|better-sqlite3|pg|fastify)\/|\/dist\/vendor\//.test(u)), 'no store or server library');
    for (const c of COMMANDS) assert.match(stdout, new RegExp(`^  ${`${c.name} ${c.usage}`.trim().replace(/[[\].]/g, '\\$&')} `, 'm'), `${c.name} listed`);
  });

  it('stats on a new SQLite store loads the stats module and SQLite, not the other commands, PostgreSQL or the server', () => {
    const db = join(tmpdir(), `censorscope-lazy-${process.pid}.db`);
    const { stdout, urls } = loaded(['--db', db, 'stats', '--json']);
    assert.equal(JSON.parse(stdout).posts, 0);
    assert.deepEqual(commandModules(urls).sort(), ['index', 'stats']);
    assert.ok(urls.some((u) => u.includes('/node_modules/better-sqlite3/')));
    // Kysely as one bundled file (scripts/build.mjs), not its 262 modules.
    assert.ok(urls.some((u) => u.endsWith('/dist/vendor/kysely.js')));
    assert.ok(!urls.some((u) => u.includes('/node_modules/kysely/')));
    assert.ok(!urls.some((u) => /node_modules\/(pg|pg-copy-streams|fastify|vite)\//.test(u)), urls.filter((u) => u.includes('node_modules')).join('\n'));
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${db}${suffix}`, { force: true });
  });

  it('an unknown command is an error naming the closest command, with the command list', () => {
    const r = runCli(['stat']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /unknown command 'stat'/);
    assert.match(r.stderr, /Did you mean stats\?/);
    assert.match(r.stderr, /^ {2}coordination \[options\]/m);
  });
});
