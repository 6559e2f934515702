// Types of scripts/build.mjs for the TypeScript that imports it (tests, benches).
/** The project folder. */
export const ROOT: string;
/** dist/.build-stamp: its time is when the last build started. */
export const STAMP: string;
/** Why dist/ must be rebuilt, or null when it is up to date with src/. */
export function staleReason(): string | null;
/** Compiles src/ into dist/ and copies the run-time assets. */
export function build(opts?: { log?: (line: string) => void }): void;
/** Rebuilds dist/ when src/ is newer than the last build; true when it built. */
export function ensureBuilt(opts?: { log?: (line: string) => void }): boolean;
