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

import { genericFormat, type Mapping } from './generic.ts';
import { UserError } from '../../util/errors.ts';

/** What it takes to rebuild a format elsewhere (a worker thread): its name and, for csv/jsonl, the mapping. */
export interface FormatSpec {
  name: string;
  mapping?: Mapping;
}

/** Builds the format a spec names. */
export function resolveFormat(spec: FormatSpec): Format {
  const fixed = FIXED_FORMATS[spec.name];
  if (fixed) return fixed;
  if ((spec.name === 'csv' || spec.name === 'jsonl') && spec.mapping) return genericFormat(spec.name, spec.mapping);
  throw new UserError(`Unknown format "${spec.name}"; choose one of ${ALL_FORMAT_NAMES.join(', ')}.`);
}
