/**
 * Accounts that sources follow (`source add mastodon --account HANDLE`) are named in those
 * sources' names and configurations; a bundle that names its source must hide them as the
 * server does (src/serve/api/settings.ts, `followedAccounts`), by the same rule.
 */
import type { Store } from '../../store/open.ts';
import { addIdentifiers, type AccountView } from '../privacy.ts';

/** Followed accounts' handles and what each becomes (empty when accounts are revealed). */
export async function followedIdentifiers(store: Store, view: AccountView): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  if (view.revealed) return ids;
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
