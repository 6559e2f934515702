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
import { startDemo } from '../../src/serve/demo.ts';

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
      // Website blocking shows too: generated measurements, every one marked as simulated.
      const blocking = (await (await fetch(`${url}/api/blocking/overview`)).json()) as { measurements: number; simulated: number; sites: number };
      assert.ok(blocking.measurements > 100 && blocking.sites >= 6, JSON.stringify(blocking));
      assert.equal(blocking.simulated, blocking.measurements);
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

describe('the demo\'s campaigns against the simulator\'s planted ones', () => {
  it('detects the planted campaigns at the coordination detector\'s default thresholds', { timeout: 300_000 }, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'censorscope-demo-truth-'));
    const lines: string[] = [];
    const demo = await startDemo({ file: join(dir, 'demo.db'), port: 0, speed: 600, seed: 3, detectEveryMs: 8000, log: (l) => lines.push(l) });
    try {
      // Ninety seconds at 600× is fifteen simulated hours: a dozen or so campaigns. Stopping the
      // watcher and running the detector took 27 s more on a quiet machine and over a minute under
      // CI's load, hence the test's generous timeout (it judges campaigns, not speed).
      await new Promise((r) => setTimeout(r, 90_000));
      await demo.services.stopWatch();
      const result = await demo.services.runDetector('coordination');
      const detected = (await demo.store.db.selectFrom('findings').select('evidence').where('kind', '=', 'campaign').execute())
        .map((r) => new Set((JSON.parse(r.evidence) as { accounts: string[] }).accounts));
      assert.equal(detected.length, result.campaigns);
      // The planted truth: each campaign's dedicated accounts, known by its link; scored are those
      // whose every post the watcher had stored before the run.
      const stored = new Set((await demo.store.db.selectFrom('posts').select('platform_post_id').execute()).map((p) => p.platform_post_id));
      const planted = new Map<string, { accounts: Set<string>; posts: string[] }>();
      for (const p of demo.sim.scenario.posts) {
        if (!p.account.campaign || !p.urls[0]) continue;
        const c = planted.get(p.urls[0]) ?? { accounts: new Set(), posts: [] };
        c.accounts.add(p.account.id);
        c.posts.push(p.id);
        planted.set(p.urls[0], c);
      }
      const complete = [...planted.values()].filter((c) => c.posts.every((id) => stored.has(id))).map((c) => c.accounts);
      const jaccard = (a: Set<string>, b: Set<string>) => [...a].filter((x) => b.has(x)).length / new Set([...a, ...b]).size;
      const everyPlanted = [...planted.values()].map((c) => c.accounts);
      // A detected campaign is right when its accounts are a planted campaign's: one caught mid-burst
      // at the end of the run holds only the accounts that had posted yet, so containment, not Jaccard.
      const within = (d: Set<string>, p: Set<string>) => [...d].filter((x) => p.has(x)).length / d.size;
      const right = detected.filter((d) => everyPlanted.some((p) => within(d, p) >= 0.8)).length;
      const found = complete.filter((p) => detected.some((d) => jaccard(d, p) >= 0.8)).length;
      const msg = `detected ${detected.length} (${right} right), planted and stored ${complete.length} (${found} found); demo log:\n${lines.join('\n')}`;
      t.diagnostic(`detected ${detected.length} (${right} planted), planted and stored ${complete.length} (${found} found)`);
      assert.ok(complete.length >= 5, msg);
      // Planted campaigns are dedicated accounts posting one text and link twice; organic
      // accounts never do, so every detected campaign must be a planted one (precision 1), and
      // at most one stored campaign may be missed or split (its second burst at the edge of the
      // run, or two bursts an hour apart merged through their shared hashtag).
      assert.equal(right, detected.length, msg);
      assert.ok(found >= complete.length - 1, msg);
    } finally {
      await demo.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
