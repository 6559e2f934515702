/**
 * `censorscope evidence post|campaign ID --out FILE` and `censorscope evidence verify FILE` as a
 * user runs them, on both store backends: the bundle written, its hash printed, a post named by
 * store id or SOURCE:PLATFORM_POST_ID, unknown ids refused with a sentence, and verify passing a
 * good bundle and failing a tampered one with the file named.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { strFromU8, unzipSync, zipSync, strToU8 } from 'fflate';
import { backends, type TestStore } from '../helpers/stores.ts';
import { runCli } from '../helpers/cli.ts';
import { seedEvidence, SOURCE, type EvidenceFixture } from '../report/evidence-fixture.ts';

for (const b of backends()) {
  describe(`evidence on the command line [${b.label}]`, () => {
    let t: TestStore;
    let fx: EvidenceFixture;
    let dir: string;
    before(async () => {
      t = await b.open();
      fx = await seedEvidence(t.store);
      dir = mkdtempSync(join(tmpdir(), 'evidence-cli-'));
    });
    after(async () => {
      await t?.cleanup();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('writes a post bundle by store id or SOURCE:PLATFORM_POST_ID, the same bytes, and prints its hash', () => {
      const a = join(dir, 'a.zip');
      const r = runCli(['evidence', 'post', String(fx.postId), '--out', a], t.env);
      assert.equal(r.status, 0, r.stderr);
      const hash = createHash('sha256').update(readFileSync(a)).digest('hex');
      assert.match(r.stderr, new RegExp(`^Wrote the evidence bundle for post ${fx.postId} to .*a\\.zip \\(8 files, \\d+ bytes, accounts pseudonymised\\)\\.\\nSHA-256 ${hash}; check it with: censorscope evidence verify `));
      // By SOURCE:PLATFORM_POST_ID, accounts revealed: the manifest names the same post and says so.
      const rz = join(dir, 'r.zip');
      const j = runCli(['evidence', 'post', `${SOURCE}:${fx.platformPostId}`, '--out', rz, '--reveal-accounts', '--json'], t.env);
      assert.equal(j.status, 0, j.stderr);
      const out = JSON.parse(j.stdout) as { out: string; sha256: string; accounts: string; files: Array<{ file: string }> };
      assert.equal(out.accounts, 'revealed');
      assert.equal(out.sha256, createHash('sha256').update(readFileSync(rz)).digest('hex'));
      assert.ok(out.files.some((f) => f.file === 'report.html'));
      const manifest = JSON.parse(strFromU8(unzipSync(readFileSync(rz))['manifest.json']!)) as { subject: { post_id: number }; accounts: string };
      assert.deepEqual([manifest.subject.post_id, manifest.accounts], [fx.postId, 'revealed']);
      assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.partial-')), [], 'no temporary file left behind');
    });

    it('names the bundle after its subject when --out is left out', () => {
      const r = spawnSync(process.execPath, [resolve('bin/censorscope.js'), 'evidence', 'campaign', fx.campaignKey], { cwd: dir, env: { ...process.env, ...t.env }, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.ok(existsSync(join(dir, `censorscope-evidence-campaign-${fx.campaignKey}.zip`)), r.stderr);
    });

    it('refuses unknown posts and campaigns with a sentence, writing nothing', () => {
      const out = join(dir, 'never.zip');
      // Each sentence is checked in-process (resolvePostId); here, that the command exits 1 with it.
      const cases: Array<[string[], RegExp]> = [
        [['evidence', 'post', '99999999'], /^censorscope: No post 99999999 in this store; give its store id \(the number in the dashboard's \/posts\/ID address\) or SOURCE:PLATFORM_POST_ID/],
        [['evidence', 'campaign', 'cmp-missing'], new RegExp(`^censorscope: No campaign "cmp-missing" in this store; campaign ids look like ${fx.campaignKey}`)],
      ];
      for (const [args, message] of cases) {
        const r = runCli([...args, '--out', out], t.env);
        assert.equal(r.status, 1, args.join(' '));
        assert.match(r.stderr, message);
        assert.equal(r.stdout, '');
      }
      assert.equal(existsSync(out), false);
    });

    it('verify passes a good bundle and fails a tampered one, naming the file', () => {
      const good = join(dir, 'a.zip'); // written by the first test
      const ok = runCli(['evidence', 'verify', good], t.env);
      assert.equal(ok.status, 0, ok.stderr);
      assert.match(ok.stdout, /^OK: all 7 files that MANIFEST\.sha256 lists in .*a\.zip match it and manifest\.json \(post .*accounts pseudonymised, data as of 2024-05-06T/);
      const files = unzipSync(readFileSync(good));
      const bad = join(dir, 'bad.zip');
      writeFileSync(bad, zipSync({ ...files, 'observations.jsonl': strToU8('{"id":1,"outcome":"visible"}\n') }));
      const r = runCli(['evidence', 'verify', bad], t.env);
      assert.equal(r.status, 1);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /censorscope: observations\.jsonl has SHA-256 [0-9a-f]{64} but MANIFEST\.sha256 says [0-9a-f]{64}: the file was changed after the bundle was made\./);
      assert.match(r.stderr, /bad\.zip does NOT verify \(2 problems\)\./);
      const missing = runCli(['evidence', 'verify', join(dir, 'no-such.zip')], t.env);
      assert.equal(missing.status, 1);
      assert.match(missing.stderr, /^censorscope: Cannot read .*no-such\.zip: ENOENT/);
    });
  });
}
