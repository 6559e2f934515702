/**
 * A bundle's manifests: MANIFEST.sha256 in the format `sha256sum -c` reads (every file but
 * itself, manifest.json included) and manifest.json (what the bundle is, which privacy policy was
 * in force, and every data file with its bytes and SHA-256).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

export const SHA256_FILE = 'MANIFEST.sha256';
export const MANIFEST_FILE = 'manifest.json';
export const BUNDLE_FORMAT = 'censorscope-evidence/1';

export interface ManifestEntry {
  file: string;
  bytes: number;
  sha256: string;
}

/** SHA-256 of bytes as lower-case hex. */
export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Entries for the given files, sorted by name. */
export function entriesOf(files: Record<string, Uint8Array>): ManifestEntry[] {
  return Object.keys(files).sort().map((file) => ({ file, bytes: files[file]!.byteLength, sha256: sha256Hex(files[file]!) }));
}

/** MANIFEST.sha256: one `HASH  FILE` line per file (two spaces: `sha256sum`'s text mode). */
export function sha256sumText(entries: ManifestEntry[]): string {
  return entries.map((e) => `${e.sha256}  ${e.file}\n`).join('');
}

/** Reads MANIFEST.sha256; a line that is not `HASH  FILE` (or `HASH *FILE`) is a problem. */
export function parseSha256sum(text: string): { hashes: Map<string, string>; problems: string[] } {
  const hashes = new Map<string, string>();
  const problems: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (line === '') return;
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (!m) problems.push(`${SHA256_FILE} line ${i + 1} is not "SHA256  FILE": ${JSON.stringify(line.slice(0, 100))}.`);
    else if (hashes.has(m[2]!)) problems.push(`${SHA256_FILE} lists ${m[2]} twice (line ${i + 1}).`);
    else hashes.set(m[2]!, m[1]!);
  });
  return { hashes, problems };
}

/** manifest.json as a bundle carries it. */
export const manifestSchema = z.object({
  format: z.literal(BUNDLE_FORMAT),
  kind: z.enum(['post', 'campaign']),
  subject: z.record(z.string(), z.unknown()),
  accounts: z.enum(['pseudonymised', 'revealed']),
  data_as_of: z.string(),
  generator: z.string(),
  files: z.array(z.object({ file: z.string(), bytes: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) })),
});
export type Manifest = z.infer<typeof manifestSchema>;
