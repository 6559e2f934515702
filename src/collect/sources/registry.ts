/** Which module serves which source kind; adding a platform is one entry here. */
import { z } from 'zod';
import type { Source } from '../../store/schema.ts';
import type { Clock } from '../../watch/clock.ts';
import type { HttpClient } from './http.ts';
import type { SourceDriver } from './source.ts';
import { MastodonSource, mastodonConfigSchema } from './mastodon.ts';
import { FeedSource, feedConfigSchema } from './feed.ts';
import { HttpJsonSource, httpJsonConfigSchema } from './http-json.ts';

export const LIVE_KINDS = ['mastodon', 'feed', 'http-json'] as const;
export type LiveKind = (typeof LIVE_KINDS)[number];

/** Settings every live source has, stored beside its kind-specific config. */
export const commonConfigSchema = z.object({
  /** Requests per minute this source may use, never exceeded (default 60). */
  budgetPerMinute: z.number().positive().default(60),
  /** How often to list new posts, in clock ms (default 60 s). */
  listEveryMs: z.number().int().positive().default(60_000),
  /** Real-time ms one request may take before it counts as a timeout (a transient failure, never a deletion; default 10 s). */
  timeoutMs: z.number().int().positive().max(300_000).default(10_000),
});
export type CommonConfig = z.infer<typeof commonConfigSchema>;

/** The common settings of a stored source. */
export function commonConfig(source: Pick<Source, 'config'>): CommonConfig {
  return commonConfigSchema.parse(JSON.parse(source.config));
}

/** Builds the driver for a stored source. */
export function createDriver(source: Pick<Source, 'kind' | 'config' | 'name'>, http: HttpClient, clock: Clock): SourceDriver {
  const raw = JSON.parse(source.config) as unknown;
  switch (source.kind) {
    case 'mastodon': return new MastodonSource(mastodonConfigSchema.parse(raw), http);
    case 'feed': return new FeedSource(feedConfigSchema.parse(raw), http, clock);
    case 'http-json': return new HttpJsonSource(httpJsonConfigSchema.parse(raw), http);
    default: throw new Error(`Source "${source.name}" has kind "${source.kind}", which the watcher cannot follow.`);
  }
}
