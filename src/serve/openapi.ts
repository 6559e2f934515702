/** The OpenAPI 3 document, generated from the registered routes' zod schemas so it always describes every route. */
import { z } from 'zod';
import type { RouteSpec } from './api/common.ts';

const errorSchema = {
  type: 'object', required: ['error'],
  properties: { error: { type: 'object', required: ['status', 'code', 'message'], properties: { status: { type: 'integer' }, code: { type: 'string' }, message: { type: 'string' }, param: { type: 'string' } } } },
};

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const s = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete s.$schema;
  return s;
}

function parameters(schema: z.ZodObject | undefined, where: 'query' | 'path') {
  if (!schema) return [];
  const js = jsonSchema(schema) as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  return Object.entries(js.properties ?? {}).map(([name, s]) => ({
    name, in: where, required: where === 'path' || (js.required ?? []).includes(name) && s.default === undefined,
    ...(typeof s.description === 'string' ? { description: s.description } : {}), schema: s,
  }));
}

/** Builds the document for `routes`. */
export function openApiDocument(routes: RouteSpec[], version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.url.replace(/:([A-Za-z_]+)/g, '{$1}');
    const responses: Record<string, unknown> = {
      200: r.produces
        ? { description: 'A file to save (`Content-Disposition: attachment`).', content: Object.fromEntries(r.produces.map((t) => [t, { schema: { type: 'string' } }])) }
        : { description: 'OK', content: { 'application/json': { schema: { type: 'object' } } } },
      400: { description: 'A parameter is invalid; `error.param` names it.', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      429: { description: 'Rate limited.', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
    };
    if (r.url.includes(':')) responses[404] = { description: 'Not found.', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
    if (r.admin) responses[401] = { description: 'Missing or wrong bearer token.', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
    (paths[path] ??= {})[r.method.toLowerCase()] = {
      tags: [r.tag], summary: r.summary, operationId: `${r.method.toLowerCase()}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
      parameters: [...parameters(r.params, 'path'), ...parameters(r.query, 'query')],
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(r.body) } } } } : {}),
      ...(r.admin ? { security: [{ bearer: [] }] } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Censorscope observatory API', version, description: 'Read endpoints are public; write and admin endpoints need `Authorization: Bearer <CENSORSCOPE_TOKEN>`. Errors share one shape. Accounts are pseudonymised in every response (`acct_…` for platform ids and handles, display names omitted, mentions and the author\'s id or handle inside URLs and evidence replaced; post text is kept as written) unless an admin sets `PUT /api/settings {"revealAccounts": true}`; `GET /api/settings` says which. Evidence names posts by source and platform post id.' },
    paths,
    components: { schemas: { Error: errorSchema }, securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
  };
}
