/** Registering live sources in the store (what `censorscope source add` does). */
import type { Store } from '../../store/open.ts';
import type { Source } from '../../store/schema.ts';
import { UserError } from '../../util/errors.ts';
import { loadHttpJsonConfig } from './http-json.ts';
import { mastodonConfigSchema } from './mastodon.ts';
import { FEED_ACCEPT, MAX_FEED_BYTES, NotAFeedError, feedConfigSchema, readFeed, type ReadFeed } from './feed.ts';
import { HttpClient, RequestBudget, TooLargeError, TransientError } from './http.ts';
import { commonConfigSchema } from './registry.ts';
import { realClock } from '../../watch/clock.ts';

interface Common {
  name?: string;
  budgetPerMinute?: number;
  listEveryMs?: number;
  timeoutMs?: number;
  /** The source is a simulation (`censorscope sim`, the demo): the dashboard says so on every page. */
  simulated?: boolean;
}
export type SourceInput =
  | ({ kind: 'mastodon'; url: string; public?: boolean; hashtag?: string; account?: string } & Common)
  | ({ kind: 'feed'; url: string } & Common)
  | ({ kind: 'http-json'; configFile: string } & Common);

function defaultName(input: SourceInput): string {
  if (input.kind === 'http-json') return `http-json:${input.configFile}`;
  if (input.kind === 'feed') return `feed:${input.url}`;
  const what = input.hashtag ? `#${input.hashtag.replace(/^#/, '')}` : input.account ? `@${input.account.replace(/^@/, '')}` : 'public';
  return `mastodon:${new URL(input.url).host}:${what}`;
}

/** Validates and stores a new live source; returns its row. */
export async function addSource(store: Store, input: SourceInput): Promise<Source> {
  const common = commonConfigSchema.safeParse({ budgetPerMinute: input.budgetPerMinute, listEveryMs: input.listEveryMs, timeoutMs: input.timeoutMs });
  if (!common.success) {
    const field = common.error.issues[0]?.path[0];
    throw new UserError(field === 'timeoutMs' ? 'The request timeout must be a whole number of milliseconds between 1 and 300000.'
      : field === 'listEveryMs' ? 'The listing interval must be a positive whole number of milliseconds.'
        : 'The request budget must be a positive number of requests per minute.');
  }
  let config: Record<string, unknown>;
  let platform: string;
  if (input.kind === 'mastodon') {
    const picked = [input.public, input.hashtag, input.account].filter(Boolean).length;
    if (picked !== 1) throw new UserError('Give exactly one of --public, --hashtag TAG or --account HANDLE for a mastodon source.');
    // `#tag` and `@user` as people write them; the API wants them bare.
    const parsed = mastodonConfigSchema.safeParse({ url: input.url, public: input.public, hashtag: input.hashtag?.replace(/^#/, ''), account: input.account?.replace(/^@/, '') });
    if (!parsed.success) throw new UserError(`"${input.url}" is not a valid URL for a Mastodon server (e.g. https://mastodon.example).`);
    config = parsed.data;
    platform = 'mastodon';
  } else if (input.kind === 'feed') {
    const parsed = feedConfigSchema.safeParse({ url: input.url });
    if (!parsed.success) throw new UserError(`"${input.url}" is not a valid feed URL.`);
    config = parsed.data;
    platform = 'feed';
  } else {
    let loaded;
    try {
      loaded = loadHttpJsonConfig(input.configFile);
    } catch (err) {
      throw new UserError((err as Error).message);
    }
    config = { ...loaded, configFile: input.configFile };
    platform = loaded.platform ?? 'http-json';
  }
  const name = input.name ?? defaultName(input);
  const existing = await store.db.selectFrom('sources').select('id').where('name', '=', name).executeTakeFirst();
  if (existing) throw new UserError(`A source named "${name}" already exists; pick another with --name.`);
  const row = await store.db.insertInto('sources').values({
    kind: input.kind, name, platform, config: JSON.stringify({ ...config, ...common.data, ...(input.simulated ? { simulated: true } : {}) }), cursor: null, enabled: 1, created_at: Date.now(),
  }).returningAll().executeTakeFirstOrThrow();
  return row;
}

/** Live sources (not imports), oldest first. */
export async function listSources(store: Store): Promise<Source[]> {
  return store.db.selectFrom('sources').selectAll().where('kind', 'in', ['mastodon', 'feed', 'http-json']).orderBy('id').execute();
}

/**
 * Fetches a feed URL once and reads it as the watcher will, so `source add feed` refuses what is
 * not a feed (an HTML page, an error page, an unknown charset) with a sentence before storing it.
 */
export async function checkFeedUrl(url: string, http?: HttpClient): Promise<ReadFeed> {
  if (!feedConfigSchema.safeParse({ url }).success || !/^https?:/i.test(url)) throw new UserError(`"${url}" is not a valid feed URL (http:// or https://).`);
  const client = http ?? new HttpClient({ budget: new RequestBudget(60, realClock), clock: realClock, attempts: 1, timeoutMs: 20_000, policy: { allowOrigins: [url] } });
  let res;
  try {
    res = await client.get(url, FEED_ACCEPT, MAX_FEED_BYTES);
  } catch (err) {
    if (err instanceof TransientError) throw new UserError(`Could not fetch ${url} (${err.message}); check the URL, or try again when the server answers.`);
    if (err instanceof TooLargeError) throw new UserError(`${err.message} A feed is far smaller; give the feed's own URL.`);
    throw err;
  }
  if (res.status !== 200) throw new UserError(`${url} answered HTTP ${res.status}, not a feed; give a URL that serves the feed.`);
  try {
    return readFeed(res.bytes, res.headers.get('content-type'), url);
  } catch (err) {
    if (err instanceof NotAFeedError) throw new UserError(err.message);
    throw new UserError(`${url}: ${(err as Error).message}`);
  }
}
