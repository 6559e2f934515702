/**
 * The real HTTP timeout path: a loopback server that accepts connections and never answers (no
 * status line, no byte). A request gives up at the configured timeout with a sentence saying so,
 * each retry too; and the watcher, whose checks all time out, records transient failures and
 * never a disappearance.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { backends } from '../helpers/stores.ts';
import { tempDir } from '../helpers/files.ts';
import { addSource } from '../../src/collect/sources/add.ts';
import { runWatch } from '../../src/watch/run.ts';
import { runCli } from '../helpers/cli.ts';
import { HttpClient, RequestBudget, TransientError } from '../../src/collect/sources/http.ts';
import { VirtualClock, realClock } from '../../src/watch/clock.ts';

/** Accepts every connection, reads what it is sent, and never writes a byte. */
async function silentServer(): Promise<{ origin: string; connections: () => number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createTcpServer((s) => {
    connections++;
    sockets.add(s);
    s.on('data', () => undefined);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => connections,
    close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}

describe('a server that accepts and never answers', () => {
  it('each attempt times out at the configured timeout, with a sentence, then the request fails as transient', async () => {
    const silent = await silentServer();
    try {
      const http = new HttpClient({
        budget: new RequestBudget(1000, realClock), clock: realClock, attempts: 2, backoffMs: 10, timeoutMs: 400, policy: { allowPrivate: true },
      });
      const started = performance.now();
      const err = await http.get(`${silent.origin}/status/1`).then(() => null, (e: unknown) => e);
      const elapsed = performance.now() - started;
      assert.ok(err instanceof TransientError, `a TransientError, got ${String(err)}`);
      assert.equal(err.code, 'timeout');
      assert.equal(err.httpStatus, null);
      assert.match(err.message, new RegExp(`${silent.origin}/status/1 did not answer within 400 ms`));
      assert.equal(silent.connections(), 2, 'one connection per attempt');
      // Two attempts of 400 ms and a 10 ms backoff; well under the 10 s default, never early.
      assert.ok(elapsed >= 2 * 400 - 20, `gave up after ${elapsed.toFixed(0)} ms, before two 400 ms timeouts`);
      assert.ok(elapsed < 2 * 400 + 2500, `took ${elapsed.toFixed(0)} ms for two 400 ms timeouts`);
    } finally {
      await silent.close();
    }
  });
});

for (const b of backends()) {
  describe(`watcher checks that time out [${b.label}]`, () => {
    it('records transient timeouts with their sentence, and no disappearance', async () => {
      const silent = await silentServer();
      const T0 = Date.UTC(2026, 11, 2, 12, 0, 0);
      const clock = new VirtualClock(T0);
      // The list answers; every post's check goes to the silent server.
      const api = createServer((req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ items: [{ id: 'p1', text: 'hello', at: new Date(T0 - 60_000).toISOString() }] }));
      });
      await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
      const apiOrigin = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
      const ts = await b.open();
      const files = tempDir();
      try {
        const config = files.file('api.json', JSON.stringify({
          list: { url: `${apiOrigin}/list`, itemsPath: 'items', fields: { id: 'id', text: 'text', time: 'at' } },
          // Any answer at all would be a removal: only the timeout keeps the post visible.
          check: { url: `${silent.origin}/check/{id}`, rules: [{ status: [200, 404, 410], outcome: 'deleted_by_author' }] },
        }));
        const src = await addSource(ts.store, { kind: 'http-json', configFile: config, name: 'silent-checks', timeoutMs: 300 });
        const started = performance.now();
        await runWatch(ts.store, { clock, durationMs: 15 * 60_000, sourceIds: [Number(src.id)] });
        const elapsed = performance.now() - started;

        const obs = await ts.store.db.selectFrom('observations').select(['outcome', 'error_code', 'http_status', 'detail']).execute();
        assert.ok(obs.length >= 2, `the post was checked more than once (${obs.length})`);
        for (const o of obs) {
          assert.equal(o.outcome, 'transient');
          assert.equal(o.error_code, 'timeout');
          assert.equal(o.http_status, null);
          assert.match(JSON.parse(o.detail!).message, /did not answer within 300 ms/);
        }
        // Each check makes four attempts of 300 ms: the source's timeout, not the 10 s default.
        assert.equal(silent.connections(), obs.length * 4);
        assert.ok(elapsed < obs.length * 4 * 300 + 10_000, `the watch took ${elapsed.toFixed(0)} ms`);
        const gone = await ts.store.db.selectFrom('disappearances').selectAll().execute();
        assert.deepEqual(gone, [], 'a timeout is never a disappearance');
        const post = await ts.store.db.selectFrom('posts').select(['status']).where('platform_post_id', '=', 'p1').executeTakeFirstOrThrow();
        assert.equal(post.status, 'visible');
        const sched = await ts.store.db.selectFrom('watch_schedule').select(['pending_kind', 'transient_streak', 'done']).executeTakeFirstOrThrow();
        assert.equal(sched.pending_kind, null);
        assert.equal(Number(sched.transient_streak), obs.length);
        assert.equal(Number(sched.done), 0, 'still watched');
      } finally {
        await silent.close();
        await new Promise<void>((r) => { api.closeAllConnections(); api.close(() => r()); });
        await ts.cleanup();
        files.cleanup();
      }
    });
  });
}

describe('source add --timeout', () => {
  it('stores the timeout a source is watched with, and refuses one that is not a number of milliseconds', async () => {
    const [b] = backends();
    const ts = await b!.open();
    const files = tempDir();
    try {
      const config = files.file('api.json', JSON.stringify({
        list: { url: 'http://127.0.0.1:9/list', fields: { id: 'id', text: 'text' } }, check: { url: 'http://127.0.0.1:9/c/{id}', rules: [{ status: 404, outcome: 'deleted_by_author' }] },
      }));
      const bad = runCli(['source', 'add', 'http-json', '--config', config, '--timeout', 'soon'], ts.env);
      assert.equal(bad.status, 1);
      assert.match(bad.stderr, /The request timeout must be a whole number of milliseconds/);
      const ok = runCli(['source', 'add', 'http-json', '--config', config, '--timeout', '2500', '--json'], ts.env);
      assert.equal(ok.status, 0, ok.stderr);
      assert.equal(JSON.parse(ok.stdout).config.timeoutMs, 2500);
    } finally {
      await ts.cleanup();
      files.cleanup();
    }
  });
});
