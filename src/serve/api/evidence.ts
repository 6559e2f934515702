/**
 * Evidence bundles over HTTP: the same ZIP as `censorscope evidence post|campaign`, for the
 * dashboard's download links. Accounts follow the server's privacy switch (pseudonymised unless
 * an admin revealed them), and the bundle's manifest and report say which was in force.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { ApiError, type ApiContext, idParam, route } from './common.ts';
import { campaignBundle, postBundle, type Bundle } from '../../report/evidence/bundle.ts';
import { UserError } from '../../util/errors.ts';

/** Sends a bundle as a download; the handler then returns nothing, so no JSON processing touches the bytes. */
async function sendZip(reply: FastifyReply, bundle: Bundle): Promise<undefined> {
  await reply
    .header('Content-Type', 'application/zip')
    .header('Content-Disposition', `attachment; filename="${bundle.name}"`)
    .header('X-Bundle-SHA256', bundle.sha256)
    .send(Buffer.from(bundle.bytes.buffer, bundle.bytes.byteOffset, bundle.bytes.byteLength));
  return undefined;
}

/** A missing post or campaign is a 404 with the bundle builder's own sentence. */
async function orNotFound<T>(make: () => Promise<T>): Promise<T> {
  try {
    return await make();
  } catch (err) {
    if (err instanceof UserError) throw new ApiError(404, 'not_found', err.message, 'id');
    throw err;
  }
}

/** Registers the evidence bundle routes. */
export async function evidenceApi(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  route(app, ctx, {
    method: 'GET', url: '/api/posts/:id/evidence.zip', tag: 'evidence', params: z.object({ id: idParam }),
    summary: "A post's evidence bundle (application/zip): printable report.html, raw observations, versions and disappearance, the archived answers (archive.jsonl; archive.warc.gz when accounts are revealed), MANIFEST.sha256 and manifest.json hashing every file, VERIFY.md. Accounts as the privacy setting says.",
  }, async ({ params, reply }) => {
    const reveal = await ctx.privacy.revealed();
    // The archived answers name accounts as served: their bytes only leave when accounts are revealed.
    const archiveDir = reveal ? (await ctx.archive())?.dir ?? null : null;
    return sendZip(reply, await orNotFound(() => postBundle(ctx.store, params.id, { reveal, archiveDir })));
  });

  route(app, ctx, {
    method: 'GET', url: '/api/campaigns/:id/evidence.zip', tag: 'evidence', params: z.object({ id: z.string().min(1).max(200) }),
    summary: "A campaign's evidence bundle (application/zip): printable report.html, its posts, accounts, grouped texts, edges.csv with evidence, observations, disappearances, manifests and VERIFY.md. Accounts as the privacy setting says.",
  }, async ({ params, reply }) => {
    const reveal = await ctx.privacy.revealed();
    return sendZip(reply, await orNotFound(() => campaignBundle(ctx.store, params.id, { reveal })));
  });
}
