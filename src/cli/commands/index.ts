/** Every CLI command, one module each; adding a command is one line here. */
import type { Command } from 'commander';
import { registerImport } from './import.ts';
import { registerStats } from './stats.ts';
import { registerExport } from './export.ts';
import { registerDemo } from './demo.ts';
import { registerServe } from './serve.ts';
import { registerProbe } from './probe.ts';
import { registerTh } from './th.ts';
import { registerCoordination } from './coordination.ts';
import { registerSource } from './source.ts';
import { registerWatch } from './watch.ts';
import { registerSim } from './sim.ts';
import { registerTerms } from './terms.ts';
import { registerExtract } from './extract.ts';
import { registerEvidence } from './evidence.ts';
import { registerImpostors } from './impostors.ts';
import { registerWatchlist } from './watchlist.ts';
import { registerSite } from './site.ts';

export const COMMANDS: Array<(program: Command) => void> = [registerImport, registerStats, registerExport, registerDemo, registerServe, registerProbe, registerTh, registerCoordination, registerTerms, registerExtract, registerSource, registerWatch, registerSim, registerEvidence,
  registerImpostors, registerWatchlist, registerSite];
