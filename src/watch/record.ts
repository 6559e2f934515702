/**
 * Turns one check into evidence: an observation row always; a new version when the text
 * changed; and a disappearance only when a second, later check confirms the same kind of
 * "gone" (a transient failure or a visible answer in between resets nothing or clears it).
 * An account found gone closes every open post of that account with its own observation.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Store } from '../store/open.ts';
import type { Database } from '../store/schema.ts';
import type { CheckResult, GoneKind } from '../collect/sources/source.ts';
import { GONE_KINDS, storableText } from '../collect/sources/source.ts';
import type { Claimed } from './queue.ts';
import { nextInterval, transientDelay, type SchedulePolicy } from './policy.ts';

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

async function observe(db: Kysely<Database>, postId: number, now: number, r: CheckResult): Promise<number> {
  const row = await db.insertInto('observations').values({
    post_id: postId, observed_at: now, outcome: r.outcome, http_status: r.httpStatus, error_code: r.errorCode, detail: JSON.stringify(r.detail),
  }).returning('id').executeTakeFirstOrThrow();
  return Number(row.id);
}

/** Stores a text as a version of a post (once per distinct text). */
export async function addVersion(db: Kysely<Database>, postId: number, seenAt: number, text: string): Promise<void> {
  await db.insertInto('post_versions').values({ post_id: postId, seen_at: seenAt, text, sha256: sha256(text) })
    .onConflict((oc) => oc.columns(['post_id', 'sha256']).doNothing()).execute();
}

/** What a recorded check led to. */
export type Recorded = 'visible' | 'edited' | 'pending' | GoneKind | 'transient' | 'unknown' | 'expired';

/** A recorded check: what it led to, and the observation row that holds it (the archive links its records there). */
export interface RecordedCheck {
  recorded: Recorded;
  observationId: number;
  /** The answer carried a new text (also at the horizon, where `recorded` says `expired`). */
  edited: boolean;
}

/** Records a check of a claimed post and reschedules it. */
export async function recordCheck(store: Store, item: Claimed, r: CheckResult, now: number, policy: SchedulePolicy): Promise<RecordedCheck> {
  return (await recordChecks(store, [{ item, result: r, at: now }], policy))[0];
}

/** A finished check waiting to be recorded. */
export interface FinishedCheck {
  item: Claimed;
  result: CheckResult;
  /** Clock time the check ended (the observation's time). */
  at: number;
}

/**
 * Records several checks in one transaction, in order, exactly as one by one: the evidence and
 * the schedule of each move together, and one commit serves them all (a commit, not the rows,
 * is what costs at many checks a second).
 */
export async function recordChecks(store: Store, checks: FinishedCheck[], policy: SchedulePolicy): Promise<RecordedCheck[]> {
  if (!checks.length) return [];
  return store.db.transaction().execute(async (tx) => {
    const out: RecordedCheck[] = [];
    for (const { item, result: r, at } of checks) {
      const observationId = await observe(tx, item.postId, at, r);
      out.push({ recorded: await recordIn(tx, item, r, at, policy, observationId), observationId, edited: editedText(item, r) !== null });
    }
    return out;
  });
}

/** The text a visible answer carries when it differs from the stored one (an edit), else null. */
function editedText(item: Claimed, r: CheckResult): string | null {
  const text = r.outcome !== 'visible' || r.text == null ? null : storableText(r.text);
  return text !== null && text !== item.text ? text : null;
}

async function recordIn(db: Kysely<Database>, item: Claimed, r: CheckResult, now: number, policy: SchedulePolicy, obsId: number): Promise<Recorded> {
  const age = now - item.postedAt;
  const release = { lease_owner: null, lease_until: null, last_checked_at: now, checks: item.checks + 1 };
  const expired = age >= policy.horizonMs;
  if (r.outcome === 'visible') {
    const text = editedText(item, r);
    const edited = text !== null;
    if (edited) await addVersion(db, item.postId, now, text);
    await db.updateTable('posts').set({ last_seen: now, ...(edited ? { text } : {}) }).where('id', '=', item.postId).execute();
    await db.updateTable('watch_schedule').set({
      ...release, transient_streak: 0, pending_kind: null, pending_since: null, next_check_at: now + nextInterval(policy, age), done: expired ? 1 : 0,
    }).where('post_id', '=', item.postId).execute();
    return expired ? 'expired' : edited ? 'edited' : 'visible';
  }
  if ((GONE_KINDS as readonly string[]).includes(r.outcome)) {
    const kind = r.outcome as GoneKind;
    if (item.pendingKind === kind && item.pendingSince != null) {
      await confirmGone(db, item.postId, kind, item.lastSeen, item.pendingSince, obsId, now, r);
      await db.updateTable('watch_schedule').set({ ...release, done: 1 }).where('post_id', '=', item.postId).execute();
      if (kind === 'account_gone' && item.accountId != null) await closeAccount(db, item.accountId, item.postId, obsId, now, r);
      return kind;
    }
    await db.updateTable('watch_schedule').set({
      ...release, transient_streak: 0, pending_kind: kind, pending_since: now, next_check_at: now + policy.confirmMs,
    }).where('post_id', '=', item.postId).execute();
    return 'pending';
  }
  // transient or unknown: never a disappearance; try again soon, keeping any pending answer.
  const streak = item.transientStreak + 1;
  await db.updateTable('watch_schedule').set({
    ...release, transient_streak: streak, next_check_at: now + transientDelay(policy, age, streak), done: expired && streak > 5 ? 1 : 0,
  }).where('post_id', '=', item.postId).execute();
  return r.outcome === 'transient' ? 'transient' : 'unknown';
}

async function confirmGone(db: Kysely<Database>, postId: number, kind: GoneKind, lastSeen: number, firstMissing: number, obsId: number, now: number, r: CheckResult): Promise<void> {
  await db.insertInto('disappearances').values({
    post_id: postId, kind, last_seen_at: lastSeen, first_missing_at: firstMissing, observation_id: obsId, detected_at: now,
  }).onConflict((oc) => oc.column('post_id').doNothing()).execute();
  await db.updateTable('posts').set({
    status: kind, status_changed_at: firstMissing,
    status_evidence: JSON.stringify({ observationId: obsId, lastSeenAt: lastSeen, firstMissingAt: firstMissing, httpStatus: r.httpStatus, errorCode: r.errorCode }),
  }).where('id', '=', postId).execute();
}

/** The account is gone: every open post of it is gone with it, each with its own observation. */
async function closeAccount(db: Kysely<Database>, accountId: number, provenBy: number, obsId: number, now: number, r: CheckResult): Promise<void> {
  await db.updateTable('accounts').set({ status: r.errorCode === 'account_gone' ? 'gone' : 'suspended', last_seen: now }).where('id', '=', accountId).execute();
  const open = await db.selectFrom('watch_schedule as w').innerJoin('posts as p', 'p.id', 'w.post_id')
    .select(['w.post_id', 'p.last_seen']).where('p.account_id', '=', accountId).where('w.done', '=', 0).where('w.post_id', '<>', provenBy).execute();
  for (const o of open) {
    const pid = Number(o.post_id);
    const own = await observe(db, pid, now, { outcome: 'account_gone', httpStatus: r.httpStatus, errorCode: r.errorCode, detail: { via: 'account', provenByObservation: obsId } });
    await confirmGone(db, pid, 'account_gone', Number(o.last_seen), now, own, now, r);
    await db.updateTable('watch_schedule').set({ done: 1, lease_owner: null, lease_until: null }).where('post_id', '=', pid).execute();
  }
}
