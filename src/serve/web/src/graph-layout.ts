/**
 * Positions for a campaign's account network, computed once and deterministically, then handed
 * to ECharts as fixed coordinates (graph `layout: 'none'`), which ECharts fits to its panel.
 * ECharts' own force layout starts from random positions and sizes the cluster by its edge
 * length in pixels whatever the panel (a small cluster in a large panel); this one lays out in
 * a box of the panel's shape, so the same campaign always looks the same and fills its panel.
 * Fruchterman–Reingold (1991), O(n²) per iteration: the page caps the nodes it draws.
 */

export interface LayoutEdge {
  source: number;
  target: number;
}

/** Node positions in [0, aspect] × [0, 1] (x, y), spread to fill that box. */
export function forceLayout(n: number, edges: LayoutEdge[], aspect: number, iterations = 300): Array<[number, number]> {
  if (n === 0) return [];
  if (n === 1) return [[aspect / 2, 0.5]];
  const w = aspect;
  const hgt = 1;
  const k = Math.sqrt((w * hgt) / n);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  // A sunflower spiral: deterministic, evenly spread, no two nodes on one point.
  for (let i = 0; i < n; i++) {
    const r = 0.45 * Math.sqrt((i + 0.5) / n);
    const a = i * 2.399963229728653;
    x[i] = w / 2 + r * w * Math.cos(a);
    y[i] = hgt / 2 + r * hgt * Math.sin(a);
  }
  const pairs = new Set<string>();
  const links: Array<[number, number]> = [];
  for (const e of edges) {
    if (e.source === e.target) continue;
    const key = e.source < e.target ? `${e.source}:${e.target}` : `${e.target}:${e.source}`;
    if (!pairs.has(key)) {
      pairs.add(key);
      links.push([e.source, e.target]);
    }
  }
  const dx = new Float64Array(n);
  const dy = new Float64Array(n);
  for (let it = 0; it < iterations; it++) {
    const temp = (w / 10) * (1 - it / iterations) + 1e-4;
    dx.fill(0);
    dy.fill(0);
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        let ddx = x[i]! - x[j]!;
        let ddy = y[i]! - y[j]!;
        let d2 = ddx * ddx + ddy * ddy;
        if (d2 < 1e-12) {
          ddx = 1e-6 * (i - j);
          ddy = 1e-6;
          d2 = ddx * ddx + ddy * ddy;
        }
        const f = (k * k) / d2; // repulsion k²/d, along the unit vector (÷ d)
        dx[i]! += ddx * f;
        dy[i]! += ddy * f;
        dx[j]! -= ddx * f;
        dy[j]! -= ddy * f;
      }
    }
    for (const [a, b] of links) {
      const ddx = x[a]! - x[b]!;
      const ddy = y[a]! - y[b]!;
      const d = Math.sqrt(ddx * ddx + ddy * ddy) + 1e-9;
      const f = d / k; // attraction d²/k, along the unit vector (÷ d)
      dx[a]! -= ddx * f;
      dy[a]! -= ddy * f;
      dx[b]! += ddx * f;
      dy[b]! += ddy * f;
    }
    for (let i = 0; i < n; i++) {
      const d = Math.sqrt(dx[i]! * dx[i]! + dy[i]! * dy[i]!) + 1e-9;
      const step = Math.min(d, temp);
      x[i] = Math.min(w, Math.max(0, x[i]! + (dx[i]! / d) * step));
      y[i] = Math.min(hgt, Math.max(0, y[i]! + (dy[i]! / d) * step));
    }
  }
  return spread(x, y, w, hgt);
}

/**
 * Stretches each axis to the box: a tight, round cluster (a campaign's accounts are often all
 * linked to each other) would otherwise fill only the middle of a wide panel. An axis with no
 * extent (all nodes on one line) stays centred.
 */
function spread(x: Float64Array, y: Float64Array, w: number, hgt: number): Array<[number, number]> {
  const fit = (v: Float64Array, size: number) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (const a of v) {
      lo = Math.min(lo, a);
      hi = Math.max(hi, a);
    }
    return (a: number) => (hi - lo < 1e-9 ? size / 2 : ((a - lo) / (hi - lo)) * size);
  };
  const fx = fit(x, w);
  const fy = fit(y, hgt);
  return Array.from(x, (a, i) => [fx(a), fy(y[i]!)] as [number, number]);
}
