/**
 * Killed jobs (issue 13): an import whose process is SIGKILLed must not stay `running` forever,
 * and a watcher killed the same way must not block a new one for 30 s, while a live one still
 * does. Real child processes, killed with SIGKILL, on both backends.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { backends, type TestStore } from '../helpers/stores.ts';
import { tempDir } from '../helpers/files.ts';
import { addSource } from '../../src/collect/sources/add.ts';
import { runWatch } from '../../src/watch/run.ts';
import type { Store } from '../../src/store/open.ts';

const files = tempDir();

/** A QUT CSV big enough that importing it takes seconds. */
function bigCsv(name: string, rows: number): string {
  const lines = ['message_id,user_id,username,repost_id,reply_id,message,timestamp,urls'];
  for (let i = 0; i < rows; i++) lines.push(`${i},u${i % 997},name${i % 997},,,post number ${i} with some words to make it longer,${1_600_000_000 + i},`);
  return files.file(name, lines.join('\n') + '\n');
}

function cli(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['bin/censorscope.js', ...args], { env: { ...process.env, DATABASE_URL: '', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function killHard(child: ChildProcess): Promise<void> {
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

for (const b of backends()) {
  describe(`a SIGKILLed import [${b.label}]`, () => {
    it('is marked interrupted by the next process that opens the store, and running it again finishes it', async () => {
      const ts: TestStore = await b.open();
      try {
        const file = bigCsv(`big-${b.label}.csv`, 60_000);
        const child = cli(['import', '--format', 'qut', '--source', 'killed', file], ts.env);
        const run = await until('the import to start', async () => {
          const r = await ts.store.db.selectFrom('imports').selectAll().where('file', '=', file).executeTakeFirst();
          return r?.state === 'running' ? r : undefined;
        });
        assert.equal(Number(run.owner_pid), child.pid, 'the row names the importing process');
        await killHard(child);
        const still = await ts.store.db.selectFrom('imports').select('state').where('id', '=', run.id).executeTakeFirstOrThrow();
        assert.equal(still.state, 'running', 'nothing has looked yet');

        const later: Store = await ts.reopen();
        try {
          const after = await later.db.selectFrom('imports').select(['state', 'finished_at']).where('id', '=', run.id).executeTakeFirstOrThrow();
          assert.equal(after.state, 'interrupted');
          assert.ok(after.finished_at);
        } finally {
          await later.close();
        }

        const again = cli(['import', '--format', 'qut', '--source', 'killed', '--json', file], ts.env);
        const [code] = await once(again, 'exit');
        assert.equal(code, 0);
        const last = await ts.store.db.selectFrom('imports').select(['state', 'rows', 'imported', 'duplicates']).where('file', '=', file).orderBy('id', 'desc').executeTakeFirstOrThrow();
        assert.equal(last.state, 'done');
        assert.equal(Number(last.rows), 60_000);
        const posts = await ts.store.db.selectFrom('posts').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
        assert.equal(Number(posts.n), 60_000);
      } finally {
        await ts.cleanup();
      }
    });

    it('a running import of a live process is left running', async () => {
      const ts: TestStore = await b.open();
      try {
        const file = bigCsv(`live-${b.label}.csv`, 60_000);
        const child = cli(['import', '--format', 'qut', '--source', 'live', file], ts.env);
        const run = await until('the import to start', async () => {
          const r = await ts.store.db.selectFrom('imports').selectAll().where('file', '=', file).executeTakeFirst();
          return r?.state === 'running' ? r : undefined;
        });
        const other = await ts.reopen();
        const seen = await other.db.selectFrom('imports').select('state').where('id', '=', run.id).executeTakeFirstOrThrow();
        await other.close();
        await killHard(child);
        assert.equal(seen.state, 'running');
      } finally {
        await ts.cleanup();
      }
    });
  });
}

describe('a SIGKILLed watcher (SQLite, one watcher at a time)', () => {
  it('is replaced at once by a new watcher; a live one still refuses a second', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const ts = await backends()[0].open();
    try {
      await addSource(ts.store, { kind: 'feed', url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/feed.xml`, name: 'silent' });
      const holder = async () => (await ts.store.db.selectFrom('settings').select('value').where('key', '=', 'watch.single-owner').executeTakeFirst())?.value;

      const live = cli(['watch', '--quiet'], ts.env);
      await until('the watcher to take the slot', holder);
      await assert.rejects(runWatch(ts.store, { durationMs: 300 }), /Another `censorscope watch` is running/);

      await killHard(live);
      // Immediately: the killed watcher's heartbeat is fresh, but its process is gone.
      const t0 = Date.now();
      await runWatch(ts.store, { durationMs: 300 });
      assert.ok(Date.now() - t0 < 5000);
    } finally {
      silent.closeAllConnections();
      silent.close();
      await ts.cleanup();
    }
  });
});

process.on('exit', () => files.cleanup());
