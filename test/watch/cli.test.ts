import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { backends } from '../helpers/stores.ts';
import { runCli } from '../helpers/cli.ts';

for (const b of backends()) {
  describe(`source, watch and sim commands [${b.label}]`, () => {
    it('watches a running `censorscope sim` at 1440x and the sim writes its ground truth', async () => {
      const ts = await b.open();
      const dir = mkdtempSync(join(tmpdir(), 'cli-watch-'));
      const truth = join(dir, 'truth.jsonl');
      const sim = spawn(process.execPath, ['bin/censorscope.js', 'sim', '--seed', '3', '--speed', '1440', '--truth', truth], { stdio: ['ignore', 'pipe', 'pipe'] });
      try {
        let out = '';
        sim.stdout.setEncoding('utf8');
        while (!/http:\/\/127\.0\.0\.1:\d+/.test(out)) out += (await once(sim.stdout, 'data'))[0];
        const url = out.match(/http:\/\/127\.0\.0\.1:\d+/)![0];
        assert.equal(runCli(['source', 'add', 'mastodon', '--url', url], ts.env).status, 1, 'needs --public, --hashtag or --account');
        const added = runCli(['source', 'add', 'mastodon', '--url', url, '--public', '--budget', '600', '--json'], ts.env);
        assert.equal(added.status, 0, added.stderr);
        assert.equal(JSON.parse(added.stdout).config.budgetPerMinute, 600);
        const cfg = join(dir, 'bad.json');
        writeFileSync(cfg, '{"list": 1}');
        const bad = runCli(['source', 'add', 'http-json', '--config', cfg], ts.env);
        assert.equal(bad.status, 1);
        assert.match(bad.stderr, /not a valid http-json source config/);
        const list = runCli(['source', 'list', '--json'], ts.env);
        assert.deepEqual(JSON.parse(list.stdout).map((s: { kind: string }) => s.kind), ['mastodon']);
        // Ten real seconds are four simulated hours; CI once saw no disappearance within 4 s under load,
        // where starting the process and the first sync with the simulator take most of them.
        const watch = runCli(['watch', '--for', '10s', '--sim-clock', url], ts.env);
        assert.equal(watch.status, 0, watch.stderr);
        assert.match(watch.stderr, /tracked=\d+ checks\/min=\d+ disappearances:/);
        const store = await ts.reopen();
        const posts = await store.db.selectFrom('posts').select(['platform_post_id', 'status']).execute();
        const gone = await store.db.selectFrom('disappearances').select('kind').execute();
        await store.close();
        assert.ok(posts.length > 20, `${posts.length} posts`);
        // Hours of simulated time: the fastest removals are caught.
        assert.ok(gone.length > 0, `some disappearances recorded (${posts.length} posts; watch said: ${watch.stderr.slice(-600)})`);
      } finally {
        sim.kill('SIGINT');
        await once(sim, 'exit');
        await ts.cleanup();
      }
      const lines = readFileSync(truth, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      assert.ok(lines.length > 0);
      for (const l of lines) {
        assert.deepEqual(Object.keys(l).sort(), ['at', 'id', 'kind']);
        assert.ok(['removed_by_platform', 'deleted_by_author', 'account_gone'].includes(l.kind));
      }
      rmSync(dir, { recursive: true, force: true });
    });
  });
}
