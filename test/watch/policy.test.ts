/** The revisit policies share one slow-down rule: intervals stretch when due checks run late, and relax when they catch up. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_POLICY, adjustScale, nextInterval, type SchedulePolicy } from '../../src/watch/policy.ts';

const MIN = 60_000;

describe('revisit policy slow-down', () => {
  it('stretches the fixed interval when checks run late and relaxes it back to the interval', () => {
    const fixed: SchedulePolicy = { ...DEFAULT_POLICY, kind: 'fixed', fixedMs: 20 * MIN };
    assert.equal(nextInterval(fixed, 5 * MIN), 20 * MIN);
    for (let i = 0; i < 20; i++) adjustScale(fixed, 15 * MIN);
    assert.ok(fixed.scale! > 2.5 && fixed.scale! < 2.7, String(fixed.scale));
    assert.equal(nextInterval(fixed, 5 * MIN), Math.round(20 * MIN * fixed.scale!));
    adjustScale(fixed, 5 * MIN); // between the thresholds: unchanged
    assert.ok(fixed.scale! > 2.5);
    for (let i = 0; i < 500; i++) adjustScale(fixed, 0);
    assert.equal(fixed.scale, 1);
    assert.equal(nextInterval(fixed, 5 * MIN), 20 * MIN);
  });

  it('judges lateness against each policy\'s shortest interval', () => {
    const adaptive: SchedulePolicy = { ...DEFAULT_POLICY };
    const fixed: SchedulePolicy = { ...DEFAULT_POLICY, kind: 'fixed', fixedMs: 20 * MIN };
    adjustScale(adaptive, 2 * MIN);
    adjustScale(fixed, 2 * MIN);
    assert.equal(adaptive.scale, 1.05, 'two minutes late is late for checks every two minutes');
    assert.equal(fixed.scale, undefined, 'but not for checks every twenty');
    assert.equal(nextInterval(adaptive, 60 * MIN), Math.round(60 * MIN * 0.25 * 1.05));
  });
});
