/**
 * Impostors (issue 11): the stored findings (kind `impostor`) with their targets, scores and
 * reasons, flagged accounts through the privacy policy; the impostors touching one post (for the
 * post page's note); and the watchlist, readable by anyone, changed only with the admin token.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ApiError, type ApiContext, idParam, limitParam, parseJson, route } from './common.ts';
import { num } from './posts.ts';
import { IMPOSTOR_KIND, type StoredAccountImpostor, type StoredDomainImpostor } from '../../detect/impostors/scan.ts';
import { addWatchEntries, entryKey, listWatchlist, removeWatchEntries, watchEntrySchema } from '../../detect/impostors/watchlist.ts';
import { hostsInPost } from '../../detect/impostors/urls.ts';
import { viewAccountImpostor, viewDomainImpostor } from '../../report/privacy-impostors.ts';
import type { AccountView } from '../../report/privacy.ts';

/** A stored impostor finding's evidence, as the scan writes it (anything else is skipped, not shown raw). */
export const impostorEvidence = z.discriminatedUnion('subject', [
  z.object({
    subject: z.literal('account'), accountId: z.number(), source: z.string(), platformAccountId: z.string(), handle: z.string().nullable(),
    name: z.string().nullable(), target: z.string(), targetEntryId: z.number(), score: z.number(), reasons: z.array(z.string()), posts: z.number(),
  }),
  z.object({
    subject: z.literal('domain'), domain: z.string(), target: z.string(), targetEntryId: z.number(), score: z.number(),
    form: z.enum(['lookalike', 'subdomain', 'brand-word']), reasons: z.array(z.string()), posts: z.number(), postIds: z.array(z.number()),
  }),
]);

/** One impostor finding as any exit shows it: the account pseudonymised unless revealed. */
export function viewImpostorEvidence(raw: unknown, view: AccountView) {
  const ev = impostorEvidence.safeParse(raw);
  if (!ev.success) return null;
  return ev.data.subject === 'account'
    ? { subject: 'account' as const, ...viewAccountImpostor(ev.data as StoredAccountImpostor, view) }
    : { subject: 'domain' as const, ...viewDomainImpostor(ev.data as StoredDomainImpostor) };
}

const watchBody = z.object({
  name: z.string().max(200).nullable().optional(), handle: z.string().max(200).nullable().optional(),
  platform: z.string().max(200).nullable().optional(), domain: z.string().max(300).nullable().optional(),
}).strict();

/** Registers the impostor and watchlist routes. */
export async function impostorsApi(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  ctx.pages.push('/impostors');

  route(app, ctx, {
    method: 'GET', url: '/api/impostors', tag: 'impostors',
    summary: 'Impostor accounts and domains of the watchlist, highest score first, each with its target, score and checkable reasons (accounts pseudonymised unless revealed); `post` narrows to the impostors touching one post (its account, the domains it links).',
    query: z.object({
      subject: z.enum(['account', 'domain']).optional(),
      post: idParam.optional().meta({ description: 'store id of a post: only the impostors its account or links are' }),
      limit: limitParam(100, 500), offset: z.coerce.number().int().min(0).max(100_000).default(0),
    }),
  }, async ({ query }) => {
    const view = await ctx.privacy.view();
    let keys: string[] | undefined;
    if (query.post !== undefined) {
      const p = await ctx.store.db.selectFrom('posts').select(['account_id', 'url', 'urls', 'text', 'extra']).where('id', '=', query.post).executeTakeFirst();
      if (!p) throw new ApiError(404, 'not_found', `No post has id ${query.post}.`, 'post');
      keys = [...(p.account_id !== null ? [`account:${Number(p.account_id)}`] : []), ...[...hostsInPost(p)].map((h) => `domain:${h}`)].slice(0, 500);
      if (!keys.length) return { items: [], next: null };
    }
    let qb = ctx.store.db.selectFrom('findings').select(['id', 'key', 'score', 'evidence', 'created_at']).where('kind', '=', IMPOSTOR_KIND);
    if (query.subject) qb = qb.where('key', 'like', `${query.subject}:%`);
    if (keys) qb = qb.where('key', 'in', keys);
    const rows = await qb.orderBy('score', 'desc').orderBy('id').limit(query.limit + 1).offset(query.offset).execute();
    const items = rows.slice(0, query.limit).flatMap((r) => {
      const shown = viewImpostorEvidence(parseJson(r.evidence), view);
      return shown ? [{ finding_id: Number(r.id), created_at: num(r.created_at), ...shown }] : [];
    });
    return { items, next: rows.length > query.limit ? query.offset + query.limit : null };
  });

  route(app, ctx, { method: 'GET', url: '/api/watchlist', tag: 'impostors', summary: 'The watchlist: the accounts and sites the impostor detector protects.' },
    async () => ({ items: await listWatchlist(ctx.store) }));

  route(app, ctx, {
    method: 'POST', url: '/api/watchlist', tag: 'impostors', admin: true, body: watchBody,
    summary: 'Add a watchlist entry (admin: bearer token): at least one of name, handle, domain.',
  }, async ({ body }) => {
    const r = watchEntrySchema.safeParse(body);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      const param = issue.path.map(String).join('.') || 'name';
      throw new ApiError(400, 'invalid_parameter', `body parameter "${param}": ${issue.message}`, param);
    }
    const added = await addWatchEntries(ctx.store, [r.data]);
    const entry = await ctx.store.db.selectFrom('watchlist').select(['id', 'name', 'handle', 'platform', 'domain']).where('entry_key', '=', entryKey(r.data)).executeTakeFirstOrThrow();
    return { added: added === 1, entry: { ...entry, id: Number(entry.id) } };
  });

  route(app, ctx, {
    method: 'DELETE', url: '/api/watchlist/:id', tag: 'impostors', admin: true, params: z.object({ id: idParam }),
    summary: 'Remove a watchlist entry (admin: bearer token).',
  }, async ({ params }) => {
    const removed = await removeWatchEntries(ctx.store, [params.id]);
    if (!removed) throw new ApiError(404, 'not_found', `No watchlist entry has id ${params.id}.`, 'id');
    return { removed: params.id };
  });
}
