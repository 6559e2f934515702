/**
 * Pseudonyms for accounts in exports. The people in this data may be at risk, so exports never
 * show account ids or handles unless asked: each account becomes a keyed hash (HMAC-SHA256 with
 * a random key kept in the store), stable across exports of the same store and useless without
 * the key.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { Store } from '../store/open.ts';

const KEY_NAME = 'pseudonym_key';

/** Returns the store's pseudonym key, creating it on first use. */
export async function pseudonymKey(store: Store): Promise<Buffer> {
  const row = await store.db.selectFrom('settings').select('value').where('key', '=', KEY_NAME).executeTakeFirst();
  if (row) return Buffer.from(row.value, 'hex');
  await store.db.insertInto('settings').values({ key: KEY_NAME, value: randomBytes(32).toString('hex') })
    .onConflict((oc) => oc.column('key').doNothing()).execute();
  return pseudonymKey(store);
}

/** A pseudonymiser bound to one key: same account → same pseudonym. */
export function pseudonymiser(key: Buffer): (sourceName: string, accountId: string) => string {
  return (sourceName, accountId) =>
    `acct_${createHmac('sha256', key).update(sourceName).update('\u0000').update(accountId).digest('hex').slice(0, 20)}`;
}
