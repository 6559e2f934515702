/** `censorscope archive export|verify|stats` end to end, through the real command line, on both backends. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import { backends } from '../helpers/stores.ts';
import { runCli } from '../helpers/cli.ts';
import { openArchive } from '../../src/archive/index.ts';
import { fillArchive, SITE_URL } from './fixture.ts';

for (const backend of backends()) {
  test(`${backend.label}: archive export, verify and stats from the command line`, async () => {
    const ts = await backend.open();
    const dir = mkdtempSync(join(tmpdir(), 'censorscope-archive-cli-'));
    try {
      const archiveDir = join(dir, 'warcs');
      const archive = await openArchive(ts.store, { dir: archiveDir });
      const { postId } = await fillArchive(ts.store, archive);
      await archive.close();
      const env = { DATABASE_URL: '', ...ts.env };
      const out = join(dir, 'site.wacz');

      const e = runCli(['--archive', archiveDir, 'archive', 'export', '--site', SITE_URL, '--out', out], env);
      assert.equal(e.status, 0, e.stderr);
      assert.match(e.stdout, /wrote .*site\.wacz: 8 WARC records, 4 pages, \d+ bytes/);
      assert.match(e.stderr, /archive export: copying 8 WARC records/);
      const v = runCli(['archive', 'verify', out], env);
      assert.equal(v.status, 0, v.stdout + v.stderr);
      assert.equal(v.stdout, `OK ${out}: 3 resources, 4 index lines, 4 pages\n`);

      // The folder from the environment instead of the option.
      const p = runCli(['archive', 'export', '--post', String(postId), '--out', join(dir, 'post.wacz')], { ...env, CENSORSCOPE_ARCHIVE: archiveDir });
      assert.equal(p.status, 0, p.stderr);
      assert.equal(runCli(['archive', 'verify', join(dir, 'post.wacz')], env).status, 0);

      const none = runCli(['--archive', archiveDir, 'archive', 'export', '--out', join(dir, 'x.wacz')], env);
      assert.equal(none.status, 1);
      assert.match(none.stderr, /choose exactly one of --site URL, --post ID or --all/);
      const unknown = runCli(['--archive', archiveDir, 'archive', 'export', '--site', 'http://nowhere.test/', '--out', join(dir, 'x.wacz')], env);
      assert.equal(unknown.status, 1);
      assert.match(unknown.stderr, /no tracked site has the URL http:\/\/nowhere\.test\//);
      const badPost = runCli(['--archive', archiveDir, 'archive', 'export', '--post', 'abc', '--out', join(dir, 'x.wacz')], env);
      assert.match(badPost.stderr, /--post takes a post ID/);
      assert.equal(existsSync(join(dir, 'x.wacz')), false);
      const wrongDir = runCli(['--archive', join(dir, 'elsewhere'), 'archive', 'export', '--all', '--out', join(dir, 'x.wacz')], env);
      assert.equal(wrongDir.status, 1);
      assert.match(wrongDir.stderr, /cannot be read from .*elsewhere.*is --archive pointing at the right folder/);

      // A tampered package: the problems, and exit status 1.
      const entries = unzipSync(readFileSync(out));
      entries['pages/pages.jsonl'] = Buffer.from(Buffer.from(entries['pages/pages.jsonl']!).toString().replace('"url":"http://news.example.test/"', '"url":"http://evil.example.test/"'));
      writeFileSync(join(dir, 'bad.wacz'), zipSync(entries, { level: 0 }));
      const bad = runCli(['archive', 'verify', join(dir, 'bad.wacz')], env);
      assert.equal(bad.status, 1);
      assert.match(bad.stdout, /pages\/pages\.jsonl has hash sha256:[0-9a-f]{64}, datapackage\.json says sha256:[0-9a-f]{64}\./);
      assert.match(bad.stdout, /pages\/pages\.jsonl line 2: http:\/\/evil\.example\.test\/ is not in the index\./);
      assert.match(bad.stderr, /bad\.wacz is not valid: 2 problem\(s\)\./);

      const s = runCli(['--archive', archiveDir, 'archive', 'stats', '--json'], env);
      assert.equal(s.status, 0, s.stderr);
      const stats = JSON.parse(s.stdout) as { files: number; records: Record<string, number>; dedupRatio: number };
      assert.deepEqual(stats.records, { response: 4, revisit: 2, request: 6 });
      assert.equal(stats.files, 1);
      assert.equal(stats.dedupRatio, 0.333);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await ts.cleanup();
    }
  });
}
