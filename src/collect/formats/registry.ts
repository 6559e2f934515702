/** The import formats, by `--format` name. */
import type { Format } from './format.ts';
import { weiboscope } from './weiboscope.ts';
import { twitterIo } from './twitter-io.ts';
import { ira } from './ira.ts';
import { qut } from './qut.ts';

/** Formats with a fixed layout. `csv` and `jsonl` need a mapping (generic.ts); `ooni` is measurements. */
export const FIXED_FORMATS: Record<string, Format> = {
  [weiboscope.name]: weiboscope,
  [twitterIo.name]: twitterIo,
  [ira.name]: ira,
  [qut.name]: qut,
};

export const ALL_FORMAT_NAMES = [...Object.keys(FIXED_FORMATS), 'csv', 'jsonl', 'ooni'];
