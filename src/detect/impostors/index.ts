/**
 * Impostors (issue 11): accounts and domains that pose as the watchlist's officials, police and
 * news outlets. Accounts are compared by the names library (names.ts), domains by domains.ts;
 * the store scan is scan.ts. Findings are kind `impostor`.
 */
import type { Detector } from '../detector.ts';
import { runImpostors, type ImpostorsOptions, type ImpostorsResult } from './scan.ts';

export { runImpostors, IMPOSTOR_KIND } from './scan.ts';

/** The impostor detector, for scheduled runs (it reads the store's watchlist). */
export const impostorsDetector: Detector<ImpostorsOptions, ImpostorsResult> = {
  name: 'impostors',
  description: 'Accounts and linked domains that imitate the watchlist\'s accounts and sites (look-alike names, handles and domains), with checkable reasons.',
  defaults: {},
  run: (store, options, progress) => runImpostors(store, options, progress),
};
