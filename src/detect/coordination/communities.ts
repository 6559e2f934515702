/**
 * Campaign candidates = communities of the account graph. All edge types are merged into one
 * weighted undirected graph (weight = coordinated events of any kind) and split with Louvain,
 * seeded so that re-runs on the same data give the same groups.
 */
import { mulberry32 } from '../../util/random.ts';
import { UndirectedGraph } from 'graphology';
import louvainModule from 'graphology-communities-louvain';
import type { Edge } from './networks.ts';

type LouvainFn = (g: UndirectedGraph, o: { getEdgeWeight: string; rng: () => number }) => Record<string, number>;
// The package is CommonJS; depending on the loader its function is the default or default.default.
const louvain: LouvainFn = ((louvainModule as unknown as { default?: LouvainFn }).default ?? louvainModule) as unknown as LouvainFn;


/** Builds the merged account graph (node keys are store account ids as strings). */
export function accountGraph(edges: Edge[]): UndirectedGraph {
  const g = new UndirectedGraph();
  for (const e of edges) {
    const a = String(e.a);
    const b = String(e.b);
    g.mergeNode(a);
    g.mergeNode(b);
    if (g.hasEdge(a, b)) g.updateEdgeAttribute(a, b, 'weight', (w: number | undefined) => (w ?? 0) + e.weight);
    else g.addEdge(a, b, { weight: e.weight });
  }
  return g;
}

/** Groups of account ids (each sorted), largest first, of at least `minSize` accounts. */
export function communities(edges: Edge[], minSize: number, seed: number): number[][] {
  const g = accountGraph(edges);
  if (g.order === 0) return [];
  const assignment = louvain(g, { getEdgeWeight: 'weight', rng: mulberry32(seed) });
  const groups = new Map<number, number[]>();
  for (const [node, c] of Object.entries(assignment)) {
    let list = groups.get(c);
    if (!list) groups.set(c, (list = []));
    list.push(Number(node));
  }
  return [...groups.values()]
    .filter((l) => l.length >= minSize)
    .map((l) => l.sort((x, y) => x - y))
    .sort((x, y) => y.length - x.length || x[0] - y[0]);
}
