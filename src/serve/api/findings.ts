/**
 * Detector findings: coordinated campaigns (kind 'campaign') with their evidence, and the
 * generic findings list for any other detector's kind.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ApiError, type ApiContext, idParam, limitParam, parseJson, route } from './common.ts';
import { num } from './posts.ts';
import { serveDb } from './tables.ts';
import type { AccountView } from '../../report/privacy.ts';
import { evidenceLookups, viewCampaign, type StoredCampaignEvidence } from '../../report/privacy-findings.ts';
import { IMPOSTOR_KIND } from '../../detect/impostors/scan.ts';
import { viewImpostorEvidence } from './impostors.ts';

/** The evidence a campaign finding carries (see the coordination contract); every part optional. */
const campaignEvidence = z.object({
  accounts: z.array(z.string()).catch([]).default([]),
  accountIds: z.array(z.number()).catch([]).default([]),
  posts: z.number().catch(0).default(0),
  postIds: z.array(z.number()).catch([]).default([]),
  start: z.string().nullable().catch(null).default(null),
  end: z.string().nullable().catch(null).default(null),
  size: z.number().catch(0).default(0),
  burstiness: z.number().nullable().catch(null).default(null),
  types: z.record(z.string(), z.number()).catch({}).default({}),
  edges: z.array(z.object({
    source: z.string(), target: z.string(), weight: z.number().catch(1), edge_type: z.string().catch('related'),
    evidence: z.array(z.tuple([z.number(), z.number()])).catch([]).default([]),
  })).catch([]).default([]),
  representative: z.array(z.object({
    postId: z.number().optional(), platformPostId: z.string().optional(), account: z.string().optional(),
    createdAt: z.string().optional(), text: z.string().catch(''),
  })).catch([]).default([]),
}).loose();

const MAX_TIMELINE_POSTS = 500;
const MAX_PAIRS = 12;

/** Registers the findings and campaigns routes. */
export async function findingsApi(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  const db = serveDb(ctx.store.db);
  ctx.pages.push('/campaigns', '/campaigns/:id');

  route(app, ctx, {
    method: 'GET', url: '/api/campaigns', tag: 'campaigns', summary: 'Coordinated campaigns, highest score first.',
    query: z.object({ limit: limitParam(50, 200), offset: z.coerce.number().int().min(0).max(100_000).default(0) }),
  }, async ({ query }) => ctx.cache.get(`campaigns:${query.limit}:${query.offset}`, async () => {
    const rows = await db.selectFrom('findings').selectAll().where('kind', '=', 'campaign')
      .orderBy('score', 'desc').orderBy('id').limit(query.limit + 1).offset(query.offset).execute();
    const items = rows.slice(0, query.limit).map((r) => {
      const ev = campaignEvidence.parse(parseJson(r.evidence) ?? {});
      return {
        id: r.key, finding_id: Number(r.id), score: r.score, summary: r.summary, created_at: num(r.created_at),
        accounts: ev.accounts.length || ev.size, posts: ev.posts || ev.postIds.length, start: ev.start, end: ev.end, types: ev.types,
      };
    });
    return { items, next: rows.length > query.limit ? query.offset + query.limit : null };
  }, 3000));

  route(app, ctx, {
    method: 'GET', url: '/api/campaigns/:id', tag: 'campaigns', summary: 'One campaign: evidence, account graph, post timeline, near-identical texts.',
    params: z.object({ id: z.string().min(1).max(200) }),
  }, async ({ params }) => {
    // Findings change only when the detector reruns; a campaign page is assembled once per few seconds,
    // once per privacy setting (the setting is part of the key; changing it also clears the cache).
    const view = await ctx.privacy.view();
    const found = await ctx.cache.get(`campaign:${view.revealed}:${params.id}`, () => campaign(params.id, view), 5000);
    if (!found) throw new ApiError(404, 'not_found', `No campaign has id "${params.id}".`, 'id');
    return found;
  });

  async function campaign(id: string, view: AccountView) {
    const row = await db.selectFrom('findings').selectAll().where('kind', '=', 'campaign').where('key', '=', id).executeTakeFirst();
    if (!row) return null;
    const ev = campaignEvidence.parse(parseJson(row.evidence) ?? {});
    const postIds = ev.postIds.slice(0, MAX_TIMELINE_POSTS);
    // The same post pair is often evidence for several edge types (similar text, same link): show each pair once.
    const seenPairs = new Set<string>();
    const pairIds: Array<[number, number]> = [];
    for (const e of ev.edges) {
      for (const [a, b] of e.evidence.slice(0, 4)) {
        const k = a < b ? `${a}:${b}` : `${b}:${a}`;
        if (a === b || seenPairs.has(k) || pairIds.length >= MAX_PAIRS) continue;
        seenPairs.add(k);
        pairIds.push([a, b]);
      }
    }
    const wanted = [...new Set([...postIds, ...pairIds.flat()])];
    const posts = wanted.length ? await db.selectFrom('posts as p').leftJoin('accounts as a', 'a.id', 'p.account_id')
      .innerJoin('sources as s', 's.id', 'p.source_id')
      .select(['p.id', 'p.created_at', 'p.text', 'p.status', 'p.platform_post_id', 's.name as source', 'a.handle as account', 'a.platform_account_id'])
      .where('p.id', 'in', wanted).execute() : [];
    const byId = new Map(posts.map((p) => [Number(p.id), {
      ...p, id: Number(p.id), created_at: num(p.created_at),
      account: view.handle(p.source, p.platform_account_id, p.account),
      platform_account_id: p.platform_account_id === null ? null : view.id(p.source, p.platform_account_id),
    }]));
    const degree = new Map<string, number>();
    for (const e of ev.edges) {
      degree.set(e.source, (degree.get(e.source) ?? 0) + e.weight);
      degree.set(e.target, (degree.get(e.target) ?? 0) + e.weight);
    }
    const accounts = [...new Set([...ev.accounts, ...degree.keys()])];
    // Graph nodes are platform account ids; label them with handles where the store knows them.
    const known = ev.accountIds.length ? await db.selectFrom('accounts').select(['platform_account_id', 'handle'])
      .where('id', 'in', ev.accountIds.slice(0, 1000)).execute() : [];
    const handle = new Map(known.map((a) => [a.platform_account_id, a.handle]));
    const lookups = await evidenceLookups(ctx.store, [{ ...ev, accounts }]);
    const shown = (a: string) => view.id(lookups.sources.get(a) ?? '', a);
    const evidence = viewCampaign(ev as StoredCampaignEvidence, view, lookups);
    return {
      id: row.key, finding_id: Number(row.id), score: row.score, summary: row.summary, created_at: num(row.created_at),
      evidence,
      graph: {
        nodes: accounts.map((a) => ({ id: shown(a), label: view.revealed ? handle.get(a) ?? a : shown(a), degree: degree.get(a) ?? 0 })),
        edges: evidence.edges.map((e) => ({ source: e.source, target: e.target, weight: e.weight, edge_type: e.edge_type })),
      },
      timeline: postIds.map((id) => byId.get(id)).filter((p) => p !== undefined).sort((a, b) => (a.created_at ?? 0) - (b.created_at ?? 0)),
      pairs: pairIds.map(([a, b]) => ({ left: byId.get(a) ?? null, right: byId.get(b) ?? null })).filter((p) => p.left && p.right),
    };
  }

  route(app, ctx, {
    method: 'GET', url: '/api/findings', tag: 'findings', summary: 'Findings of any detector, filtered by kind.',
    query: z.object({ kind: z.string().min(1).max(50).optional(), limit: limitParam(50, 200), offset: z.coerce.number().int().min(0).max(100_000).default(0) }),
  }, async ({ query }) => {
    let qb = db.selectFrom('findings').select(['id', 'kind', 'key', 'score', 'summary', 'created_at']).orderBy('score', 'desc').orderBy('id')
      .limit(query.limit + 1).offset(query.offset);
    if (query.kind) qb = qb.where('kind', '=', query.kind);
    const rows = await qb.execute();
    return { items: rows.slice(0, query.limit).map((r) => ({ ...r, id: Number(r.id), created_at: num(r.created_at) })), next: rows.length > query.limit ? query.offset + query.limit : null };
  });

  route(app, ctx, {
    method: 'GET', url: '/api/findings/:id', tag: 'findings', summary: 'One finding with its full evidence.',
    params: z.object({ id: idParam }),
  }, async ({ params }) => {
    const row = await db.selectFrom('findings').selectAll().where('id', '=', params.id).executeTakeFirst();
    if (!row) throw new ApiError(404, 'not_found', `No finding has id ${params.id}.`, 'id');
    const raw = parseJson(row.evidence);
    let evidence = raw;
    if (row.kind === 'campaign') {
      // The same view of a campaign's evidence as /api/campaigns/{id} and the coordination exports.
      const ev = campaignEvidence.parse(raw ?? {}) as StoredCampaignEvidence;
      evidence = viewCampaign(ev, await ctx.privacy.view(), await evidenceLookups(ctx.store, [ev]));
    } else if (row.kind === IMPOSTOR_KIND) evidence = viewImpostorEvidence(raw, await ctx.privacy.view()); // accounts through the privacy policy

    return { ...row, id: Number(row.id), created_at: num(row.created_at), evidence };
  });
}
