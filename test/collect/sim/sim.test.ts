import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSim } from '../../../src/collect/sim/server.ts';
import { Scenario } from '../../../src/collect/sim/scenario.ts';
import { BUILTIN_RULES, drawRemovalDelay, matchRule } from '../../../src/collect/sim/censor.ts';
import { createRng } from '../../../src/util/random.ts';
import { VirtualClock } from '../../../src/watch/clock.ts';

const START = Date.UTC(2026, 0, 5);
const DAY = 86_400_000;

describe('simulated platform', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = new Scenario({ seed: 7, start: START, dataDir: null, postsPerDay: 500 });
    const b = new Scenario({ seed: 7, start: START, dataDir: null, postsPerDay: 500 });
    const c = new Scenario({ seed: 8, start: START, dataDir: null, postsPerDay: 500 });
    for (const s of [a, b, c]) s.ensureUntil(START + 2 * DAY);
    assert.deepEqual(a.truthUntil(START + 2 * DAY), b.truthUntil(START + 2 * DAY));
    assert.deepEqual(a.posts.map((p) => p.text), b.posts.map((p) => p.text));
    assert.notDeepEqual(a.posts.map((p) => p.text).slice(0, 50), c.posts.map((p) => p.text).slice(0, 50));
    const kinds = new Set(a.truthUntil(START + 2 * DAY).map((e) => e.kind));
    assert.deepEqual([...kinds].sort(), ['account_gone', 'deleted_by_author', 'removed_by_platform']);
  });

  it('censors only posts carrying every component of a rule, in any order', () => {
    const rules = [['天安门', '坦克'], ['六四']];
    assert.deepEqual(matchRule(rules, '坦克开进了天安门'), ['天安门', '坦克']);
    assert.equal(matchRule(rules, '天安门很美'), null);
    const s = new Scenario({ seed: 3, start: START, dataDir: null, postsPerDay: 800 });
    s.ensureUntil(START + DAY);
    const removed = s.posts.filter((p) => p.fate?.kind === 'removed_by_platform');
    assert.ok(removed.length > 20);
    for (const p of removed) assert.ok(matchRule(BUILTIN_RULES, p.text), p.text);
    // Coordinated campaigns: groups of accounts sharing one link within a burst.
    const campaign = s.posts.filter((p) => p.account.campaign);
    assert.ok(campaign.length >= 12);
    assert.ok(campaign.some((p) => p.reblogOf));
  });

  it('draws removal delays matching the published figures', () => {
    const rng = createRng(1);
    const d = Array.from({ length: 20000 }, () => drawRemovalDelay(rng) / 60_000);
    const share = (f: (m: number) => boolean) => d.filter(f).length / d.length;
    assert.ok(Math.abs(share((m) => m < 8) - 0.05) < 0.01);
    assert.ok(Math.abs(share((m) => m >= 5 && m <= 30) - 0.30) < 0.02);
    assert.ok(Math.abs(share((m) => m < 1440) - 0.90) < 0.01);
  });

  it('serves the Mastodon API on its clock, with faults, and writes the ground truth', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-'));
    const clock = new VirtualClock(START + 6 * 3_600_000);
    const truthFile = join(dir, 'truth.jsonl');
    const sim = await startSim({ seed: 5, clock, start: START, truthFile, faultRate: 0.5, scenario: { postsPerDay: 2000, dataDir: null } });
    try {
      let faults = 0;
      let ok: Response | null = null;
      for (let i = 0; i < 30; i++) {
        const r = await fetch(`${sim.url}/api/v1/timelines/public?limit=5`);
        if (r.status === 503 || r.status === 429) faults++;
        else ok = r;
        if (r.status === 429) assert.match(r.headers.get('retry-after') ?? '', /^\d+$/);
        if (r.status !== 200) await r.text();
      }
      assert.ok(faults > 5 && ok, `faults=${faults}`);
      assert.equal(ok!.headers.get('x-sim-time'), String(clock.now()));
      const statuses = (await ok!.json()) as Array<{ id: string; created_at: string }>;
      assert.equal(statuses.length, 5);
      for (const s of statuses) assert.ok(Date.parse(s.created_at) <= clock.now());
      const truth = sim.truth();
      assert.ok(truth.length > 10);
      for (const e of truth) assert.ok(Date.parse(e.at) <= clock.now());
      await sim.close();
      const lines = readFileSync(truthFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      assert.deepEqual(lines, truth);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
