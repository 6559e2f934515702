/**
 * Every detector, by name. A new detector is a folder under src/detect/ exporting a `Detector`
 * (src/detect/detector.ts) and one line here; the demo's schedule, the server's services and the API
 * run them from this list.
 */
import type { Detector } from './detector.ts';
import { coordinationDetector } from './coordination/index.ts';
import { termsDetector } from './terms/index.ts';
import { impostorsDetector } from './impostors/index.ts';
import { sitesDetector } from './sites/index.ts';

// Each detector has its own option and result types; callers that only schedule them need neither.
export const DETECTORS: ReadonlyArray<Detector<any, unknown>> = [coordinationDetector, termsDetector, impostorsDetector, sitesDetector];

/** The detector with this name, or undefined. */
export function detectorByName(name: string): Detector<any, unknown> | undefined {
  return DETECTORS.find((d) => d.name === name);
}
