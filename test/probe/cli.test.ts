/** The `probe`, `th` and `import --format ooni` commands as a user runs them (loopback only). */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { openStore } from '../../src/store/open.ts';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { closedPort } from '../helpers/closed-port.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/censorscope.js');
/** Runs the CLI without blocking this process (the site and helper below live in it). */
function run(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const c = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, DATABASE_URL: '' } });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d: Buffer) => (stdout += d));
    c.stderr.on('data', (d: Buffer) => (stderr += d));
    c.on('close', (status) => res({ status, stdout, stderr }));
  });
}

describe('probe / th / import --format ooni commands', () => {
  let dir: string;
  let site: http.Server;
  let siteUrl = '';
  let th: ReturnType<typeof spawn>;
  let thUrl = '';
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'censorscope-probe-cli-'));
    site = http.createServer((_q, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<title>cli</title>' + 'b'.repeat(2000));
    });
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', () => r()));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
    th = spawn(process.execPath, [BIN, 'th', '--port', '0', '--timeout', '2000', '--allow-private'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    thUrl = await new Promise<string>((res, rej) => {
      let out = '';
      th.stdout!.on('data', (d: Buffer) => {
        out += d;
        const m = /listening on (\S+)/.exec(out);
        if (m) res(m[1]);
      });
      th.once('exit', (c) => rej(new Error(`th exited ${c}`)));
    });
  });
  after(async () => {
    th.kill('SIGTERM');
    await new Promise<void>((r) => site.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('probe --input --th --out --json measures, prints one JSON document, and stores', async () => {
    const out = join(dir, 'm.jsonl');
    const r = await run(['--db', join(dir, 'a.db'), 'probe', '--input', siteUrl, '--th', thUrl, '--out', out, '--json', '--timeout', '2000']);
    assert.equal(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.measured, 1);
    assert.equal(doc.results[0].verdict, 'reachable');
    const line = JSON.parse(readFileSync(out, 'utf8').trim());
    assert.equal(line.test_name, 'web_connectivity');

    const imp = await run(['--db', join(dir, 'b.db'), 'import', '--format', 'ooni', '--json', '--quiet', out]);
    assert.equal(imp.status, 0, imp.stderr);
    assert.equal(JSON.parse(imp.stdout).imported, 1);
  });

  it('probe --list CSV --every keeps tracking until interrupted, one availability row per site per round', async () => {
    const list = join(dir, 'list.csv');
    writeFileSync(list, `url,category_code,category_description,date_added,source,notes\n${siteUrl},NEWS,News Media,2024-01-01,test,\n`);
    const db = join(dir, 'track.db');
    const child = spawn(process.execPath, [BIN, '--db', db, 'probe', '--list', list, '--every', '1s', '--th', thUrl, '--timeout', '2000', '--dns-wait', '100'], { cwd: ROOT, env: { ...process.env, DATABASE_URL: '' } });
    let stderr = '';
    await new Promise<void>((res) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d;
        if ((stderr.match(/^round \d+/gm) ?? []).length >= 2) res();
      });
    });
    child.kill('SIGINT');
    const code = await new Promise<number | null>((res) => child.on('close', res));
    assert.equal(code, 0, stderr);
    const store = await openStore({ db });
    try {
      const rows = await store.db.selectFrom('site_availability').selectAll().execute();
      assert.ok(rows.length >= 2, `expected at least two checks, got ${rows.length}`);
      assert.ok(rows.every((r) => r.state === 'reachable' && r.category_code === 'NEWS' && r.list_name === list));
    } finally {
      await store.close();
    }
  });

  it('probe --th with nothing listening says the control failed, warns, and exits non-zero (issue 12)', async () => {
    const deadTh = `http://127.0.0.1:${await closedPort()}/`;
    const r = await run(['probe', '--no-store', '--input', siteUrl, '--th', deadTh, '--timeout', '2000', '--dns-wait', '100']);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /^unknown .*\(no control: connection_refused\)/m);
    assert.match(r.stderr, new RegExp(`no control for ${siteUrl.replace(/[.]/g, '\\.')}: the test helper at .* failed \\(connection_refused\\)`));
    assert.match(r.stderr, /Every control measurement failed \(1 of 1\)/);
    const j = await run(['probe', '--no-store', '--json', '--input', siteUrl, '--th', deadTh, '--timeout', '2000', '--dns-wait', '100']);
    assert.equal(j.status, 1, j.stderr);
    assert.equal(JSON.parse(j.stdout).results[0].control_failure, 'connection_refused');
  });

  it('rejects bad input with a sentence, not a stack', async () => {
    const r = await run(['probe', '--input', 'ftp://x/', '--no-store']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /is not an http\(s\) URL/);
    const r2 = await run(['probe', '--no-store']);
    assert.match(r2.stderr, /Give --input URL or --list FILE/);
    const r3 = await run(['probe', '--input', siteUrl, '--every', '1h', '--no-store']);
    assert.match(r3.stderr, /--every tracks a list/);
  });
});
