/**
 * Three real `censorscope watch` processes on one PostgreSQL store (issue 16): together they stay
 * within each source's budget, counted at the simulated servers, and no post is checked twice.
 * Budgets are small, so each source's budget binds within the run whatever the machine's load.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { backends } from '../helpers/stores.ts';
import { startSim, type SimHandle } from '../../src/collect/sim/server.ts';
import { addSource } from '../../src/collect/sources/add.ts';
import { ingestPosts } from '../../src/watch/ingest.ts';
import { DEFAULT_POLICY } from '../../src/watch/policy.ts';
import { livePost } from '../../src/collect/sources/source.ts';
import { realClock } from '../../src/watch/clock.ts';
import { maxInWindow } from './window.ts';

const DAY = 86_400_000;
const BUDGET = 6;

/** Runs `censorscope watch` in a child process; resolves with its exit code and stderr. */
async function watchProcess(env: Record<string, string>, args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['bin/censorscope.js', 'watch', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  const [code] = await once(child, 'exit');
  return { code, stderr };
}

for (const b of backends().filter((x) => x.label === 'postgres')) {
  describe(`several watcher processes on one store [${b.label}]`, () => {
    it('three processes together stay within each source\'s budget and check no post twice', async () => {
      const ts = await b.open();
      const sims: SimHandle[] = [];
      try {
        const now = Date.now();
        for (let i = 0; i < 3; i++) {
          const sim = await startSim({ seed: 30 + i, clock: realClock, start: now - DAY, faultRate: 0, slowRate: 0, outages: null, latencyMs: 50, scenario: { dataDir: null } });
          sims.push(sim);
          sim.scenario.ensureUntil(now);
          const src = await addSource(ts.store, { kind: 'mastodon', url: sim.url, public: true, name: `sim-${i}`, budgetPerMinute: BUDGET, listEveryMs: 3_600_000 });
          const posts = sim.scenario.posts.filter((p) => p.created < now - 60_000 && !p.fate).slice(-20)
            .map((p) => livePost({ platformPostId: p.id, text: p.text, accountId: p.account.id, createdAt: p.created }));
          await ingestPosts(ts.store, Number(src.id), posts, now - 60_000, DEFAULT_POLICY);
          // Listed already: a listing brings one page of new posts.
          await ts.store.db.updateTable('sources').set({ cursor: posts[posts.length - 1].platformPostId }).where('id', '=', src.id).execute();
        }
        await ts.store.db.updateTable('watch_schedule').set({ next_check_at: 0 }).execute();
        const runs = await Promise.all([1, 2, 3].map(() => watchProcess(ts.env, ['--for', '6s', '--concurrency', '4', '--per-host', '2', '--without-archive'])));
        for (const r of runs) assert.equal(r.code, 0, r.stderr);
        for (const [i, sim] of sims.entries()) {
          const got = sim.requests();
          assert.ok(got.length >= BUDGET, `source ${i}: ${got.length} requests; the budget of ${BUDGET} should bind`);
          assert.ok(maxInWindow(got) <= BUDGET, `source ${i}: ${maxInWindow(got)} requests in one 60 s window, budget ${BUDGET} shared by three processes`);
        }
        const obs = await ts.store.db.selectFrom('observations').select('post_id').execute();
        assert.ok(obs.length > 0, 'checks were made');
        assert.equal(new Set(obs.map((o) => Number(o.post_id))).size, obs.length, 'a post was checked twice');
      } finally {
        for (const s of sims) await s.close();
        await ts.cleanup();
      }
    });
  });
}
