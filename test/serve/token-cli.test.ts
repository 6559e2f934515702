/**
 * `censorscope serve` with a bearer token, through the real command-line process: given with
 * `--token`, given in `CENSORSCOPE_TOKEN`, and absent. Write endpoints (adding a source, starting
 * and stopping the watcher) refuse a request without the token or with a wrong one, and write
 * nothing; with the token they act. Without any token they are disabled.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { backends, type TestStore } from '../helpers/stores.ts';

const TOKEN = 'k3y-9f1c2b7e-long-enough-to-be-real';

interface Served { url: string; child: ChildProcessWithoutNullStreams; stdout: string; stop(): Promise<number | null> }

/** Starts `censorscope serve --port 0` and waits for the line that gives its URL. */
async function startServe(ts: TestStore, args: string[], env: Record<string, string> = {}): Promise<Served> {
  const childEnv: Record<string, string | undefined> = { ...process.env, ...ts.env, ...env };
  if (!('CENSORSCOPE_TOKEN' in env)) delete childEnv.CENSORSCOPE_TOKEN;
  const child = spawn(process.execPath, ['bin/censorscope.js', 'serve', '--port', '0', '--no-build', ...args], { env: childEnv, stdio: 'pipe' });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => { err += d; });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no URL within 60 s; stderr: ${err}`)), 60_000);
    child.stdout.on('data', (d: string) => {
      out += d;
      const m = /serving (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code} before listening; stderr: ${err}`)));
  });
  return {
    url, child, get stdout() { return out; },
    async stop() {
      child.kill('SIGINT');
      const [code] = await once(child, 'exit');
      return code as number | null;
    },
  };
}

async function post(url: string, body: unknown, auth?: string): Promise<{ status: number; json: { error?: { code: string; message: string } } & Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST', body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
  });
  return { status: res.status, json: await res.json() as never };
}

async function sourceNames(url: string): Promise<string[]> {
  const res = await fetch(`${url}/api/sources`);
  assert.equal(res.status, 200);
  return ((await res.json()) as { items: Array<{ name: string }> }).items.map((s) => s.name);
}

/** The refusals and the acceptance, the same whichever way the token was given. */
async function checkAuth(s: Served): Promise<void> {
  const feed = (name: string) => ({ kind: 'feed', url: 'http://127.0.0.1:9/feed.xml', name });
  const none = await post(`${s.url}/api/sources`, feed('no-token'));
  assert.equal(none.status, 401, JSON.stringify(none.json));
  assert.equal(none.json.error?.code, 'unauthorized');
  assert.match(none.json.error!.message, /Authorization: Bearer/);
  const wrong = await post(`${s.url}/api/sources`, feed('wrong-token'), `Bearer ${TOKEN}x`);
  assert.equal(wrong.status, 401);
  assert.match(wrong.json.error!.message, /token is wrong/);
  // A prefix of the right token, another scheme, and an empty bearer are all wrong too.
  for (const auth of [`Bearer ${TOKEN.slice(0, -1)}`, `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`, 'Bearer ']) {
    assert.equal((await post(`${s.url}/api/sources`, feed('other'), auth)).status, 401, auth);
  }
  const stopNone = await post(`${s.url}/api/watch/stop`, {});
  assert.equal(stopNone.status, 401);
  assert.deepEqual(await sourceNames(s.url), [], 'a refused request wrote nothing');

  const ok = await post(`${s.url}/api/sources`, feed('with-token'), `Bearer ${TOKEN}`);
  assert.equal(ok.status, 201, JSON.stringify(ok.json));
  assert.equal((ok.json.source as { name: string }).name, 'with-token');
  assert.deepEqual(await sourceNames(s.url), ['with-token']);
  const stop = await post(`${s.url}/api/watch/stop`, {}, `bearer ${TOKEN}`);
  assert.equal(stop.status, 200, 'the scheme is case-insensitive');
  assert.equal((stop.json.watcher as { running: boolean }).running, false);
}

// The token check does not depend on the store; the first test runs on every backend (a
// refused write must leave each store untouched), the other two once each, the environment's
// token on the last backend and no token on the first, to keep the suite's time down (each starts
// a full server process).
const stores = backends();
for (const [i, b] of stores.entries()) {
  describe(`censorscope serve and its admin token [${b.label}]`, () => {
    it('--token: write endpoints refuse no token and a wrong one, accept the right one', async () => {
      const ts = await b.open();
      const s = await startServe(ts, ['--token', TOKEN]);
      try {
        assert.doesNotMatch(s.stdout, /admin endpoints disabled/);
        await checkAuth(s);
      } finally {
        assert.equal(await s.stop(), 0);
        await ts.cleanup();
      }
    });

    if (i === stores.length - 1) it('CENSORSCOPE_TOKEN: the same, with the token from the environment', async () => {
      const ts = await b.open();
      const s = await startServe(ts, [], { CENSORSCOPE_TOKEN: TOKEN });
      try {
        await checkAuth(s);
      } finally {
        assert.equal(await s.stop(), 0);
        await ts.cleanup();
      }
    });

    if (i === 0) it('without a token the write endpoints are disabled, whatever the request carries', async () => {
      const ts = await b.open();
      const s = await startServe(ts, []);
      try {
        assert.match(s.stdout, /admin endpoints disabled \(no token\)/);
        for (const auth of [undefined, `Bearer ${TOKEN}`, 'Bearer ']) {
          const r = await post(`${s.url}/api/sources`, { kind: 'feed', url: 'http://127.0.0.1:9/f.xml', name: 'x' }, auth);
          assert.equal(r.status, 403, String(auth));
          assert.equal(r.json.error?.code, 'admin_disabled');
          assert.match(r.json.error!.message, /--token or CENSORSCOPE_TOKEN/);
        }
        assert.equal((await post(`${s.url}/api/watch/start`, {}, `Bearer ${TOKEN}`)).status, 403);
        assert.deepEqual(await sourceNames(s.url), []);
      } finally {
        assert.equal(await s.stop(), 0);
        await ts.cleanup();
      }
    });
  });
}
