/**
 * A server that never answers, or trickles a byte a second, must not keep the watcher past its
 * end (issue 13: `watch --for 25s` once ran 61 s): the stop and the end of the duration abort
 * fetches in flight, retries and their backoff. Through runWatch on both backends, and once
 * through the command line.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { spawn } from 'node:child_process';
import { backends } from '../helpers/stores.ts';
import { addSource } from '../../src/collect/sources/add.ts';
import { runWatch } from '../../src/watch/run.ts';

/** Never answers: silence, or headers then one byte a second. */
async function stallingServer(mode: 'silent' | 'trickle'): Promise<{ server: Server; url: string; requests: () => number; firstAt: () => number; close(): void }> {
  let n = 0;
  let first = 0;
  const open: ServerResponse[] = [];
  const timers: NodeJS.Timeout[] = [];
  const server = createServer((req, res) => {
    if (n++ === 0) first = Date.now();
    open.push(res);
    if (mode === 'trickle') {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      timers.push(setInterval(() => res.write(' '), 1000));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/feed.xml`;
  return {
    server, url, requests: () => n, firstAt: () => first,
    close() {
      for (const t of timers) clearInterval(t);
      server.closeAllConnections();
      server.close();
    },
  };
}

for (const b of backends()) {
  describe(`watch stops on time against a stalling server [${b.label}]`, () => {
    for (const mode of ['silent', 'trickle'] as const) {
      it(`a ${mode} server: runWatch with a 3 s duration ends on time`, async () => {
        const s = await stallingServer(mode);
        const ts = await b.open();
        try {
          const src = await addSource(ts.store, { kind: 'feed', url: s.url, name: `stall-${mode}` });
          const t0 = Date.now();
          await runWatch(ts.store, { durationMs: 3000, sourceIds: [Number(src.id)] });
          const took = Date.now() - t0;
          assert.ok(s.requests() >= 1, 'the watcher was waiting on the server');
          assert.ok(took >= 2900 && took < 5000, `runWatch took ${took} ms for a 3 s duration`);
        } finally {
          s.close();
          await ts.cleanup();
        }
      });
    }

    it('an abort signal ends a fetch in flight at once', async () => {
      const s = await stallingServer('silent');
      const ts = await b.open();
      try {
        const src = await addSource(ts.store, { kind: 'feed', url: s.url, name: 'stall-abort' });
        const ac = new AbortController();
        setTimeout(() => ac.abort(), 1000);
        const t0 = Date.now();
        await runWatch(ts.store, { signal: ac.signal, sourceIds: [Number(src.id)] });
        assert.ok(Date.now() - t0 < 2000, `runWatch took ${Date.now() - t0} ms after an abort at 1 s`);
      } finally {
        s.close();
        await ts.cleanup();
      }
    });
  });
}

describe('watch --for through the command line', () => {
  it('`watch --for 3s` against a silent server exits on time', async () => {
    const s = await stallingServer('silent');
    const ts = await backends()[0].open();
    try {
      await addSource(ts.store, { kind: 'feed', url: s.url, name: 'stall-cli' });
      await ts.store.close();
      // Timed from the watcher's first request (its first listing, made as the watch starts), so
      // the CLI's own start-up, slow on a loaded machine, is not counted.
      const r = await new Promise<{ status: number | null; at: number; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['bin/censorscope.js', 'watch', '--for', '3s', '--quiet'], { env: { ...process.env, ...ts.env, DATABASE_URL: '' }, stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (c) => (stderr += c));
        child.on('exit', (status) => resolve({ status, at: Date.now(), stderr }));
      });
      assert.equal(r.status, 0, r.stderr);
      assert.ok(s.requests() >= 1, 'the watcher was waiting on the server');
      const ms = r.at - s.firstAt();
      assert.ok(ms < 6000, `watch --for 3s ran ${ms} ms after its first request to a silent server`);
    } finally {
      s.close();
      await ts.cleanup();
    }
  });
});
