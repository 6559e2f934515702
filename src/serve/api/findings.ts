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
import { edgeTypeLabel } from '../../detect/coordination/edge-types.ts';
import { campaignTexts, clipName, type CampaignPost, type CampaignTexts } from './campaign-texts.ts';
import { campaignEvidence } from '../../detect/coordination/stored-evidence.ts';
import { IMPOSTOR_KIND } from '../../detect/impostors/scan.ts';
import { viewImpostorEvidence } from './impostors.ts';


type FindingRow = { id: number | bigint | string; created_at: unknown; evidence: string | null };
type Evidence = z.infer<typeof campaignEvidence>;

const MAX_TIMELINE_POSTS = 500;
const MAX_PAIRS = 12;
/** Sample texts per campaign in the list. */
const SAMPLES = 3;

/** A campaign's name and sample texts: its text groups' representatives, else the detector's representative posts. */
function naming(t: CampaignTexts, ev: Evidence) {
  const post = new Map(t.posts.map((p) => [p.id, p]));
  const reps = t.groups.map((g) => ({ p: post.get(g.representative), posts: g.posts })).filter((x) => x.p !== undefined)
    .map((x) => ({ text: x.p!.text, language: x.p!.language, posts: x.posts, postId: x.p!.id }));
  const texts = reps.length ? reps : ev.representative.filter((r) => r.text).map((r) => ({ text: r.text, language: null, posts: null, postId: r.postId ?? null }));
  const first = texts.find((x) => clipName(x.text) !== '');
  return {
    name: first ? clipName(first.text) : null,
    name_language: first?.language ?? null,
    name_post_id: first?.postId ?? null,
    sample: texts.slice(0, SAMPLES).map((x) => ({ text: clipName(x.text, 200), language: x.language, posts: x.posts })),
  };
}

/** Registers the findings and campaigns routes. */
export async function findingsApi(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  const db = serveDb(ctx.store.db);
  ctx.pages.push('/campaigns', '/campaigns/:id');
  // A finding row's texts change only when the detector rewrites it (new id and time).
  const textsOf = (row: FindingRow, ev: Evidence) => ctx.cache.get(`campaign-texts:${row.id}:${String(row.created_at)}`, () => campaignTexts(db, ev.postIds), 60_000);

  route(app, ctx, {
    method: 'GET', url: '/api/campaigns', tag: 'campaigns', summary: 'Coordinated campaigns, highest score first.',
    query: z.object({ limit: limitParam(50, 200), offset: z.coerce.number().int().min(0).max(100_000).default(0) }),
  }, async ({ query }) => ctx.cache.get(`campaigns:${query.limit}:${query.offset}`, async () => {
    const rows = await db.selectFrom('findings').selectAll().where('kind', '=', 'campaign')
      .orderBy('score', 'desc').orderBy('id').limit(query.limit + 1).offset(query.offset).execute();
    const items = [];
    for (const r of rows.slice(0, query.limit)) {
      const ev = campaignEvidence.parse(parseJson(r.evidence) ?? {});
      items.push({
        id: r.key, finding_id: Number(r.id), score: r.score, summary: r.summary, created_at: num(r.created_at),
        accounts: ev.accounts.length || ev.size, posts: ev.posts || ev.postIds.length, start: ev.start, end: ev.end, types: ev.types,
        ...naming(await textsOf(r, ev), ev),
      });
    }
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
    // One post is often evidence with many others (and for several edge types): each post shows in one pair at most.
    const paired = new Set<number>();
    const pairIds: Array<[number, number]> = [];
    for (const e of ev.edges) {
      for (const [a, b] of e.evidence) {
        if (pairIds.length >= MAX_PAIRS) break;
        if (a === b || paired.has(a) || paired.has(b)) continue;
        paired.add(a).add(b);
        pairIds.push([a, b]);
      }
    }
    const texts = await textsOf(row, ev);
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
    const shownPost = (p: CampaignPost) => ({
      id: p.id, source: p.source, platform_post_id: p.platform_post_id, created_at: p.created_at, text: p.text, language: p.language, status: p.status,
      account: view.handle(p.source, p.platform_account_id, p.handle),
      platform_account_id: p.platform_account_id === null ? null : view.id(p.source, p.platform_account_id),
    });
    const textPost = new Map(texts.posts.map((p) => [p.id, p]));
    const iso = (ms: number) => new Date(ms).toISOString();
    const edgeTypes = new Map<string, { type: string; label: string; pairs: number; weight: number }>();
    for (const e of ev.edges) {
      const t = edgeTypes.get(e.edge_type) ?? { type: e.edge_type, label: edgeTypeLabel(e.edge_type, ev.detector ?? {}), pairs: 0, weight: 0 };
      t.pairs++;
      t.weight += e.weight;
      edgeTypes.set(e.edge_type, t);
    }
    return {
      id: row.key, finding_id: Number(row.id), score: row.score, summary: row.summary, created_at: num(row.created_at),
      ...naming(texts, ev),
      evidence,
      edgeTypes: [...edgeTypes.values()].sort((a, b) => b.weight - a.weight || (a.type < b.type ? -1 : 1)),
      textGroups: texts.groups.map((g) => {
        const rep = textPost.get(g.representative);
        return {
          text: rep?.text ?? '', name: clipName(rep?.text ?? ''), language: rep?.language ?? null,
          posts: g.posts, accounts: g.accounts, variants: g.variants, first: iso(g.first), last: iso(g.last),
          examplePostIds: g.firstPosts, examples: g.examples.map((id) => textPost.get(id)).filter((p) => p !== undefined).map(shownPost),
        };
      }),
      textGroupsCover: { posts: texts.total, grouped: texts.grouped, missing: texts.missing, groups: texts.groupCount, listed: texts.groups.length, similarity: texts.similarity },
      activity: texts.activity,
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
