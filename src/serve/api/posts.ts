/**
 * Posts: the filterable, searchable list (keyset paging) and one post's full history
 * (versions, every observation, the disappearance interval and its evidence).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { POST_STATUSES } from '../../store/schema.ts';
import { ApiError, type ApiContext, idParam, limitParam, parseJson, route, timeParam } from './common.ts';
import { serveDb, tryDisappearances } from './tables.ts';
import { addIdentifiers, knownMentions, viewExtra, viewMentions, ACCOUNT_ID_KEY, ACCOUNT_NAME_KEY } from '../../report/privacy.ts';
import { listPosts, num } from './posts-list.ts';
import { resolveFilter } from '../../report/export-filter.ts';

export { SCAN_WINDOW, likePattern, num } from './posts-list.ts';

const listQuery = z.object({
  q: z.string().trim().min(1).max(200).optional().meta({ description: 'substring to search for in the text' }),
  source: idParam.optional().meta({ description: 'source id' }),
  account: z.string().trim().min(1).max(200).optional()
    .meta({ description: 'an account: its store id, platform handle (with or without @), platform account id, or the pseudonym (acct_…) shown; every matching account is listed in `accounts`' }),
  status: z.enum(POST_STATUSES).optional(),
  from: timeParam.optional().meta({ description: 'created at or after (epoch ms or ISO date)' }),
  to: timeParam.optional().meta({ description: 'created before (epoch ms or ISO date)' }),
  before: idParam.optional().meta({ description: 'paging cursor: the `next` value of the previous page (the id of the post the next page follows)' }),
  limit: limitParam(50, 200),
});

/** Registers the posts routes. */
export async function postsApi(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  const db = serveDb(ctx.store.db);
  ctx.pages.push('/posts', '/posts/:id');

  const pseudonyms = ctx.pseudonyms;

  route(app, ctx, {
    method: 'GET', url: '/api/posts', tag: 'posts', query: listQuery,
    summary: 'Posts, newest first by their own time (created_at, then id; undated last), filtered and searched; page with `before`.',
  },
    // Identical list requests within a few seconds share one query: dashboards poll and links get shared.
    // The cache holds rows as stored; the privacy policy applies to each response.
    async ({ query: f }) => {
      const view = await ctx.privacy.view();
      // A vague account (FilterError) is answered as a 400 by the server's error handler.
      const { filter, matches: accounts } = await resolveFilter(ctx.store, pseudonyms, view, f);
      const page = await ctx.cache.get(`posts:${JSON.stringify(filter)}`, () => listPosts(db, filter), 3000);
      const shown = view.revealed ? page : {
        ...page,
        items: page.items.map((p) => {
          const author = p.platform_account_id === null ? null : view.id(p.source ?? '', p.platform_account_id);
          const ids = new Map<string, string>();
          addIdentifiers(ids, author, p.platform_account_id, p.account);
          return { ...p, account: view.handle(p.source ?? '', p.platform_account_id, p.account), platform_account_id: author, url: view.scrub(p.url, ids) };
        }),
      };
      return accounts === undefined ? shown : { ...shown, accounts };
    });

  route(app, ctx, { method: 'GET', url: '/api/posts/:id', tag: 'posts', summary: "A post's full history: versions, observations, disappearance interval, evidence.", params: z.object({ id: idParam }) },
    async ({ params }) => {
      const post = await db.selectFrom('posts as p')
        .leftJoin('accounts as a', 'a.id', 'p.account_id')
        .leftJoin('sources as s', 's.id', 'p.source_id')
        .selectAll('p')
        .select(['s.name as source', 's.kind as source_kind', 'a.handle as account', 'a.platform_account_id', 'a.display_name as account_name', 'a.status as account_status'])
        .where('p.id', '=', params.id)
        .executeTakeFirst();
      if (!post) throw new ApiError(404, 'not_found', `No post has id ${params.id}.`, 'id');
      const view = await ctx.privacy.view();
      const source = post.source ?? '';
      const mentions = parseJson(post.mentions);
      const mentionList = Array.isArray(mentions) ? mentions.map(String) : null;
      const known = mentionList && !view.revealed ? await knownMentions(ctx.store, Number(post.source_id), mentionList) : new Map<string, string>();
      const shownMentions = viewMentions(view, source, mentionList, known);
      const author = post.platform_account_id === null ? null : view.id(source, post.platform_account_id);
      // Raw identifiers this post carries, and what each becomes: replaced inside its URL, evidence and observations.
      const ids = new Map<string, string>();
      addIdentifiers(ids, author, post.platform_account_id, post.account);
      mentionList?.forEach((m, i) => addIdentifiers(ids, shownMentions![i]!, null, m));
      const extraRaw = parseJson(post.extra);
      if (extraRaw && typeof extraRaw === 'object' && !view.revealed) {
        for (const [k, v] of Object.entries(extraRaw as Record<string, unknown>)) {
          if (typeof v === 'string' && ACCOUNT_ID_KEY.test(k)) addIdentifiers(ids, view.id(source, v), v, null);
          else if (typeof v === 'string' && ACCOUNT_NAME_KEY.test(k)) addIdentifiers(ids, view.mention(source, v), null, v);
        }
      }
      const [versions, observations, disappearances] = await Promise.all([
        db.selectFrom('post_versions').select(['id', 'seen_at', 'text', 'sha256']).where('post_id', '=', params.id).orderBy('seen_at').limit(500).execute(),
        db.selectFrom('observations').select(['id', 'observed_at', 'outcome', 'http_status', 'error_code', 'detail'])
          .where('post_id', '=', params.id).orderBy('observed_at', 'desc').limit(1000).execute(),
        tryDisappearances(
          () => db.selectFrom('disappearances').selectAll().where('post_id', '=', params.id).orderBy('first_missing_at').execute(),
          async () => [],
        ),
      ]);
      return {
        post: {
          ...post, id: Number(post.id), source_id: Number(post.source_id), account_id: post.account_id == null ? null : Number(post.account_id),
          created_at: num(post.created_at), first_seen: num(post.first_seen), last_seen: num(post.last_seen), status_changed_at: num(post.status_changed_at),
          hashtags: parseJson(post.hashtags), urls: view.scrub(parseJson(post.urls), ids), mentions: mentionList === null ? mentions : shownMentions,
          status_evidence: view.scrub(parseJson(post.status_evidence), ids), extra: view.scrub(viewExtra(view, source, extraRaw), ids),
          url: view.scrub(post.url, ids),
          account: view.handle(source, post.platform_account_id, post.account), platform_account_id: author,
          account_name: view.name(post.account_name),
        },
        // Versions keep their text as written: the text is the evidence (README, "Privacy").
        versions: versions.map((v) => ({ ...v, id: Number(v.id), seen_at: Number(v.seen_at) })),
        observations: observations.map((o) => ({ ...o, id: Number(o.id), observed_at: Number(o.observed_at), detail: view.scrub(parseJson(o.detail), ids) })),
        disappearances: disappearances.map((d) => ({
          id: Number(d.id), kind: d.kind, last_seen_at: num(d.last_seen_at), first_missing_at: num(d.first_missing_at),
          observation_id: d.observation_id == null ? null : Number(d.observation_id), detected_at: num(d.detected_at),
        })),
      };
    });
}
