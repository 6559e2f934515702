/** Words for statuses and outcomes, so a report never shows a bare code (`deleted` means the actor is unknown). */

const STATUS: Record<string, string> = {
  visible: 'visible',
  deleted: 'deleted (actor unknown)',
  deleted_by_author: 'deleted by its author',
  removed_by_platform: 'removed by the platform',
  account_gone: 'gone with its account (suspended or deleted)',
  unknown: 'unknown',
  transient: 'no answer (transient failure: never counted as a disappearance)',
};

/** A status or observation outcome in words. */
export function statusWords(status: string): string {
  return STATUS[status] ?? status.replace(/_/g, ' ');
}
