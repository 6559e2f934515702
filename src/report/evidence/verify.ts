/**
 * Checks a bundle: every file listed in MANIFEST.sha256 is present with that hash, no file is
 * present that it does not list, and manifest.json agrees with the files. Each problem is a
 * sentence naming the file, so `censorscope evidence verify` can say exactly what changed.
 */
import { MANIFEST_FILE, SHA256_FILE, manifestSchema, parseSha256sum, sha256Hex, type Manifest } from './manifest.ts';
import { readZip, ZipReadError } from './zip.ts';

export interface VerifyResult {
  ok: boolean;
  /** SHA-256 of the whole bundle file, the hash to cite. */
  bundle_sha256: string;
  manifest: Manifest | null;
  files: Array<{ file: string; bytes: number; sha256: string; ok: boolean }>;
  problems: Array<{ file: string; message: string }>;
}

/** Verifies a bundle's bytes; `name` is how messages call the bundle. */
export function verifyBundle(data: Uint8Array, name: string): VerifyResult {
  const result: VerifyResult = { ok: false, bundle_sha256: sha256Hex(data), manifest: null, files: [], problems: [] };
  const problem = (file: string, message: string) => result.problems.push({ file, message });
  let files: Map<string, Uint8Array>;
  try {
    const read = readZip(data);
    files = read.files;
    for (const d of read.duplicates) problem(d, `${d} appears twice in ${name}: an archive whose entries share a name can be unpacked two ways, so it proves nothing.`);
  } catch (err) {
    if (!(err instanceof ZipReadError)) throw err;
    problem(name, `${name} cannot be read as an evidence bundle: ${err.message}.`);
    return result;
  }
  const sums = files.get(SHA256_FILE);
  if (!sums) {
    problem(SHA256_FILE, `${SHA256_FILE} is missing from ${name}: it is not a Censorscope evidence bundle, or the file was removed.`);
    return result;
  }
  const { hashes, problems } = parseSha256sum(Buffer.from(sums).toString('utf8'));
  for (const p of problems) problem(SHA256_FILE, p);
  for (const [file, expected] of [...hashes].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const bytes = files.get(file);
    if (!bytes) {
      problem(file, `${file} is listed in ${SHA256_FILE} but missing from ${name}.`);
      continue;
    }
    const actual = sha256Hex(bytes);
    const ok = actual === expected;
    result.files.push({ file, bytes: bytes.byteLength, sha256: actual, ok });
    if (!ok) problem(file, `${file} has SHA-256 ${actual} but ${SHA256_FILE} says ${expected}: the file was changed after the bundle was made.`);
  }
  for (const file of [...files.keys()].sort()) {
    if (file !== SHA256_FILE && !hashes.has(file)) problem(file, `${file} is in ${name} but not listed in ${SHA256_FILE}: it was added after the bundle was made.`);
  }
  const manifestBytes = files.get(MANIFEST_FILE);
  if (!manifestBytes) problem(MANIFEST_FILE, `${MANIFEST_FILE} is missing from ${name}.`);
  else {
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(manifestBytes).toString('utf8'));
    } catch (err) {
      problem(MANIFEST_FILE, `${MANIFEST_FILE} is not valid JSON (${(err as Error).message}).`);
    }
    const m = manifestSchema.safeParse(parsed);
    if (parsed !== undefined && !m.success) {
      const issue = m.error.issues[0]!;
      problem(MANIFEST_FILE, `${MANIFEST_FILE} field "${issue.path.join('.') || '(root)'}" is invalid: ${issue.message}.`);
    }
    if (m.success) {
      result.manifest = m.data;
      for (const e of m.data.files) {
        const bytes = files.get(e.file);
        if (!bytes) problem(e.file, `${e.file} is listed in ${MANIFEST_FILE} but missing from ${name}.`);
        else if (bytes.byteLength !== e.bytes || sha256Hex(bytes) !== e.sha256) {
          problem(e.file, `${e.file} has ${bytes.byteLength} bytes and SHA-256 ${sha256Hex(bytes)}, but ${MANIFEST_FILE} says ${e.bytes} bytes and ${e.sha256}.`);
        }
      }
      const listed = new Set(m.data.files.map((f) => f.file));
      for (const file of [...files.keys()].sort()) {
        if (file !== SHA256_FILE && file !== MANIFEST_FILE && !listed.has(file)) problem(file, `${file} is in ${name} but not listed in ${MANIFEST_FILE}.`);
      }
    }
  }
  result.ok = result.problems.length === 0;
  return result;
}
