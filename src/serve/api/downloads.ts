/**
 * Downloads of every view: the filtered post list, a campaign (its posts, its network as GEXF
 * and GraphML, its edge CSV with the evidence on every row) and a term (its posts and its
 * timeline). Each writes exactly the file the matching `censorscope export` command writes
 * (src/report/export-*.ts), through the same privacy policy at the server's current setting.
 * Post lists are streamed page by page with backpressure, so a million posts never sit in memory.
 */
import { PassThrough, type Writable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { ApiError, type ApiContext, route } from './common.ts';
import { exportPosts, ExportAborted, type PostSelection } from '../../report/export-posts.ts';
import { filteredPosts, filterProblem, postFilterShape, postsWithIds, resolveFilter, type PostFilter } from '../../report/export-filter.ts';
import { campaignNetwork, loadCampaign, networkGexf, networkGraphml, writeEdgesCsv } from '../../report/export-campaign.ts';
import { loadTerm, termPosts, timelineText } from '../../report/export-term.ts';

/** Media type of each download format. */
export const MEDIA_TYPES = {
  csv: 'text/csv; charset=utf-8',
  jsonl: 'application/x-ndjson; charset=utf-8',
  json: 'application/json; charset=utf-8',
  gexf: 'application/gexf+xml; charset=utf-8',
  graphml: 'application/graphml+xml; charset=utf-8',
} as const;
type Format = keyof typeof MEDIA_TYPES;
const types = (...formats: Format[]) => formats.map((f) => MEDIA_TYPES[f].split(';')[0]!);

/** Streamed downloads one server runs at once: each holds a store reader for its whole length. */
export const MAX_STREAMS = 4;

/** Longest file name sent (in characters, before the extension); longer terms and filters are cut. */
const MAX_NAME = 120;

/**
 * A `Content-Disposition: attachment` header for a name built from user input (a term, an id, a
 * search): control characters, quotes, path separators and anything a file system refuses become
 * `_`, so the header cannot be split or the file placed elsewhere; `filename` is an ASCII
 * fallback and `filename*` (RFC 5987) keeps the name in UTF-8.
 */
export function attachment(base: string, ext: string): string {
  // eslint-disable-next-line no-control-regex
  let name = [...base.normalize('NFC').replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029"'\\/:*?<>|%;,\s]+/g, '_')].slice(0, MAX_NAME).join('');
  name = name.replace(/\.{2,}/g, '_').replace(/^[._]+/, '').replace(/_+$/, '') || 'censorscope';
  const ascii = name.replace(/[^A-Za-z0-9._-]+/g, '_');
  const encoded = encodeURIComponent(`${name}.${ext}`).replace(/['()*!]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}.${ext}"; filename*=UTF-8''${encoded}`;
}

/** The file name of a filtered post list: the filters it applied, in the post list's order. */
function postsName(f: PostFilter, raw: Record<string, unknown>): string {
  const parts = ['censorscope-posts'];
  for (const k of ['q', 'status', 'source', 'account', 'from', 'to'] as const) if (f[k] !== undefined) parts.push(`${k}-${String(raw[k])}`);
  return parts.join('_');
}

const postsFormat = z.object({ format: z.enum(['csv', 'jsonl']).default('csv').meta({ description: 'csv (spreadsheet-safe) or jsonl (one JSON object a line)' }) });
const campaignParams = z.object({ id: z.string().min(1).max(200) });
const termParams = z.object({ term: z.string().min(1).max(100) });

/** Registers the download routes. */
export async function downloadsApi(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  let streaming = 0;

  /** Streams what `produce` writes as an attachment; headers go out before the first row. */
  async function stream(reply: FastifyReply, format: Format, name: string, produce: (out: Writable, reveal: boolean) => Promise<unknown>): Promise<FastifyReply> {
    if (streaming >= MAX_STREAMS) {
      throw new ApiError(429, 'too_many_downloads', `This server is already streaming ${MAX_STREAMS} downloads; try again when one has finished.`);
    }
    const reveal = await ctx.privacy.revealed();
    const body = new PassThrough();
    streaming++;
    produce(body, reveal).then(() => body.end(), (err: Error) => {
      // A cancelled download is not an error; anything else ends the response short, so the browser reports it failed.
      if (!(err instanceof ExportAborted)) process.stderr.write(`censorscope serve: download ${name}: ${err.stack ?? err.message}\n`);
      body.destroy(err);
    }).finally(() => { streaming--; });
    return reply.type(MEDIA_TYPES[format]).header('Content-Disposition', attachment(name, format)).send(body);
  }

  /** Sends a file built in memory (graphs and timelines are small: bounded by what the finding stores). */
  function file(reply: FastifyReply, format: Format, name: string, text: string): FastifyReply {
    return reply.type(MEDIA_TYPES[format]).header('Content-Disposition', attachment(name, format)).send(text);
  }

  const posts = (reply: FastifyReply, format: 'csv' | 'jsonl', name: string, select: PostSelection) =>
    stream(reply, format, name, (out, reveal) => exportPosts(ctx.store, out, { format, revealAccounts: reveal, select }));

  async function campaign(id: string) {
    const c = await loadCampaign(ctx.store, id);
    if (!c) throw new ApiError(404, 'not_found', `No campaign has id "${id}".`, 'id');
    return c;
  }

  async function term(t: string) {
    const found = await loadTerm(ctx.store, t);
    if (!found) throw new ApiError(404, 'not_found', `The latest terms run has no term "${t}".`, 'term');
    return found;
  }

  route(app, ctx, {
    method: 'GET', url: '/api/downloads/posts', tag: 'downloads', produces: types('csv', 'jsonl'),
    summary: 'Every post the post list selects with these filters (the filters of GET /api/posts), oldest id first, as CSV or JSONL: the columns of `censorscope export posts`.',
    query: z.object({ ...postFilterShape, ...postsFormat.shape }),
  }, async ({ query, req, reply }) => {
    const { format, ...filter } = query;
    const problem = filterProblem(filter);
    if (problem) throw new ApiError(400, 'invalid_parameter', `query parameter "${problem.param}": ${problem.message}`, problem.param);
    // A vague account (FilterError) is answered as a 400 by the server's error handler.
    const { filter: resolved } = await resolveFilter(ctx.store, ctx.pseudonyms, await ctx.privacy.view(), filter);
    return posts(reply, format, postsName(filter, req.query as Record<string, unknown>), filteredPosts(resolved));
  });

  route(app, ctx, {
    method: 'GET', url: '/api/downloads/campaigns/:id/posts', tag: 'downloads', produces: types('csv', 'jsonl'),
    summary: "A campaign's posts (every post its finding names) as CSV or JSONL, the columns of `censorscope export posts`.",
    params: campaignParams, query: postsFormat,
  }, async ({ params, query, reply }) => {
    const c = await campaign(params.id);
    return posts(reply, query.format, `censorscope-campaign-${c.id}-posts`, postsWithIds(c.evidence.postIds));
  });

  route(app, ctx, {
    method: 'GET', url: '/api/downloads/campaigns/:id/network', tag: 'downloads', produces: types('gexf', 'graphml'),
    summary: "A campaign's account network for Gephi and other tools: GEXF 1.3 or GraphML; nodes with posts and degree, one edge per account pair and type with weight and evidence.",
    params: campaignParams, query: z.object({ format: z.enum(['gexf', 'graphml']).default('gexf') }),
  }, async ({ params, query, reply }) => {
    const c = await campaign(params.id);
    const net = await campaignNetwork(ctx.store, c, await ctx.privacy.revealed());
    return file(reply, query.format, `censorscope-campaign-${c.id}-network`, query.format === 'gexf' ? networkGexf(net) : networkGraphml(net));
  });

  route(app, ctx, {
    method: 'GET', url: '/api/downloads/campaigns/:id/edges', tag: 'downloads', produces: types('csv'),
    summary: "A campaign's edges as CSV, one row per coordinated post pair with both posts' accounts, ids, times and texts.",
    params: campaignParams,
  }, async ({ params, reply }) => {
    const c = await campaign(params.id);
    return stream(reply, 'csv', `censorscope-campaign-${c.id}-edges`, (out, reveal) => writeEdgesCsv(ctx.store, c, out, reveal));
  });

  route(app, ctx, {
    method: 'GET', url: '/api/downloads/terms/:term/posts', tag: 'downloads', produces: types('csv', 'jsonl'),
    summary: 'The posts the latest terms run counted for a term (statuses it read, holding the term once tokenised), as CSV or JSONL.',
    params: termParams, query: postsFormat,
  }, async ({ params, query, reply }) => {
    const t = await term(params.term);
    return posts(reply, query.format, `censorscope-term-${t.term}-posts`, termPosts(t));
  });

  route(app, ctx, {
    method: 'GET', url: '/api/downloads/terms/:term/timeline', tag: 'downloads', produces: types('csv', 'json'),
    summary: "A term's timeline by UTC day from the latest terms run: posts, removed, removal rate and its 95% Wilson interval, as CSV or JSON.",
    params: termParams, query: z.object({ format: z.enum(['csv', 'json']).default('csv') }),
  }, async ({ params, query, reply }) => {
    const t = await term(params.term);
    return file(reply, query.format, `censorscope-term-${t.term}-timeline`, timelineText(t, query.format));
  });
}
