/**
 * Scans the store for impostors of the watchlist: every account (display name and handle,
 * through the names library's index) and the domain of every URL in every post (the post's own
 * URL, its `urls`, links in its text and in its importer's extra columns), so a campaign
 * spreading links to a cloned outlet is found from the posts themselves. Findings are stored as
 * kind `impostor`, one per account or domain; a rerun replaces them.
 */
import type { Store } from '../../store/open.ts';
import type { Progress } from '../../util/progress.ts';
import { NameIndex, type AccountMatch, type WatchEntry } from './names.ts';
import { DomainIndex, type DomainFinding } from './domains.ts';
import { listWatchlist } from './watchlist.ts';
import { hostsInPost } from './urls.ts';

export const IMPOSTOR_KIND = 'impostor';

/** An account flagged in the store (raw, as stored; exits apply the privacy policy). */
export interface StoredAccountImpostor {
  subject: 'account';
  accountId: number;
  source: string;
  platformAccountId: string;
  handle: string | null;
  name: string | null;
  target: string;
  targetEntryId: number;
  score: number;
  reasons: string[];
  posts: number;
}

/** A domain flagged in the store's posts. */
export interface StoredDomainImpostor {
  subject: 'domain';
  domain: string;
  target: string;
  targetEntryId: number;
  score: number;
  form: DomainFinding['form'];
  reasons: string[];
  /** Posts linking to it, and the first few of them (store ids). */
  posts: number;
  postIds: number[];
}

export interface ImpostorsResult {
  watchlist: number;
  accountsScanned: number;
  postsScanned: number;
  accounts: StoredAccountImpostor[];
  domains: StoredDomainImpostor[];
}

export interface ImpostorsOptions {
  /** The entries to protect (default: the store's watchlist). */
  watchlist?: WatchEntry[];
  /** Store the findings (default true). */
  save?: boolean;
  /** Rows read per query. */
  page?: number;
}

/** The label a finding names its target by: the entry's name, else handle, else domain. */
export function targetLabel(e: WatchEntry, prefer: 'account' | 'domain'): string {
  return (prefer === 'domain' ? e.domain ?? e.name ?? e.handle : e.name ?? e.handle ?? e.domain) ?? `entry ${e.id}`;
}

/** The indexes a watchlist builds once for a whole scan. */
export function buildIndexes(entries: WatchEntry[]): { names: NameIndex; domains: DomainIndex; byId: Map<number, WatchEntry> } {
  const withNames = entries.filter((e) => e.name || e.handle);
  const withDomains = entries.filter((e): e is WatchEntry & { domain: string } => Boolean(e.domain));
  return { names: new NameIndex(withNames), domains: new DomainIndex(withDomains.map((e) => ({ id: e.id, domain: e.domain }))), byId: new Map(entries.map((e) => [e.id, e])) };
}

/** The strongest of an account's matches, or null. */
export function bestMatch(matches: AccountMatch[]): AccountMatch | null {
  let best: AccountMatch | null = null;
  for (const m of matches) if (!best || m.score > best.score) best = m;
  return best;
}

/** Runs the scan over the store and (by default) stores the findings. */
export async function runImpostors(store: Store, opts: ImpostorsOptions = {}, progress?: Progress): Promise<ImpostorsResult> {
  const entries = opts.watchlist ?? (await listWatchlist(store));
  const page = opts.page ?? 2000;
  const { names, domains, byId } = buildIndexes(entries);
  const result: ImpostorsResult = { watchlist: entries.length, accountsScanned: 0, postsScanned: 0, accounts: [], domains: [] };
  if (!entries.length) {
    // Nothing to protect: nothing can be an impostor, and stale findings of an emptied watchlist go.
    if (opts.save ?? true) await saveFindings(store, result);
    return result;
  }

  const accountTotal = await store.db.selectFrom('accounts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  const postTotal = await store.db.selectFrom('posts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  progress?.setTotal(Number(accountTotal?.n ?? 0) + Number(postTotal?.n ?? 0));

  const flagged = new Map<number, StoredAccountImpostor>();
  for (let after = 0; ;) {
    const rows = await store.db.selectFrom('accounts').innerJoin('sources', 'sources.id', 'accounts.source_id')
      .select(['accounts.id', 'accounts.platform_account_id', 'accounts.handle', 'accounts.display_name', 'sources.name as source', 'sources.platform'])
      .where('accounts.id', '>', after).orderBy('accounts.id').limit(page).execute();
    if (!rows.length) break;
    after = Number(rows[rows.length - 1]!.id);
    for (const r of rows) {
      const m = bestMatch(names.match({ name: r.display_name, handle: r.handle, platform: r.platform }));
      if (!m) continue;
      const f: StoredAccountImpostor = {
        subject: 'account', accountId: Number(r.id), source: r.source, platformAccountId: r.platform_account_id, handle: r.handle, name: r.display_name,
        target: targetLabel(m.entry, 'account'), targetEntryId: m.entry.id, score: m.score, reasons: m.reasons, posts: 0,
      };
      flagged.set(f.accountId, f);
    }
    result.accountsScanned += rows.length;
    progress?.tick(rows.length, { impostors: flagged.size });
  }
  if (flagged.size) {
    const ids = [...flagged.keys()];
    for (let i = 0; i < ids.length; i += 500) {
      const counts = await store.db.selectFrom('posts').select(['account_id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('account_id', 'in', ids.slice(i, i + 500)).groupBy('account_id').execute();
      for (const c of counts) flagged.get(Number(c.account_id))!.posts = Number(c.n);
    }
  }

  // A domain is judged once however many posts link it; the cache is bounded for huge stores.
  const judged = new Map<string, DomainFinding | null>();
  const hits = new Map<string, StoredDomainImpostor>();
  for (let after = 0; ;) {
    const rows = await store.db.selectFrom('posts').select(['id', 'url', 'urls', 'text', 'extra'])
      .where('id', '>', after).orderBy('id').limit(page).execute();
    if (!rows.length) break;
    after = Number(rows[rows.length - 1]!.id);
    for (const r of rows) {
      for (const host of hostsInPost(r)) {
        let f = judged.get(host);
        if (f === undefined) {
          f = domains.size ? domains.match(host) : null;
          if (judged.size > 200_000) judged.clear();
          judged.set(host, f);
        }
        if (!f) continue;
        let hit = hits.get(f.domain);
        if (!hit) {
          const entry = byId.get(f.targetId)!;
          hit = { subject: 'domain', domain: f.domain, target: targetLabel(entry, 'domain'), targetEntryId: entry.id, score: f.score, form: f.form, reasons: f.reasons, posts: 0, postIds: [] };
          hits.set(f.domain, hit);
        }
        if (hit.postIds[hit.postIds.length - 1] !== Number(r.id)) {
          hit.posts++;
          if (hit.postIds.length < 50) hit.postIds.push(Number(r.id));
        }
      }
    }
    result.postsScanned += rows.length;
    progress?.tick(rows.length, { impostors: flagged.size + hits.size });
  }

  result.accounts = [...flagged.values()].sort((a, b) => b.score - a.score || a.accountId - b.accountId);
  result.domains = [...hits.values()].sort((a, b) => b.score - a.score || b.posts - a.posts || (a.domain < b.domain ? -1 : 1));
  if (opts.save ?? true) await saveFindings(store, result);
  return result;
}

/** Replaces the stored impostor findings with this run's. Summaries name targets and domains, never accounts. */
async function saveFindings(store: Store, result: ImpostorsResult): Promise<void> {
  const now = Date.now();
  const rows = [
    ...result.accounts.map((a) => ({
      kind: IMPOSTOR_KIND, key: `account:${a.accountId}`, score: a.score, created_at: now, evidence: JSON.stringify(a),
      summary: `An account imitates the watched ${a.target} (score ${a.score.toFixed(2)}; ${a.posts} post${a.posts === 1 ? '' : 's'}).`,
    })),
    ...result.domains.map((d) => ({
      kind: IMPOSTOR_KIND, key: `domain:${d.domain}`, score: d.score, created_at: now, evidence: JSON.stringify(d),
      summary: `${d.domain} imitates ${d.target} (score ${d.score.toFixed(2)}), linked from ${d.posts} post${d.posts === 1 ? '' : 's'}.`,
    })),
  ];
  await store.db.transaction().execute(async (tx) => {
    await tx.deleteFrom('findings').where('kind', '=', IMPOSTOR_KIND).execute();
    for (let i = 0; i < rows.length; i += 200) await tx.insertInto('findings').values(rows.slice(i, i + 200)).execute();
  });
}
