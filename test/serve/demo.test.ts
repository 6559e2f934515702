/**
 * The README's first command, as a user runs it: `censorscope demo` on a fresh SQLite file.
 * Disappearances must arrive and a planted campaign must show through the API within the
 * time budget, and SIGINT must stop everything with exit code 0.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PROJECT_ROOT } from '../../src/serve/web-build.ts';

describe('censorscope demo', () => {
  it('shows disappearances and a campaign, then stops cleanly on SIGINT', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'censorscope-demo-'));
    const env = { ...process.env };
    delete env.DATABASE_URL;
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin/censorscope.js'), 'demo', '--store', join(dir, 'demo.db'), '--port', '0', '--speed', '600', '--detect-every', '8'],
      { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => { stderr += String(d); });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const line: string = await new Promise((resolve, reject) => {
        createInterface({ input: child.stdout! }).once('line', resolve);
        void exited.then((code) => reject(new Error(`demo exited early (${code}): ${stderr}`)));
      });
      const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.[1];
      assert.ok(url, `no URL in "${line}"`);
      const page = await fetch(`${url}/campaigns`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<main id="app"/);
      const deadline = Date.now() + 90_000;
      let disappeared = 0;
      let campaigns = 0;
      while (Date.now() < deadline && (disappeared === 0 || campaigns === 0)) {
        await new Promise((r) => setTimeout(r, 2000));
        const s = (await (await fetch(`${url}/api/disappearances`)).json()) as { series: Array<{ count: number }> };
        disappeared = s.series.reduce((n, x) => n + x.count, 0);
        campaigns = ((await (await fetch(`${url}/api/campaigns`)).json()) as { items: unknown[] }).items.length;
      }
      assert.ok(disappeared > 0, `no disappearances arrived; demo log:\n${stderr}`);
      assert.ok(campaigns > 0, `no campaign showed; demo log:\n${stderr}`);
      child.kill('SIGINT');
      const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 15_000))]);
      assert.equal(code, 0, `demo did not stop cleanly: ${stderr}`);
      assert.match(stderr, /Stopped\./);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
