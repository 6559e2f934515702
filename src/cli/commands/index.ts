/**
 * Every CLI command, one module each; adding a command is one line here. The top-level help is
 * printed from this table alone and a run loads only its command's module, so `censorscope --help`
 * does not load the whole program (test/cli/commands-table.test.ts checks the table against what
 * the modules register).
 */
import type { Command } from 'commander';

/** A top-level command as the help lists it, and how to load it. */
export interface CommandEntry {
  name: string;
  /** What the help prints after the name: `[options]` when it has options, then its arguments. */
  usage: string;
  /** One line for the command list; `censorscope <name> --help` gives the full description. */
  summary: string;
  /** Loads the command's module and returns the function that registers it on the program. */
  load: () => Promise<(program: Command) => void>;
}

export const COMMANDS: CommandEntry[] = [
  { name: 'import', usage: '[options] <files...>', summary: 'Import files of posts (or OONI measurements) into the store; idempotent and resumable.', load: async () => (await import('./import.ts')).registerImport },
  { name: 'stats', usage: '[options]', summary: 'Count posts, accounts and posts by status in the store.', load: async () => (await import('./stats.ts')).registerStats },
  { name: 'export', usage: '', summary: 'Export data from the store.', load: async () => (await import('./export.ts')).registerExport },
  { name: 'demo', usage: '[options]', summary: 'Run the whole observatory locally on a fresh SQLite store with a simulated platform, until Ctrl-C.', load: async () => (await import('./demo.ts')).registerDemo },
  { name: 'serve', usage: '[options]', summary: 'Serve the JSON API (/api/…, described at /openapi.json) and the dashboard over the store until Ctrl-C.', load: async () => (await import('./serve.ts')).registerServe },
  { name: 'probe', usage: '[options]', summary: 'Test whether websites are reachable and, if not, how they are blocked (OONI web connectivity).', load: async () => (await import('./probe.ts')).registerProbe },
  { name: 'th', usage: '[options]', summary: 'Serve a web-connectivity test helper (OONI control protocol); run it on an unfiltered network.', load: async () => (await import('./th.ts')).registerTh },
  { name: 'coordination', usage: '[options]', summary: 'Find coordinated campaigns: accounts posting, reposting, linking or tagging alike within a time window.', load: async () => (await import('./coordination.ts')).registerCoordination },
  { name: 'terms', usage: '[options]', summary: 'Rank the terms whose posts the platform removes more often than their authors\' other posts.', load: async () => (await import('./terms.ts')).registerTerms },
  { name: 'extract', usage: '[options]', summary: 'Find the keyword rules (and negation rules) a censoring filter applies, by querying it.', load: async () => (await import('./extract.ts')).registerExtract },
  { name: 'source', usage: '', summary: 'Manage live sources (mastodon, feed, http-json) for the deletion watch.', load: async () => (await import('./source.ts')).registerSource },
  { name: 'watch', usage: '[options]', summary: 'Follow the live sources and tracked sites, revisit them and record disappearances (Ctrl-C to stop).', load: async () => (await import('./watch.ts')).registerWatch },
  { name: 'sim', usage: '[options]', summary: 'Run the simulated Mastodon-API platform (a seeded scenario with censorship) until Ctrl-C.', load: async () => (await import('./sim.ts')).registerSim },
  { name: 'evidence', usage: '', summary: 'Evidence bundles: one ZIP per post or campaign with a report, the raw observations and SHA-256 hashes.', load: async () => (await import('./evidence.ts')).registerEvidence },
  { name: 'impostors', usage: '[options]', summary: 'Find accounts and domains that imitate the watchlist\'s accounts and sites.', load: async () => (await import('./impostors.ts')).registerImpostors },
  { name: 'watchlist', usage: '', summary: 'The accounts and sites the impostor detector protects (`censorscope impostors`).', load: async () => (await import('./watchlist.ts')).registerWatchlist },
  { name: 'site', usage: '', summary: 'Track websites: revisit them, archive each answer (WARC) and classify the change.', load: async () => (await import('./site.ts')).registerSite },
  { name: 'archive', usage: '', summary: 'Export and check the web archive (WARC records of tracked sites and watched posts).', load: async () => (await import('./archive.ts')).registerArchive },
];
