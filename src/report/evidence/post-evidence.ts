/**
 * Everything the store knows about one post, as evidence: the post, every version of its text,
 * every observation (time, outcome, HTTP status, error, detail, the request that made it), and
 * the disappearance interval with the observation that proved it. Accounts go through the
 * privacy policy exactly as the API's post view does (src/serve/api/posts.ts): the author's id
 * and handle become its pseudonym everywhere they appear in structured fields; the text is kept
 * as written, since it is the evidence.
 */
import { createHash } from 'node:crypto';
import type { Store } from '../../store/open.ts';
import { UserError } from '../../util/errors.ts';
import { addIdentifiers, followedAccounts, knownMentions, viewExtra, viewMentions, ACCOUNT_ID_KEY, ACCOUNT_NAME_KEY, type AccountView } from '../privacy.ts';
import { checkRequest, type CheckRequest, type SourceInfo } from './fetched.ts';
import { latest } from './time.ts';
import { collectArchived, type ArchivedEvidence } from './archived.ts';

export interface EvidenceVersion {
  seen_at: number;
  sha256: string;
  /** True when the stored sha256 is the hash of the stored text (it always should be). */
  sha256_matches: boolean;
  text: string;
}

export interface EvidenceObservation {
  id: number;
  observed_at: number;
  outcome: string;
  http_status: number | null;
  error_code: string | null;
  detail: unknown;
  request: CheckRequest;
}

export interface EvidenceDisappearance {
  id: number;
  kind: string;
  last_seen_at: number;
  first_missing_at: number;
  observation_id: number | null;
  detected_at: number;
}

export interface PostEvidence {
  kind: 'post';
  revealed: boolean;
  /** The latest time in the data: the bundle describes the store as of then. */
  asOf: number;
  source: { name: string; kind: string; platform: string };
  post: {
    id: number;
    platform_post_id: string;
    account: string | null;
    handle: string | null;
    account_name: string | null;
    account_status: string | null;
    created_at: number | null;
    first_seen: number;
    last_seen: number;
    status: string;
    status_changed_at: number | null;
    status_evidence: unknown;
    url: string | null;
    language: string | null;
    reply_to_id: string | null;
    repost_of_id: string | null;
    hashtags: unknown;
    urls: unknown;
    mentions: unknown;
    extra: unknown;
    text: string;
  };
  versions: EvidenceVersion[];
  observations: EvidenceObservation[];
  disappearances: EvidenceDisappearance[];
  /** How to look at the post again: its public URL (null when pseudonymising rewrote it) and the request the watcher makes. */
  recheck: CheckRequest & { publicUrl: string | null };
  /** The answers archived for the post's checks (WARC records; the bytes only when accounts are revealed). */
  archive: ArchivedEvidence;
}

function parseJson(text: string | null): unknown {
  if (text == null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const n = (v: unknown): number | null => (v == null ? null : Number(v));

/**
 * The store id of the post `ref` names: a store id (`123`) or `SOURCE:PLATFORM_POST_ID`
 * (the longest source name that prefixes it wins, since both parts may contain colons).
 */
export async function resolvePostId(store: Store, ref: string): Promise<number> {
  const trimmed = ref.trim();
  if (/^\d{1,15}$/.test(trimmed)) {
    const row = await store.db.selectFrom('posts').select('id').where('id', '=', Number(trimmed)).executeTakeFirst();
    if (row) return Number(row.id);
    throw new UserError(`No post ${trimmed} in this store; give its store id (the number in the dashboard's /posts/ID address) or SOURCE:PLATFORM_POST_ID (the source and platform_post_id columns of \`censorscope export posts\`).`);
  }
  const sources = await store.db.selectFrom('sources').select(['id', 'name']).execute();
  const candidates = sources.filter((s) => trimmed.startsWith(`${s.name}:`)).sort((a, b) => b.name.length - a.name.length);
  for (const s of candidates) {
    const row = await store.db.selectFrom('posts').select('id').where('source_id', '=', Number(s.id))
      .where('platform_post_id', '=', trimmed.slice(s.name.length + 1)).executeTakeFirst();
    if (row) return Number(row.id);
  }
  if (!trimmed.includes(':')) {
    throw new UserError(`"${trimmed.slice(0, 80)}" is not a post id: give the store id (a number) or SOURCE:PLATFORM_POST_ID.`);
  }
  const names = sources.map((s) => s.name).sort();
  throw new UserError(candidates.length
    ? `No post "${trimmed.slice(0, 120)}" in this store: source "${candidates[0]!.name}" has no post with that platform id.`
    : `No post "${trimmed.slice(0, 120)}" in this store: no source is named "${trimmed.slice(0, trimmed.indexOf(':'))}" (sources: ${names.slice(0, 10).join(', ') || 'none'}).`);
}

/**
 * Reads a post's evidence through the account view; throws a UserError when the post is not there.
 * `archiveDir` is the web archive folder its archived answers are read from.
 */
export async function collectPostEvidence(store: Store, postId: number, view: AccountView, archiveDir: string | null = null): Promise<PostEvidence> {
  const db = store.db;
  const p = await db.selectFrom('posts as p')
    .innerJoin('sources as s', 's.id', 'p.source_id')
    .leftJoin('accounts as a', 'a.id', 'p.account_id')
    .selectAll('p')
    .select(['s.name as source_name', 's.kind as source_kind', 's.platform as source_platform', 's.config as source_config',
      'a.handle as handle', 'a.platform_account_id', 'a.display_name', 'a.status as account_status'])
    .where('p.id', '=', postId)
    .executeTakeFirst();
  if (!p) throw new UserError(`No post ${postId} in this store; give its store id (the number in the dashboard's /posts/ID address) or SOURCE:PLATFORM_POST_ID (the source and platform_post_id columns of \`censorscope export posts\`).`);
  const source = p.source_name;
  const mentionsRaw = parseJson(p.mentions);
  const mentionList = Array.isArray(mentionsRaw) ? mentionsRaw.map(String) : null;
  const known = mentionList && !view.revealed ? await knownMentions(store, Number(p.source_id), mentionList) : new Map<string, string>();
  const shownMentions = viewMentions(view, source, mentionList, known);
  const author = p.platform_account_id === null ? null : view.id(source, p.platform_account_id);
  // Raw identifiers this post carries and what each becomes, replaced inside every structured field.
  const ids = await followedAccounts(store, view);
  addIdentifiers(ids, author, p.platform_account_id, p.handle);
  mentionList?.forEach((m, i) => addIdentifiers(ids, shownMentions![i]!, null, m));
  const extraRaw = parseJson(p.extra);
  if (extraRaw && typeof extraRaw === 'object' && !view.revealed) {
    for (const [k, v] of Object.entries(extraRaw as Record<string, unknown>)) {
      if (typeof v === 'string' && ACCOUNT_ID_KEY.test(k)) addIdentifiers(ids, view.id(source, v), v, null);
      else if (typeof v === 'string' && ACCOUNT_NAME_KEY.test(k)) addIdentifiers(ids, view.mention(source, v), null, v);
    }
  }
  const [versions, observations, disappearances] = await Promise.all([
    db.selectFrom('post_versions').select(['seen_at', 'text', 'sha256']).where('post_id', '=', postId).orderBy('seen_at').orderBy('id').execute(),
    db.selectFrom('observations').select(['id', 'observed_at', 'outcome', 'http_status', 'error_code', 'detail'])
      .where('post_id', '=', postId).orderBy('observed_at').orderBy('id').execute(),
    db.selectFrom('disappearances').selectAll().where('post_id', '=', postId).orderBy('first_missing_at').orderBy('id').execute(),
  ]);
  const sourceInfo: SourceInfo = { name: source, kind: p.source_kind, platform: p.source_platform, config: p.source_config };
  const url = view.scrub(p.url, ids);
  const shownSource = view.scrub({ name: source, kind: p.source_kind, platform: p.source_platform }, ids);
  const post: PostEvidence['post'] = {
    id: Number(p.id), platform_post_id: p.platform_post_id,
    account: author, handle: view.handle(source, p.platform_account_id, p.handle), account_name: view.name(p.display_name),
    account_status: p.account_status, created_at: n(p.created_at), first_seen: Number(p.first_seen), last_seen: Number(p.last_seen),
    status: p.status, status_changed_at: n(p.status_changed_at), status_evidence: view.scrub(parseJson(p.status_evidence), ids),
    url, language: p.language, reply_to_id: p.reply_to_id, repost_of_id: p.repost_of_id,
    hashtags: parseJson(p.hashtags), urls: view.scrub(parseJson(p.urls), ids), mentions: mentionList === null ? mentionsRaw : shownMentions,
    extra: view.scrub(viewExtra(view, source, extraRaw), ids), text: p.text,
  };
  const obs = observations.map((o) => {
    const detail = view.scrub(parseJson(o.detail), ids);
    const via = detail && typeof detail === 'object' ? (detail as { via?: unknown }).via : undefined;
    return {
      id: Number(o.id), observed_at: Number(o.observed_at), outcome: o.outcome, http_status: n(o.http_status), error_code: o.error_code,
      detail, request: checkRequest(sourceInfo, p.platform_post_id, url, via),
    };
  });
  const vers = versions.map((v) => ({
    seen_at: Number(v.seen_at), sha256: v.sha256, sha256_matches: createHash('sha256').update(v.text).digest('hex') === v.sha256, text: v.text,
  }));
  const gone = disappearances.map((d) => ({
    id: Number(d.id), kind: d.kind, last_seen_at: Number(d.last_seen_at), first_missing_at: Number(d.first_missing_at),
    observation_id: n(d.observation_id), detected_at: Number(d.detected_at),
  }));
  // Posts closed with their account were proved gone by another post's check: its records count here too.
  const provers = [...new Set(observations.map((o) => (parseJson(o.detail) as { provenByObservation?: unknown } | null)?.provenByObservation)
    .filter((v): v is number => typeof v === 'number'))].sort((a, b) => a - b);
  const archive = await collectArchived(store, postId, provers, view, ids, archiveDir);
  const asOf = latest([post.last_seen, post.first_seen, post.status_changed_at, ...vers.map((v) => v.seen_at), ...obs.map((o) => o.observed_at),
    ...gone.map((d) => d.detected_at)]) ?? post.first_seen;
  return {
    kind: 'post', revealed: view.revealed, asOf, source: shownSource, post, versions: vers, observations: obs, disappearances: gone,
    recheck: { ...checkRequest(sourceInfo, p.platform_post_id, url), publicUrl: url === p.url ? url : null }, archive,
  };
}
