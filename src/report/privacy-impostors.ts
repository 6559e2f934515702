/**
 * Impostor findings as they leave the store (API, dashboard, CLI): the flagged account through
 * the one privacy policy (privacy.ts: id and handle pseudonymised, display name dropped unless
 * revealed), and its identifiers scrubbed from the reasons too. Domains and the watchlist's
 * targets are public sites and accounts the user chose to protect, and are shown as they are.
 */
import { addIdentifiers, type AccountView } from './privacy.ts';
import type { StoredAccountImpostor, StoredDomainImpostor } from '../detect/impostors/scan.ts';

/** A flagged account as shown. `accountId` is the store's id, for links to the account's posts. */
export interface ShownAccountImpostor {
  account_id: string;
  name: string | null;
  handle: string | null;
  target: string;
  score: number;
  reasons: string[];
  accountId: number;
  posts: number;
}

/** One account finding through the privacy policy. */
export function viewAccountImpostor(a: StoredAccountImpostor, view: AccountView): ShownAccountImpostor {
  const shown = view.id(a.source, a.platformAccountId);
  const ids = new Map<string, string>();
  addIdentifiers(ids, shown, a.platformAccountId, a.handle);
  if (!view.revealed && a.name && a.name.trim().length >= 3) ids.set(a.name.trim(), shown);
  return {
    account_id: shown, name: view.name(a.name), handle: view.handle(a.source, a.platformAccountId, a.handle),
    target: a.target, score: a.score, reasons: view.scrub(a.reasons, ids), accountId: a.accountId, posts: a.posts,
  };
}

/** A flagged domain as shown (nothing in it names an account). */
export function viewDomainImpostor(d: StoredDomainImpostor) {
  return { domain: d.domain, target: d.target, score: d.score, form: d.form, reasons: d.reasons, posts: d.posts, postIds: d.postIds };
}
