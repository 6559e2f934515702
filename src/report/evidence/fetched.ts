/**
 * Which request a check of a post made, so a reader can repeat it. Observations do not store the
 * URL they fetched; each source driver builds it from its configuration and the post in one fixed
 * way (src/collect/sources/*.ts), so it is rebuilt here the same way. Source configurations are
 * written by hand and may hold credentials, so every URL is redacted before it leaves.
 */
import { mastodonConfigSchema } from '../../collect/sources/mastodon.ts';
import { httpJsonConfigSchema } from '../../collect/sources/http-json.ts';
import { feedConfigSchema } from '../../collect/sources/feed.ts';
import { redactString } from '../redact.ts';

/** The source a post came from, as the store keeps it. */
export interface SourceInfo {
  name: string;
  kind: string;
  platform: string;
  config: string | null;
}

/** How a post is checked by its source: the platform lookup the watcher requests, if any. */
export interface CheckRequest {
  /** The URL the watcher requests to check this post, or null when it does not check it by URL. */
  url: string | null;
  /** How the check is made, as a sentence. */
  how: string;
}

function parseConfig(config: string | null): unknown {
  try {
    return JSON.parse(config ?? 'null');
  } catch {
    return null;
  }
}

/**
 * The request that checks `platformPostId` on `source` (the watcher's own, see each driver's
 * `checkPost`). `via` is an observation's `detail.via` where the driver records it (feeds).
 */
export function checkRequest(source: SourceInfo, platformPostId: string, postUrl: string | null, via?: unknown): CheckRequest {
  const config = parseConfig(source.config);
  if (source.kind === 'mastodon') {
    const c = mastodonConfigSchema.safeParse(config);
    if (c.success) {
      return {
        url: redactString(`${c.data.url.replace(/\/+$/, '')}/api/v1/statuses/${encodeURIComponent(platformPostId)}`),
        how: 'GET of the status by id on the Mastodon server (a 404 with a healthy account is "deleted", actor unknown; a suspended or vanished account is "account_gone").',
      };
    }
  }
  if (source.kind === 'http-json') {
    const c = httpJsonConfigSchema.safeParse(config);
    if (c.success) {
      return {
        url: redactString(c.data.check.url.replaceAll('{id}', encodeURIComponent(platformPostId))),
        how: "GET of the source's check URL, its answer mapped by the source's configured rules.",
      };
    }
  }
  if (source.kind === 'feed') {
    const c = feedConfigSchema.safeParse(config);
    if (c.success) {
      if (via === 'feed') return { url: redactString(c.data.url), how: 'The post was listed in the feed fetched from this URL.' };
      return { url: postUrl ? redactString(postUrl) : null, how: "Missing from the feed, so the item's own URL was requested (404/410: deleted; 451: removed by the platform)." };
    }
  }
  if (source.kind === 'import') {
    return { url: null, how: 'Imported from a file: Censorscope did not fetch it; its status is what the data set says.' };
  }
  return { url: null, how: `Checked by a "${source.kind}" source, whose request Censorscope cannot rebuild.` };
}
