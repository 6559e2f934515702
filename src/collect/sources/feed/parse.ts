/**
 * Feed documents into items, through feedsmith (RSS 0.9x/2.0, RSS 1.0/RDF, Atom, JSON Feed 1.0/1.1):
 * it keeps every value a string as written (no `00042` → 42), decodes XML entities including
 * numeric ones and leaves CDATA literal. This module only maps its output onto what a post
 * needs and validates that with zod.
 *
 * Ids are unchanged from the first feed source (existing stored posts keep theirs): RSS guid,
 * else link, else title; Atom id, else link; RDF rdf:about, else link, else title; JSON Feed id,
 * else url. Text is the title and the description (RSS/RDF) or content, else summary (Atom,
 * JSON Feed), as before. Titles are read as text: RSS/RDF titles and Atom `type="html"` titles
 * are HTML in practice, so their entities (`&amp;#039;`, `&eacute;`) are decoded once more.
 *
 * Real feeds reuse a guid for different items (a podcast copying an episode's enclosure URL).
 * An exact repeat is dropped; items that share an id but differ all get `id#` plus a hash of their
 * text and date, so none is lost and none takes over another's stored post.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { z } from 'zod';
import { parseFeedDate } from './dates.ts';

// Loaded on first use: every CLI command imports the source registry, and feedsmith's module
// graph costs ~0.3 s of start-up that only feed parsing needs.
const require = createRequire(import.meta.url);
let feedsmith: typeof import('feedsmith') | null = null;
let entities: typeof import('entities') | null = null;
const parseAnyFeed = (text: string) => (feedsmith ??= require('feedsmith') as typeof import('feedsmith')).parseFeed(text);
const decodeHTMLStrict = (text: string) => (entities ??= require('entities') as typeof import('entities')).decodeHTMLStrict(text);

export const feedItemSchema = z.object({
  id: z.string().min(1),
  url: z.string().nullable(),
  title: z.string().nullable(),
  text: z.string(),
  /** Publication time, epoch ms, or null when the feed gives none we can read. */
  time: z.number().int().nullable(),
  /** The date exactly as the feed wrote it. */
  rawDate: z.string().nullable(),
  author: z.string().nullable(),
});
export type FeedItem = z.infer<typeof feedItemSchema>;

export type FeedFormat = 'rss' | 'atom' | 'rdf' | 'json';

export interface ParsedFeed {
  format: FeedFormat;
  items: FeedItem[];
}

/** A document that is not a feed in any format we read. */
export class NotAFeedError extends Error {}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : v == null ? [] : [v]);

/** A text value feedsmith gives either as a string or as `{ value, type }`. */
function textOf(v: unknown): string | null {
  if (typeof v === 'string') return v;
  const value = obj(v).value;
  return typeof value === 'string' ? value : null;
}

function nameOf(v: unknown): string | null {
  if (typeof v === 'string') return v || null;
  const name = obj(v).name;
  return typeof name === 'string' && name ? name : null;
}

const first = (...values: (string | null | undefined)[]): string | null => {
  for (const v of values) if (v != null && v !== '') return v;
  return null;
};

/** A title written as HTML, read as the text a reader shows. */
function htmlTitle(v: string | null, stripTags: boolean): string | null {
  if (v == null) return null;
  return decodeHTMLStrict(stripTags ? v.replace(/<[^>]*>/g, '') : v);
}

function dcDate(item: Obj): string | null {
  const dc = obj(item.dc);
  return first(...arr(dc.dates).map(textOf), textOf(dc.date));
}

function dcCreator(item: Obj): string | null {
  const dc = obj(item.dc);
  return first(...arr(dc.creators).map(nameOf), nameOf(dc.creator));
}

function item(fields: Omit<FeedItem, 'time' | 'text'> & { body: string | null }): FeedItem {
  const { body, ...rest } = fields;
  return feedItemSchema.parse({ ...rest, text: [rest.title, body].filter(Boolean).join('\n'), time: parseFeedDate(rest.rawDate) });
}

function rssItem(it: Obj): FeedItem | null {
  const link = first(textOf(it.link));
  const title = htmlTitle(first(textOf(it.title)), false);
  const id = first(textOf(it.guid), link, title);
  if (!id) return null;
  const author = first(...arr(it.authors).map(nameOf), textOf(it.author), dcCreator(it));
  return item({ id, url: link, title, body: first(textOf(it.description)), rawDate: first(textOf(it.pubDate), dcDate(it)), author });
}

function rdfItem(it: Obj): FeedItem | null {
  const link = first(textOf(it.link));
  const title = htmlTitle(first(textOf(it.title)), false);
  const id = first(textOf(obj(it.rdf).about), link, title);
  if (!id) return null;
  return item({ id, url: link, title, body: first(textOf(it.description)), rawDate: dcDate(it), author: dcCreator(it) });
}

function atomEntry(e: Obj): FeedItem | null {
  const links = arr(e.links).map(obj);
  const link = first(...links.filter((l) => !l.rel || l.rel === 'alternate').map((l) => textOf(l.href)));
  const t = e.title;
  const type = obj(t).type;
  const title = type === 'html' || type === 'xhtml' ? htmlTitle(textOf(t), true) : textOf(t);
  const id = first(textOf(e.id), link);
  if (!id) return null;
  return item({
    id, url: link, title, body: first(textOf(e.content), textOf(e.summary)),
    rawDate: first(textOf(e.published), textOf(e.updated), dcDate(e)), author: first(...arr(e.authors).map(nameOf)),
  });
}

function jsonItem(it: Obj): FeedItem | null {
  const url = first(textOf(it.url));
  const id = first(textOf(it.id), typeof it.id === 'number' ? String(it.id) : null, url);
  if (!id) return null;
  const title = first(textOf(it.title));
  return item({
    id, url, title, body: first(textOf(it.content_text), textOf(it.content_html), textOf(it.summary)),
    rawDate: first(textOf(it.date_published), textOf(it.date_modified)), author: first(...arr(it.authors).map(nameOf), nameOf(it.author)),
  });
}

const sameItem = (a: FeedItem, b: FeedItem) => a.text === b.text && a.url === b.url && a.rawDate === b.rawDate && a.author === b.author;

function separateSharedIds(items: FeedItem[]): FeedItem[] {
  const byId = new Map<string, FeedItem[]>();
  const kept: FeedItem[] = [];
  for (const it of items) {
    const group = byId.get(it.id) ?? [];
    if (group.some((g) => sameItem(g, it))) continue;
    group.push(it);
    byId.set(it.id, group);
    kept.push(it);
  }
  return kept.map((it) => {
    if (byId.get(it.id)!.length === 1) return it;
    const hash = createHash('sha256').update(`${it.text}\n${it.rawDate ?? ''}`).digest('hex').slice(0, 16);
    return { ...it, id: `${it.id}#${hash}` };
  });
}

/**
 * JSON Feed ids must be strings, but some feeds write numbers, and JSON.parse rounds those past
 * 2^53 (12345678901234567890 → 12345678901234567000). Quoting them first keeps them as written.
 * In valid JSON an unescaped `"id"` followed by a colon can only be a key.
 */
function quoteNumericJsonIds(text: string): string {
  return text.replace(/(?<!\\)("id"\s*:\s*)(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(?=\s*[,}])/g, '$1"$2"');
}

/** Parses a decoded feed document (RSS 0.9x/1.0/2.0, Atom or JSON Feed) into its items. */
export function parseFeedText(text: string): ParsedFeed {
  let parsed: { format: string; feed: unknown };
  try {
    const json = /^\s*\{/.test(text);
    parsed = parseAnyFeed(json ? quoteNumericJsonIds(text) : text) as { format: string; feed: unknown };
  } catch (err) {
    throw new NotAFeedError(`The document is not an RSS, RDF, Atom or JSON feed (${(err as Error).message}).`);
  }
  const feed = obj(parsed.feed);
  const map: Record<string, [unknown, (o: Obj) => FeedItem | null]> = {
    rss: [feed.items, rssItem], rdf: [feed.items, rdfItem], atom: [feed.entries, atomEntry], json: [feed.items, jsonItem],
  };
  const entry = map[parsed.format];
  if (!entry) throw new NotAFeedError(`The document is a ${parsed.format} document, not a feed.`);
  const items = arr(entry[0]).map((i) => entry[1](obj(i))).filter((i): i is FeedItem => i != null);
  return { format: parsed.format as FeedFormat, items: separateSharedIds(items) };
}
