/** Sources: the list (public) and adding one to follow (admin). */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ApiError, type ApiContext, parseJson, route } from './common.ts';
import { num } from './posts.ts';
import { serveDb } from './tables.ts';
import { addSource } from '../../collect/sources/add.ts';
import { redactSecrets } from '../../report/redact.ts';

const addBody = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('mastodon'), url: z.url({ protocol: /^https?$/ }), public: z.boolean().optional(), hashtag: z.string().max(100).optional(),
    account: z.string().max(200).optional(), name: z.string().min(1).max(100).optional(), budgetPerMinute: z.number().int().positive().max(100_000).optional(),
  }),
  z.object({
    kind: z.literal('feed'), url: z.url({ protocol: /^https?$/ }), name: z.string().min(1).max(100).optional(),
    budgetPerMinute: z.number().int().positive().max(100_000).optional(),
  }),
]);

/** Registers the sources routes. */
export async function sourcesApi(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  const db = serveDb(ctx.store.db);

  route(app, ctx, { method: 'GET', url: '/api/sources', tag: 'sources', summary: 'Every source with its kind, platform and configuration.' },
    async () => {
      const rows = await db.selectFrom('sources').selectAll().orderBy('id').execute();
      // Names and configuration may hold credentials or local paths (`?access_token=…`, `user:pass@`,
      // a config file's path): redact them by shape at any depth before they leave the server.
      // A source following one account names it: route() pseudonymises it like every account.
      return redactSecrets({
        items: rows.map((s) => ({
          id: Number(s.id), name: s.name, kind: s.kind, platform: s.platform, enabled: Boolean(s.enabled), created_at: num(s.created_at),
          config: parseJson(s.config) ?? null,
        })),
      });
    });

  route(app, ctx, { method: 'POST', url: '/api/sources', tag: 'sources', summary: 'Add a source to follow (admin: bearer token).', body: addBody, admin: true },
    async ({ body, reply }) => {
      try {
        const row = await addSource(ctx.store, body);
        ctx.cache.clear();
        reply.code(201);
        return { source: redactSecrets({ ...row, id: Number(row.id) }) };
      } catch (err) {
        throw new ApiError(422, 'source_rejected', (err as Error).message);
      }
    });
}
