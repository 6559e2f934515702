/**
 * Which of the store's data is simulated. A dashboard a newsroom publishes from must never let
 * generated data pass for observed data: every page shows a banner while any simulated source
 * is present, and never otherwise. Each kind of data has one check below; adding a kind (say,
 * measurements made against a simulated network) is one entry in CHECKS.
 */
import { z } from 'zod';
import type { ServeDb } from './tables.ts';
import { parseJson } from './common.ts';
import { SIMULATED_PREFIX } from '../../probe/simulated.ts';

/** One simulated source of data, as the API reports it. */
export interface SimulatedSource {
  kind: 'posts' | 'measurements';
  /** The source's name (a posts source) or the marker's name (measurements). */
  source: string;
}

/**
 * The mark `source add --simulated`, `censorscope demo` and the test fixtures put in a
 * source's config. Anything but `true` (absent, "yes", 1) is not a claim of simulation.
 */
const simulatedConfig = z.object({ simulated: z.literal(true) });

/** Posts sources whose config says they are simulated. */
async function simulatedPostSources(db: ServeDb): Promise<SimulatedSource[]> {
  const rows = await db.selectFrom('sources').select(['name', 'config']).orderBy('id').execute();
  return rows.filter((r) => simulatedConfig.safeParse(parseJson(r.config)).success).map((r) => ({ kind: 'posts', source: r.name }));
}

/** Generated measurements (the demo's, the fixtures'): their uid carries SIMULATED_PREFIX (src/probe/simulated.ts). */
async function simulatedMeasurements(db: ServeDb): Promise<SimulatedSource[]> {
  const row = await db.selectFrom('probe_measurements').select('uid')
    // A range, not LIKE: it uses the uid index on both backends ('.' follows '-' in ASCII).
    .where('uid', '>=', SIMULATED_PREFIX).where('uid', '<', `${SIMULATED_PREFIX.slice(0, -1)}.`).limit(1).executeTakeFirst();
  return row ? [{ kind: 'measurements', source: 'generated measurements (uid SIMULATED-…)' }] : [];
}

/** One check per kind of data; each returns the simulated sources it finds. */
const CHECKS: Array<(db: ServeDb) => Promise<SimulatedSource[]>> = [simulatedPostSources, simulatedMeasurements];

/** Every simulated source present in the store (empty when all data is observed). */
export async function simulatedSources(db: ServeDb): Promise<SimulatedSource[]> {
  return (await Promise.all(CHECKS.map((check) => check(db)))).flat();
}
