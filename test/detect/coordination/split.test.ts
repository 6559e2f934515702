/**
 * The split by time range: two real CLI processes run the planned jobs on PostgreSQL and the
 * merge gives the single-process run's campaigns (compared as canonical JSON). On SQLite the
 * split is refused with a sentence saying it is not needed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { backends, type TestStore } from '../../helpers/stores.ts';
import { runCli } from '../../helpers/cli.ts';
import { runCoordination } from '../../../src/detect/coordination/index.ts';
import { mergeSplit, planSplit, runWorker } from '../../../src/detect/coordination/split.ts';
import { canonicalResult } from '../../../src/detect/coordination/canonical.ts';
import { generateSynthetic } from '../../../src/collect/synthetic/generate.ts';
import { loadCorpus } from '../../../src/collect/synthetic/corpus.ts';
import { loadSynthetic } from '../../../src/collect/synthetic/load.ts';

/** Runs the CLI in a child process without blocking this one (so two run at once). */
function cli(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, ['bin/censorscope.js', ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => (stderr += d));
    c.on('error', reject);
    c.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

for (const b of backends()) {
  describe(`coordination split by time range [${b.label}]`, () => {
    let t: TestStore;
    before(async () => {
      t = await b.open();
      const data = generateSynthetic({ posts: 4000, seed: 5, campaigns: 5, spanDays: 2, corpus: loadCorpus(null) });
      await loadSynthetic(t.store, data, { name: 'synthetic' });
    });
    after(async () => t.cleanup());

    if (b.label === 'sqlite') {
      it('says the split is not needed on SQLite', () => {
        const r = runCli(['coordination', '--split-hours', '6'], t.env);
        assert.notEqual(r.status, 0);
        assert.match(r.stderr, /needs PostgreSQL.*not needed/s);
      });
      return;
    }

    it('gives the single-process campaigns with two worker processes', async () => {
      const single = await runCoordination(t.store, { store: false, workers: 0 });
      assert.ok(single.campaigns.length >= 5, `${single.campaigns.length} campaigns`);
      const plan = runCli(['coordination', '--split-hours', '3', '--json'], t.env);
      assert.equal(plan.status, 0, plan.stderr);
      const jobs = (JSON.parse(plan.stdout) as { jobs: number }).jobs;
      assert.ok(jobs >= 10, `${jobs} jobs`);
      const runs = await Promise.all([1, 2].map(() => cli(['coordination', '--worker', '--json'], t.env)));
      for (const r of runs) assert.equal(r.status, 0, r.stderr);
      const counts = runs.map((r) => (JSON.parse(r.stdout) as { jobs: number }).jobs);
      assert.equal(counts[0] + counts[1], jobs, 'every job ran exactly once');
      const merged = runCli(['coordination', '--merge', '--json', '--reveal-accounts'], t.env);
      assert.equal(merged.status, 0, merged.stderr);
      const shown = (JSON.parse(merged.stdout) as { campaigns: Array<{ id: string }> }).campaigns;
      assert.deepEqual(shown.map((c) => c.id), single.campaigns.map((c) => c.id));
      // Everything the merge decides, bit for bit (the store now also holds its findings).
      assert.equal(canonicalResult(await mergeSplit(t.store)), canonicalResult(single));
    });

    it('gives the same campaigns when the merge spills pairs to disk', async () => {
      const single = await runCoordination(t.store, { store: false, workers: 0 });
      await planSplit(t.store, { store: false, workers: 0, spillPairs: 40 }, 5);
      await Promise.all([runWorker(t.store, { worker: 'w1' }), runWorker(t.store, { worker: 'w2' })]);
      const merged = await mergeSplit(t.store);
      assert.ok(merged.stats.pairs > 40);
      assert.equal(canonicalResult(merged), canonicalResult(single));
    });

    it('refuses to merge while jobs are left', async () => {
      const plan = runCli(['coordination', '--split-hours', '12'], t.env);
      assert.equal(plan.status, 0, plan.stderr);
      const r = runCli(['coordination', '--merge'], t.env);
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /not done yet: run `censorscope coordination --worker`/);
    });
  });
}
