/**
 * A coordinated campaign's downloads, read from its finding as the coordination detector stored
 * it: its posts (through export-posts.ts), its account network as GEXF (graphology-gexf) and
 * GraphML (fast-xml-parser's builder), and an edge CSV with one row per coordinated post pair,
 * so each row carries its own evidence: the two posts, their accounts, times and texts. Accounts
 * go through the privacy policy (privacy.ts); posts are named by source and platform post id,
 * never by this store's row ids.
 */
import { campaignEvidence } from '../detect/coordination/stored-evidence.ts';
import type { Writable } from 'node:stream';
import { MultiUndirectedGraph } from 'graphology';
import { write as writeGexf } from 'graphology-gexf';
import { XMLBuilder } from 'fast-xml-parser';
import Papa from 'papaparse';
import { z } from 'zod';
import type { Store } from '../store/open.ts';
import { accountView, followedAccounts, type AccountView, type PostRef } from './privacy.ts';
import { evidenceLookups, evidencePairsText, viewCampaign } from './privacy-findings.ts';
import { defuseRecord } from './csv-safe.ts';
import { writeChunk } from './export-posts.ts';

/** A campaign finding as stored. */
export interface StoredCampaign {
  id: string;
  score: number;
  summary: string;
  evidence: z.output<typeof campaignEvidence>;
}

/** The campaign finding with this key, or null. */
export async function loadCampaign(store: Store, id: string): Promise<StoredCampaign | null> {
  const row = await store.db.selectFrom('findings').select(['key', 'score', 'summary', 'evidence']).where('kind', '=', 'campaign').where('key', '=', id).executeTakeFirst();
  if (!row) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(row.evidence ?? 'null');
  } catch {
    raw = null;
  }
  return { id: row.key, score: Number(row.score), summary: row.summary ?? '', evidence: campaignEvidence.parse(raw ?? {}) };
}

/** The campaign's account network as downloaded. */
export interface CampaignNetwork {
  id: string;
  summary: string;
  nodes: Array<{ id: string; label: string; posts: number; degree: number }>;
  edges: Array<{ source: string; target: string; weight: number; edge_type: string; evidence: Array<[PostRef | null, PostRef | null]> }>;
}

/** Builds the campaign's network through the privacy policy: nodes are accounts as shown, edges carry their evidence as post references. */
export async function campaignNetwork(store: Store, c: StoredCampaign, reveal: boolean): Promise<CampaignNetwork> {
  const view = await accountView(store, reveal);
  const ev = c.evidence;
  const accounts = [...new Set([...ev.accounts, ...ev.edges.flatMap((e) => [e.source, e.target])])];
  const lookups = await evidenceLookups(store, [{ ...ev, accounts }]);
  const shown = viewCampaign({ ...ev, accounts }, view, lookups);
  const handles = view.revealed ? await accountHandles(store, ev.accountIds) : new Map<string, string>();
  const posts = await postsPerAccount(store, view, ev.postIds);
  const degree = new Map<string, number>();
  for (const e of shown.edges) {
    degree.set(e.source, (degree.get(e.source) ?? 0) + e.weight);
    degree.set(e.target, (degree.get(e.target) ?? 0) + e.weight);
  }
  return {
    id: c.id, summary: c.summary,
    nodes: accounts.map((raw, i) => {
      const id = shown.accounts[i]!;
      return { id, label: handles.get(raw) ?? id, posts: posts.get(id) ?? 0, degree: degree.get(id) ?? 0 };
    }),
    edges: shown.edges,
  };
}

/** Handles of the campaign's accounts by platform id (only read when accounts are revealed). */
async function accountHandles(store: Store, accountIds: number[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < accountIds.length; i += 500) {
    const rows = await store.db.selectFrom('accounts').select(['platform_account_id', 'handle']).where('id', 'in', accountIds.slice(i, i + 500)).execute();
    for (const r of rows) if (r.handle) out.set(r.platform_account_id, r.handle);
  }
  return out;
}

/** How many of the campaign's posts each account (as shown) wrote. */
async function postsPerAccount(store: Store, view: AccountView, postIds: number[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (let i = 0; i < postIds.length; i += 500) {
    const rows = await store.db.selectFrom('posts').innerJoin('accounts', 'accounts.id', 'posts.account_id').innerJoin('sources', 'sources.id', 'posts.source_id')
      .select(['sources.name as source', 'accounts.platform_account_id', (eb) => eb.fn.countAll().as('n')])
      .where('posts.id', 'in', postIds.slice(i, i + 500)).groupBy(['sources.name', 'accounts.platform_account_id']).execute();
    for (const r of rows) {
      const id = view.id(r.source, r.platform_account_id);
      out.set(id, (out.get(id) ?? 0) + Number(r.n));
    }
  }
  return out;
}

/** GEXF 1.3 for Gephi: nodes with label, posts and degree; one edge per account pair and edge type, with weight, type and evidence. */
export function networkGexf(net: CampaignNetwork): string {
  const g = new MultiUndirectedGraph();
  g.setAttribute('creator', 'censorscope');
  g.setAttribute('description', `Coordinated campaign ${net.id}: ${net.summary}`);
  for (const n of net.nodes) g.mergeNode(n.id, { label: n.label, posts: n.posts, degree: n.degree });
  net.edges.forEach((e, i) => {
    g.mergeNode(e.source);
    g.mergeNode(e.target);
    g.addEdgeWithKey(`e${i}`, e.source, e.target, { weight: e.weight, edge_type: e.edge_type, evidence: evidencePairsText(e.evidence) });
  });
  return writeGexf(g, {
    version: '1.3',
    formatNode: (key, a) => ({ label: String(a.label ?? key), attributes: { posts: Number(a.posts ?? 0), degree: Number(a.degree ?? 0) } }),
    formatEdge: (_key, a) => ({ weight: Number(a.weight), label: String(a.edge_type), attributes: { edge_type: String(a.edge_type), evidence: String(a.evidence) } }),
  });
}

/** Characters XML 1.0 forbids anywhere, even escaped: dropped. */
// eslint-disable-next-line no-control-regex
const XML_FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * The builder's escapes plus character references for CR, LF and TAB: a parser normalises
 * literal ones (CR becomes LF in text, all three become spaces in attributes), which would
 * change an evidence text on its way through the file.
 */
const XML_ENTITIES = [
  { regex: /&/g, val: '&amp;' }, { regex: />/g, val: '&gt;' }, { regex: /</g, val: '&lt;' }, { regex: /'/g, val: '&apos;' }, { regex: /"/g, val: '&quot;' },
  { regex: /\r/g, val: '&#13;' }, { regex: /\n/g, val: '&#10;' }, { regex: /\t/g, val: '&#9;' },
];

const xmlSafe = (_name: string, v: unknown) => (typeof v === 'string' ? v.replace(XML_FORBIDDEN, '') : v);

/** GraphML (undirected; parallel edges, one per edge type), the same attributes as the GEXF. */
export function networkGraphml(net: CampaignNetwork): string {
  const data = (key: string, value: string | number) => ({ '@_key': key, '#text': String(value) });
  const key = (id: string, on: 'node' | 'edge', type: 'string' | 'int' | 'double') => ({ '@_id': id, '@_for': on, '@_attr.name': id, '@_attr.type': type });
  const doc = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    graphml: {
      '@_xmlns': 'http://graphml.graphdrawing.org/xmlns',
      key: [key('label', 'node', 'string'), key('posts', 'node', 'int'), key('degree', 'node', 'double'),
        key('weight', 'edge', 'double'), key('edge_type', 'edge', 'string'), key('evidence', 'edge', 'string')],
      graph: {
        '@_id': net.id, '@_edgedefault': 'undirected',
        desc: `Coordinated campaign ${net.id}: ${net.summary}`,
        node: net.nodes.map((n) => ({ '@_id': n.id, data: [data('label', n.label), data('posts', n.posts), data('degree', n.degree)] })),
        edge: net.edges.map((e, i) => ({
          '@_id': `e${i}`, '@_source': e.source, '@_target': e.target,
          data: [data('weight', e.weight), data('edge_type', e.edge_type), data('evidence', evidencePairsText(e.evidence))],
        })),
      },
    },
  };
  const builder = new XMLBuilder({
    ignoreAttributes: false, attributeNamePrefix: '@_', format: true, indentBy: '  ', suppressEmptyNode: true,
    entities: XML_ENTITIES, tagValueProcessor: xmlSafe, attributeValueProcessor: xmlSafe,
  } as ConstructorParameters<typeof XMLBuilder>[0]);
  return builder.build(doc) as string;
}

export const EDGE_COLUMNS = ['edge', 'source', 'target', 'edge_type', 'weight', 'pair',
  'a_account', 'a_source', 'a_post_id', 'a_created_at', 'a_text', 'b_account', 'b_source', 'b_post_id', 'b_created_at', 'b_text'] as const;

/** Post ids resolved per batch of edges, so a campaign with many edges never holds every text at once. */
const EDGE_BATCH_POSTS = 2000;

/**
 * The edge CSV: one row per coordinated post pair the finding stores for an edge (the edge's
 * number, accounts, type and weight repeated on each), an edge without stored pairs as one row
 * with empty post columns. Cells are defused for spreadsheets (csv-safe.ts).
 */
export async function writeEdgesCsv(store: Store, c: StoredCampaign, out: Writable, reveal: boolean): Promise<number> {
  const view = await accountView(store, reveal);
  const followed = await followedAccounts(store, view);
  const ev = c.evidence;
  const accounts = [...new Set([...ev.accounts, ...ev.edges.flatMap((e) => [e.source, e.target])])];
  const lookups = await evidenceLookups(store, [{ accounts, accountIds: ev.accountIds }]);
  const acct = (p: string) => view.id(lookups.sources.get(p) ?? '', p);
  await writeChunk(out, Papa.unparse([EDGE_COLUMNS as unknown as string[]]) + '\r\n');
  let rows = 0;
  for (let start = 0; start < ev.edges.length;) {
    let end = start;
    let wanted = 0;
    while (end < ev.edges.length && (end === start || wanted + 2 * ev.edges[end]!.evidence.length <= EDGE_BATCH_POSTS)) wanted += 2 * ev.edges[end++]!.evidence.length;
    const batch = ev.edges.slice(start, end);
    const posts = await evidencePosts(store, view, followed, batch.flatMap((e) => e.evidence.flat()));
    const records = batch.flatMap((e, k): Array<Record<string, string | number>> => {
      const edge = { edge: start + k + 1, source: acct(e.source), target: acct(e.target), edge_type: e.edge_type, weight: e.weight };
      if (!e.evidence.length) return [{ ...edge, pair: '' }];
      return e.evidence.map(([a, b], j) => ({ ...edge, pair: j + 1, ...side('a', posts.get(a)), ...side('b', posts.get(b)) }));
    });
    await writeChunk(out, Papa.unparse(records.map((r) => defuseRecord(r)), { header: false, columns: EDGE_COLUMNS as unknown as string[] }) + '\r\n');
    rows += records.length;
    start = end;
  }
  return rows;
}

interface EvidencePost { account: string | null; source: string; post_id: string; created_at: string | null; text: string }

function side(prefix: 'a' | 'b', p: EvidencePost | undefined): Record<string, string> {
  return {
    [`${prefix}_account`]: p?.account ?? '', [`${prefix}_source`]: p?.source ?? '', [`${prefix}_post_id`]: p?.post_id ?? '',
    [`${prefix}_created_at`]: p?.created_at ?? '', [`${prefix}_text`]: p?.text ?? '',
  };
}

/** The evidence posts by store id, accounts as shown; a post gone from the store is absent. */
async function evidencePosts(store: Store, view: AccountView, followed: Map<string, string>, ids: number[]): Promise<Map<number, EvidencePost>> {
  const wanted = [...new Set(ids)];
  const out = new Map<number, EvidencePost>();
  for (let i = 0; i < wanted.length; i += 500) {
    const rows = await store.db.selectFrom('posts').innerJoin('sources', 'sources.id', 'posts.source_id').leftJoin('accounts', 'accounts.id', 'posts.account_id')
      .select(['posts.id', 'sources.name as source', 'posts.platform_post_id', 'posts.created_at', 'posts.text', 'accounts.platform_account_id'])
      .where('posts.id', 'in', wanted.slice(i, i + 500)).execute();
    for (const r of rows) {
      out.set(Number(r.id), {
        account: r.platform_account_id === null ? null : view.id(r.source, r.platform_account_id),
        source: followed.size ? view.scrub(r.source, followed) : r.source, post_id: r.platform_post_id,
        created_at: r.created_at === null ? null : new Date(Number(r.created_at)).toISOString(), text: r.text,
      });
    }
  }
  return out;
}
