/**
 * The campaign network's layout (src/serve/web/src/graph-layout.ts): deterministic, inside its
 * box and spread over all of it (so ECharts' fit fills the panel), with linked accounts nearer
 * each other than unlinked ones.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { forceLayout, type LayoutEdge } from '../../src/serve/web/src/graph-layout.ts';

function complete(from: number, to: number): LayoutEdge[] {
  const out: LayoutEdge[] = [];
  for (let i = from; i < to; i++) for (let j = i + 1; j < to; j++) out.push({ source: i, target: j });
  return out;
}

const dist = (a: [number, number], b: [number, number]) => Math.hypot(a[0] - b[0], a[1] - b[1]);

describe('network layout', () => {
  it('is the same every time and spans its whole box', () => {
    for (const [n, aspect] of [[5, 2.5], [30, 1.6], [120, 3]] as const) {
      const edges = complete(0, n);
      const a = forceLayout(n, edges, aspect);
      assert.deepEqual(forceLayout(n, edges, aspect), a);
      const xs = a.map((p) => p[0]);
      const ys = a.map((p) => p[1]);
      assert.ok(Math.abs(Math.min(...xs)) < 1e-9 && Math.abs(Math.max(...xs) - aspect) < 1e-9, `x spans 0..${aspect}`);
      assert.ok(Math.abs(Math.min(...ys)) < 1e-9 && Math.abs(Math.max(...ys) - 1) < 1e-9, 'y spans 0..1');
      // No two accounts drawn on top of each other.
      let closest = Infinity;
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) closest = Math.min(closest, dist(a[i]!, a[j]!));
      assert.ok(closest > 0.25 / Math.sqrt(n), `closest pair ${closest.toFixed(3)} apart (n=${n})`);
    }
  });

  it('draws linked accounts nearer each other than accounts of another cluster', () => {
    const edges = [...complete(0, 6), ...complete(6, 12), { source: 0, target: 6 }];
    const pos = forceLayout(12, edges, 2);
    let inside = 0;
    let across = 0;
    for (let i = 0; i < 12; i++) {
      for (let j = i + 1; j < 12; j++) {
        if ((i < 6) === (j < 6)) inside += dist(pos[i]!, pos[j]!) / 30;
        else across += dist(pos[i]!, pos[j]!) / 36;
      }
    }
    assert.ok(inside * 2 < across, `mean distance inside a cluster ${inside.toFixed(3)}, across ${across.toFixed(3)}`);
  });

  it('places one account in the middle and two apart', () => {
    assert.deepEqual(forceLayout(0, [], 2), []);
    assert.deepEqual(forceLayout(1, [], 2), [[1, 0.5]]);
    const two = forceLayout(2, [{ source: 0, target: 1 }], 2);
    assert.ok(dist(two[0]!, two[1]!) > 1);
  });
});
