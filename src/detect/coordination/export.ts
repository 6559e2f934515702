/**
 * Exports of the coordination network: an edge list CSV whose first columns match the QUT
 * coordination-network-toolkit (source,target,weight,edge_type) plus the evidence, GraphML and
 * GEXF for Gephi, and the campaign summaries as JSON. Account ids and post texts come from
 * scraped data, so everything is escaped for its format. Every export goes through the privacy
 * policy first (`shownExports`): accounts pseudonymised unless revealed, evidence naming posts
 * by source and platform post id.
 */
import { writeFile } from 'node:fs/promises';
import type { Store } from '../../store/open.ts';
import type { CampaignDetail, EvidenceEdge } from './findings.ts';
import { csvField } from '../../report/csv-safe.ts';
import { accountView, type PostRef } from '../../report/privacy.ts';
import { evidenceLookups, evidencePairsText, viewCampaign } from '../../report/privacy-findings.ts';

export interface NetworkNode {
  /** Platform account id (the node key in every export). */
  id: string;
  storeId: number;
  /** Campaign the account belongs to, or '' when none. */
  campaign: string;
}

export interface Network {
  nodes: NetworkNode[];
  edges: EvidenceEdge[];
}

/** An edge as exported: accounts as shown, evidence as platform post references. */
export interface ShownEdge {
  source: string;
  target: string;
  weight: number;
  edge_type: string;
  evidence: Array<[PostRef | null, PostRef | null]>;
}

/** The network as exported (see `shownExports`). */
export interface ShownNetwork {
  nodes: Array<{ id: string; campaign: string }>;
  edges: ShownEdge[];
}

/** Campaigns as exported (summary JSON, `--json`). */
export type ShownCampaign = { id: string; score: number; summary: string } & ReturnType<typeof viewCampaign>;

/** Evidence as text: a JSON array of post pairs, each post `[source, platform post id]`. */
export function evidenceText(e: ShownEdge): string {
  return evidencePairsText(e.evidence);
}

/** The network and campaigns through the privacy policy: pseudonymised unless `reveal`. */
export async function shownExports(store: Store, net: Network, campaigns: CampaignDetail[], reveal: boolean): Promise<{ network: ShownNetwork; campaigns: ShownCampaign[] }> {
  const view = await accountView(store, reveal);
  // One stored-evidence-shaped record for the whole network, so one lookup serves nodes and edges.
  const whole = { accounts: net.nodes.map((n) => n.id), accountIds: net.nodes.map((n) => n.storeId), edges: net.edges };
  const lookups = await evidenceLookups(store, [whole, ...campaigns]);
  const shownNet = viewCampaign(whole, view, lookups);
  return {
    network: { nodes: net.nodes.map((n, i) => ({ id: shownNet.accounts[i]!, campaign: n.campaign })), edges: shownNet.edges },
    campaigns: campaigns.map(({ id, score, summary, ...ev }) => ({ id, score, summary, ...viewCampaign(ev, view, lookups) })),
  };
}

/** Edge list CSV: source,target,weight,edge_type,evidence. */
export function edgesCsv(net: ShownNetwork): string {
  const lines = ['source,target,weight,edge_type,evidence'];
  for (const e of net.edges) lines.push([e.source, e.target, e.weight, e.edge_type, evidenceText(e)].map(csvField).join(','));
  return `${lines.join('\n')}\n`;
}

/** Escapes text for XML element content and attribute values. */
export function xmlEscape(s: string): string {
  // Characters XML 1.0 forbids outright are dropped.
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** GraphML (undirected; parallel edges, one per edge type). */
export function graphml(net: ShownNetwork): string {
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
    '  <key id="campaign" for="node" attr.name="campaign" attr.type="string"/>',
    '  <key id="weight" for="edge" attr.name="weight" attr.type="int"/>',
    '  <key id="edge_type" for="edge" attr.name="edge_type" attr.type="string"/>',
    '  <key id="evidence" for="edge" attr.name="evidence" attr.type="string"/>',
    '  <graph id="coordination" edgedefault="undirected">',
  ];
  for (const n of net.nodes) out.push(`    <node id="${xmlEscape(n.id)}"><data key="campaign">${xmlEscape(n.campaign)}</data></node>`);
  net.edges.forEach((e, i) => {
    out.push(`    <edge id="e${i}" source="${xmlEscape(e.source)}" target="${xmlEscape(e.target)}">` +
      `<data key="weight">${e.weight}</data><data key="edge_type">${xmlEscape(e.edge_type)}</data>` +
      `<data key="evidence">${xmlEscape(evidenceText(e))}</data></edge>`);
  });
  out.push('  </graph>', '</graphml>');
  return `${out.join('\n')}\n`;
}

/** GEXF 1.3 (Gephi's native format). */
export function gexf(net: ShownNetwork): string {
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<gexf xmlns="http://gexf.net/1.3" version="1.3">',
    '  <meta><creator>censorscope</creator><description>Coordination network</description></meta>',
    '  <graph defaultedgetype="undirected" mode="static">',
    '    <attributes class="node"><attribute id="0" title="campaign" type="string"/></attributes>',
    '    <attributes class="edge"><attribute id="0" title="edge_type" type="string"/><attribute id="1" title="evidence" type="string"/></attributes>',
    '    <nodes>',
  ];
  for (const n of net.nodes) {
    out.push(`      <node id="${xmlEscape(n.id)}" label="${xmlEscape(n.id)}"><attvalues><attvalue for="0" value="${xmlEscape(n.campaign)}"/></attvalues></node>`);
  }
  out.push('    </nodes>', '    <edges>');
  net.edges.forEach((e, i) => {
    out.push(`      <edge id="${i}" source="${xmlEscape(e.source)}" target="${xmlEscape(e.target)}" weight="${e.weight}" label="${xmlEscape(e.edge_type)}">` +
      `<attvalues><attvalue for="0" value="${xmlEscape(e.edge_type)}"/><attvalue for="1" value="${xmlEscape(evidenceText(e))}"/></attvalues></edge>`);
  });
  out.push('    </edges>', '  </graph>', '</gexf>');
  return `${out.join('\n')}\n`;
}

/** Campaign summaries (everything but the per-edge evidence, which the edge exports hold). */
export function summaryJson(campaigns: ShownCampaign[]): string {
  return `${JSON.stringify({ campaigns: campaigns.map(({ edges, ...rest }) => ({ ...rest, edges: edges.length })) }, null, 2)}\n`;
}

export interface ExportPaths {
  edges?: string;
  graphml?: string;
  gexf?: string;
  summary?: string;
}

/** Writes whichever exports were asked for. */
export async function writeExports(paths: ExportPaths, net: ShownNetwork, campaigns: ShownCampaign[]): Promise<void> {
  if (paths.edges) await writeFile(paths.edges, edgesCsv(net));
  if (paths.graphml) await writeFile(paths.graphml, graphml(net));
  if (paths.gexf) await writeFile(paths.gexf, gexf(net));
  if (paths.summary) await writeFile(paths.summary, summaryJson(campaigns));
}
