/**
 * How a generated (simulated) measurement is recognised. The demo and the test fixtures write
 * measurements that no probe made (src/serve/fixtures-probe.ts); each carries this prefix in its
 * `measurement_uid` (so in the store's `probe_measurements.uid` column) and in its `report_id`,
 * and `annotations.simulated = "true"`. OONI's own uids start with a timestamp, so none can
 * carry the prefix.
 */
export const SIMULATED_PREFIX = 'SIMULATED-';

/** True for the store uid (or OONI measurement_uid) of a generated measurement. */
export function isSimulatedUid(uid: string | null | undefined): boolean {
  return typeof uid === 'string' && uid.startsWith(SIMULATED_PREFIX);
}
