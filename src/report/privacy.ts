/**
 * The one privacy policy every exit applies (API, dashboard, post exports, coordination exports,
 * findings). The people in this data may be at risk, so by default no account leaves the store
 * as itself: its platform id and handle become the same keyed pseudonym (`acct_…`, see
 * pseudonym.ts), its display name is dropped (a name identifies a person as well as a handle),
 * mentions of it in structured fields become that pseudonym too, and its id or handle inside
 * other structured values (a post's URL, evidence, extra columns) is replaced. Post text is the
 * evidence and is kept as written (README, "Privacy"). With `reveal` everything passes through.
 */
import type { Store } from '../store/open.ts';
import { pseudonymKey, pseudonymiser } from './pseudonym.ts';

/** The settings key of the server's reveal switch (changed only with the admin token). */
export const REVEAL_SETTING = 'reveal_accounts';

/** A reference to a post that means something outside this store: its source and platform id. */
export interface PostRef {
  source: string;
  platform_post_id: string;
}

/** What accounts become at one exit, decided once from the `reveal` flag. */
export interface AccountView {
  readonly revealed: boolean;
  /** A platform account id as shown (pseudonym unless revealed). */
  id(source: string, platformId: string): string;
  /** A handle as shown: the account's pseudonym, so handle and id link to the same name. */
  handle(source: string, platformId: string | null, handle: string | null): string | null;
  /** A display name as shown: dropped unless revealed. */
  name(displayName: string | null): string | null;
  /** A mentioned handle or id as shown; `knownId` is the platform id when the store knows the account. */
  mention(source: string, mention: string, knownId?: string): string;
  /**
   * Replaces the given raw identifiers (id or handle → what it becomes) wherever they occur as
   * whole words inside the strings of `value`, at any depth. Unchanged when revealed.
   */
  scrub<T>(value: T, replace: Map<string, string>): T;
}

/** Identifiers shorter than this are not searched for inside other strings: "a1" would hit far too much. */
const MIN_SCRUB_LENGTH = 3;

/** Builds the account view for `store`; the store's pseudonym key is read (or made) once. */
export async function accountView(store: Store, reveal: boolean): Promise<AccountView> {
  if (reveal) return REVEALED;
  const pseudo = memo(pseudonymiser(await pseudonymKey(store)));
  const id = (source: string, platformId: string) => pseudo(source, platformId);
  return {
    revealed: false,
    id,
    handle: (source, platformId, handle) => (platformId !== null ? id(source, platformId) : handle === null ? null : mentionName(pseudo, source, handle)),
    name: () => null,
    mention: (source, mention, knownId) => (knownId !== undefined ? id(source, knownId) : mentionName(pseudo, source, mention)),
    scrub: (value, replace) => (typeof value === 'string' && !mentionsAny(value, replace) ? value : scrubValue(value, compile(replace))),
  };
}

const REVEALED: AccountView = {
  revealed: true,
  id: (_s, platformId) => platformId,
  handle: (_s, _id, handle) => handle,
  name: (displayName) => displayName,
  mention: (_s, mention) => mention,
  scrub: (value) => value,
};

/** Pseudonyms computed lately, so a page of posts by few accounts costs few HMACs; bounded. */
const MEMO_ENTRIES = 50_000;

function memo(pseudo: (s: string, id: string) => string): (s: string, id: string) => string {
  let seen = new Map<string, string>();
  return (source, id) => {
    const key = `${source}\u0000${id}`;
    let p = seen.get(key);
    if (p === undefined) {
      if (seen.size >= MEMO_ENTRIES) seen = new Map();
      p = pseudo(source, id);
      seen.set(key, p);
    }
    return p;
  };
}

/** An account the store does not know, named by handle: case and a leading @ do not matter. */
function mentionName(pseudo: (s: string, id: string) => string, source: string, mention: string): string {
  return pseudo(source, `@${mention.replace(/^@/, '').toLowerCase()}`);
}

/** Adds the identifiers of one account to a scrub map: its id and its handle (without @, so "@handle" keeps its @). */
export function addIdentifiers(map: Map<string, string>, shown: string | null, platformId: string | null, handle: string | null): void {
  if (shown === null) return;
  for (const raw of [platformId, handle?.replace(/^@/, '')]) {
    if (raw && raw.length >= MIN_SCRUB_LENGTH && raw !== shown) map.set(raw, shown);
  }
}

const WORD_CHAR = /[\p{L}\p{N}_]/u;

/** True when the code point ending just before `i` (or starting at `i`) is a letter, digit or underscore. */
function wordBefore(s: string, i: number): boolean {
  if (i <= 0) return false;
  const c = s.charCodeAt(i - 1);
  const start = c >= 0xdc00 && c <= 0xdfff && i >= 2 ? i - 2 : i - 1;
  return WORD_CHAR.test(String.fromCodePoint(s.codePointAt(start)!));
}

function wordAt(s: string, i: number): boolean {
  return i < s.length && WORD_CHAR.test(String.fromCodePoint(s.codePointAt(i)!));
}

/** Cheap test before any work: does `s` contain one of the identifiers at all? */
function mentionsAny(s: string, replace: Map<string, string>): boolean {
  for (const k of replace.keys()) if (k.length >= MIN_SCRUB_LENGTH && s.includes(k)) return true;
  return false;
}

/** Replacement pairs, longest identifier first (so "user123" is replaced before "user12" could match inside it). */
function compile(replace: Map<string, string>): Array<[string, string]> | null {
  const pairs = [...replace].filter(([k]) => k.length >= MIN_SCRUB_LENGTH).sort((a, b) => b[0].length - a[0].length);
  return pairs.length ? pairs : null;
}

/** Replaces whole-word occurrences only: "user12" must not rewrite "user123", nor "123" the middle of "91234". */
function replaceWords(s: string, pairs: Array<[string, string]>): string {
  for (const [from, to] of pairs) {
    let at = s.indexOf(from);
    while (at >= 0) {
      const end = at + from.length;
      if (!wordBefore(s, at) && !wordAt(s, end)) {
        s = s.slice(0, at) + to + s.slice(end);
        at = s.indexOf(from, at + to.length);
      } else {
        at = s.indexOf(from, at + 1);
      }
    }
  }
  return s;
}

function scrubValue<T>(value: T, pairs: Array<[string, string]> | null): T {
  if (!pairs) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return replaceWords(v, pairs);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

/** Keys of `extra` (importers' leftover columns) that hold another account's platform id. */
export const ACCOUNT_ID_KEY = /(?:^|_)(?:user_?id|uid|account_?id|userid)$/i;
/** Keys of `extra` that hold another account's handle or name. */
export const ACCOUNT_NAME_KEY = /(?:screen_?name|handle|user_?name|display_?name)$/i;

/** Pseudonymises the account references importers keep in a post's `extra` (e.g. `retweet_userid`). */
export function viewExtra(view: AccountView, source: string, extra: unknown): unknown {
  if (view.revealed || !extra || typeof extra !== 'object' || Array.isArray(extra)) return extra;
  return Object.fromEntries(Object.entries(extra as Record<string, unknown>).map(([k, v]) => {
    if (typeof v === 'string' || typeof v === 'number') {
      if (ACCOUNT_ID_KEY.test(k)) return [k, view.id(source, String(v))];
      if (ACCOUNT_NAME_KEY.test(k)) return [k, view.mention(source, String(v))];
    }
    return [k, v];
  }));
}

/**
 * Looks up which mentioned handles or ids are accounts the store knows (per source id), so a
 * mention gets the same pseudonym as the account itself.
 */
export async function knownMentions(store: Store, sourceId: number, mentions: Iterable<string>): Promise<Map<string, string>> {
  const wanted = [...new Set([...mentions].map((m) => m.replace(/^@/, '')))].filter(Boolean);
  const out = new Map<string, string>();
  for (let i = 0; i < wanted.length; i += 500) {
    const chunk = wanted.slice(i, i + 500);
    const rows = await store.db.selectFrom('accounts').select(['platform_account_id', 'handle'])
      .where('source_id', '=', sourceId)
      .where((eb) => eb.or([eb('handle', 'in', chunk), eb('platform_account_id', 'in', chunk)]))
      .execute();
    for (const r of rows) {
      out.set(r.platform_account_id, r.platform_account_id);
      if (r.handle) out.set(r.handle.replace(/^@/, ''), r.platform_account_id);
    }
  }
  return out;
}

/** Mentions as shown, resolved against the accounts the store knows. */
export function viewMentions(view: AccountView, source: string, mentions: string[] | null, known: Map<string, string>): string[] | null {
  if (!mentions || view.revealed) return mentions;
  return mentions.map((m) => view.mention(source, m, known.get(m.replace(/^@/, ''))));
}

/** Platform references (source name, platform post id) for store post ids. */
export async function postRefs(store: Store, ids: Iterable<number>): Promise<Map<number, PostRef>> {
  const wanted = [...new Set(ids)];
  const out = new Map<number, PostRef>();
  for (let i = 0; i < wanted.length; i += 500) {
    const rows = await store.db.selectFrom('posts').innerJoin('sources', 'sources.id', 'posts.source_id')
      .select(['posts.id', 'sources.name as source', 'posts.platform_post_id'])
      .where('posts.id', 'in', wanted.slice(i, i + 500)).execute();
    for (const r of rows) out.set(Number(r.id), { source: r.source, platform_post_id: r.platform_post_id });
  }
  return out;
}

/**
 * The source name of each account a finding names by platform id: store ids first (exact),
 * then platform ids alone (the first source that has one, when several do).
 */
export async function accountSources(store: Store, storeIds: number[], platformIds: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < storeIds.length; i += 500) {
    const rows = await store.db.selectFrom('accounts').innerJoin('sources', 'sources.id', 'accounts.source_id')
      .select(['accounts.platform_account_id', 'sources.name']).where('accounts.id', 'in', storeIds.slice(i, i + 500)).execute();
    for (const r of rows) out.set(r.platform_account_id, r.name);
  }
  const rest = [...new Set(platformIds)].filter((p) => !out.has(p));
  for (let i = 0; i < rest.length; i += 500) {
    const rows = await store.db.selectFrom('accounts').innerJoin('sources', 'sources.id', 'accounts.source_id')
      .select(['accounts.platform_account_id', 'sources.name']).where('accounts.platform_account_id', 'in', rest.slice(i, i + 500))
      .orderBy('accounts.id').execute();
    for (const r of rows) if (!out.has(r.platform_account_id)) out.set(r.platform_account_id, r.name);
  }
  return out;
}

/**
 * Accounts that sources follow (`source add mastodon --account HANDLE`): their handle appears in
 * the source's name and configuration. Returns handle → pseudonym for `view.scrub` (empty when revealed).
 */
export async function followedAccounts(store: Store, view: AccountView): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  if (view.revealed) return ids;
  // In id order, so every exit (and every evidence bundle, byte for byte) scrubs alike.
  const rows = await store.db.selectFrom('sources').select(['name', 'config']).orderBy('id').execute();
  for (const r of rows) {
    let account: unknown;
    try {
      account = (JSON.parse(r.config ?? 'null') as { account?: unknown } | null)?.account;
    } catch {
      continue;
    }
    if (typeof account === 'string' && account) addIdentifiers(ids, view.mention(r.name, account), null, account);
  }
  return ids;
}

/** Reads the server's reveal switch from the store's settings (off unless set). */
export async function revealSetting(store: Store): Promise<boolean> {
  const row = await store.db.selectFrom('settings').select('value').where('key', '=', REVEAL_SETTING).executeTakeFirst();
  return row?.value === 'true';
}

/** Sets the server's reveal switch in the store's settings. */
export async function setRevealSetting(store: Store, reveal: boolean): Promise<void> {
  const value = reveal ? 'true' : 'false';
  await store.db.insertInto('settings').values({ key: REVEAL_SETTING, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute();
}

/** Accounts hashed per step while indexing pseudonyms; the event loop gets a turn between steps. */
const INDEX_CHUNK = 5000;

/**
 * Finds the accounts behind a pseudonym (`acct_…`) as shown at the exits. HMAC is one-way, so
 * the only way back is to hash every account with the store's key: done once, then only for
 * accounts added since (ids grow), and kept as a map from the pseudonym's first 48 bits to store
 * ids (about 40 bytes an account), every hit confirmed by hashing again.
 */
export class PseudonymIndex {
  private byPrefix = new Map<number, number[]>();
  private indexedUpTo = 0;
  private pseudo: Promise<(s: string, id: string) => string> | null = null;
  private building: Promise<void> | null = null;

  constructor(private store: Store) {}

  /** Store ids of the accounts whose pseudonym is `shown` (none when it is not one). */
  async lookup(shown: string): Promise<number[]> {
    if (!/^acct_[0-9a-f]{20}$/.test(shown)) return [];
    this.pseudo ??= pseudonymKey(this.store).then(pseudonymiser);
    const pseudo = await this.pseudo;
    // Concurrent lookups share one catch-up pass over the new accounts.
    this.building ??= this.catchUp(pseudo).finally(() => { this.building = null; });
    await this.building;
    const candidates = this.byPrefix.get(prefixOf(shown)) ?? [];
    if (!candidates.length) return [];
    const rows = await this.store.db.selectFrom('accounts').innerJoin('sources', 'sources.id', 'accounts.source_id')
      .select(['accounts.id', 'sources.name', 'accounts.platform_account_id']).where('accounts.id', 'in', candidates).execute();
    return rows.filter((r) => pseudo(r.name, r.platform_account_id) === shown).map((r) => Number(r.id));
  }

  private async catchUp(pseudo: (s: string, id: string) => string): Promise<void> {
    for (;;) {
      const rows = await this.store.db.selectFrom('accounts').innerJoin('sources', 'sources.id', 'accounts.source_id')
        .select(['accounts.id', 'sources.name', 'accounts.platform_account_id'])
        .where('accounts.id', '>', this.indexedUpTo).orderBy('accounts.id').limit(INDEX_CHUNK).execute();
      for (const r of rows) {
        const key = prefixOf(pseudo(r.name, r.platform_account_id));
        const list = this.byPrefix.get(key);
        if (list) list.push(Number(r.id));
        else this.byPrefix.set(key, [Number(r.id)]);
        this.indexedUpTo = Math.max(this.indexedUpTo, Number(r.id));
      }
      if (rows.length < INDEX_CHUNK) return;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

/** The first 48 bits of a pseudonym's hex digits, exact as a double. */
function prefixOf(pseudonym: string): number {
  return Number.parseInt(pseudonym.slice(5, 17), 16);
}
