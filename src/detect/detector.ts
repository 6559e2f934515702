/**
 * A detector reads the store, finds something, and records it as findings. Each detector is one
 * folder under src/detect/ exporting one object of this shape; src/detect/index.ts lists them.
 */
import type { Store } from '../store/open.ts';
import type { Progress } from '../util/progress.ts';

export interface Detector<Options, Result> {
  /** Short name, also the CLI command and the findings `kind` it writes. */
  readonly name: string;
  readonly description: string;
  /** Options used when none are given (the scheduled runs of the observatory use these). */
  readonly defaults: Options;
  /** Runs over the store and stores its findings; returns what it found. */
  run(store: Store, options: Options, progress?: Progress): Promise<Result>;
}
