/**
 * What a reader types into the posts list's "account" filter, resolved to store accounts: the
 * store's account number, a platform handle (with or without its @), a platform account id, or
 * the pseudonym (`acct_…`) the dashboard shows. Every account that matches is kept, with how it
 * matched: a number can be a store id and a platform id (Weibo's uids are numbers) at once.
 */
import type { AccountView, PseudonymIndex } from '../../report/privacy.ts';
import type { ServeDb } from './tables.ts';

/** Accounts one filter value may name; more means the value is too vague to be a filter. */
export const MAX_ACCOUNT_MATCHES = 50;

export type MatchKind = 'store id' | 'handle' | 'platform id' | 'pseudonym';

/** One account the filter matched, as the current privacy view shows it. */
export interface AccountMatch {
  id: number;
  source: string;
  /** The account as shown at this exit (its pseudonym unless accounts are revealed). */
  account: string;
  matched: MatchKind;
}

/** Resolves `value` to accounts, in store-id order, at most MAX_ACCOUNT_MATCHES. */
export async function resolveAccounts(db: ServeDb, pseudonyms: PseudonymIndex, view: AccountView, value: string): Promise<AccountMatch[]> {
  const found = new Map<number, MatchKind>();
  const add = (ids: number[], kind: MatchKind) => { for (const id of ids) if (!found.has(id)) found.set(id, kind); };
  if (/^\d{1,15}$/.test(value)) add([Number(value)], 'store id');
  add(await pseudonyms.lookup(value), 'pseudonym');
  const handle = value.replace(/^@/, '');
  if (handle) {
    const byHandle = await db.selectFrom('accounts').select('id').where('handle', 'in', [handle, `@${handle}`]).limit(MAX_ACCOUNT_MATCHES + 1).execute();
    add(byHandle.map((r) => Number(r.id)), 'handle');
    const byPlatformId = await db.selectFrom('accounts').select('id').where('platform_account_id', '=', value).limit(MAX_ACCOUNT_MATCHES + 1).execute();
    add(byPlatformId.map((r) => Number(r.id)), 'platform id');
  }
  if (!found.size) return [];
  const ids = [...found.keys()].slice(0, MAX_ACCOUNT_MATCHES + 1);
  const rows = await db.selectFrom('accounts as a').innerJoin('sources as s', 's.id', 'a.source_id')
    .select(['a.id', 's.name as source', 'a.platform_account_id', 'a.handle']).where('a.id', 'in', ids).orderBy('a.id').execute();
  return rows.map((r) => ({
    id: Number(r.id), source: r.source,
    account: view.handle(r.source, r.platform_account_id, r.handle) ?? view.id(r.source, r.platform_account_id),
    matched: found.get(Number(r.id))!,
  }));
}
