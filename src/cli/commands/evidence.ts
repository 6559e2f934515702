/** `censorscope evidence post|campaign ID --out FILE` and `censorscope evidence verify FILE`: evidence bundles. */
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { archiveDirOf, withStore, printJson } from '../context.ts';
import { campaignBundle, postBundle, type Bundle } from '../../report/evidence/bundle.ts';
import { verifyBundle } from '../../report/evidence/verify.ts';
import { UserError } from '../../util/errors.ts';

interface MakeFlags { out?: string; revealAccounts?: boolean; json?: boolean }

/** Writes the bundle next to its destination first, so an interrupted run never leaves half a ZIP under the name. */
function save(bundle: Bundle, out: string): void {
  const tmp = `${out}.partial-${process.pid}`;
  try {
    writeFileSync(tmp, bundle.bytes);
    renameSync(tmp, out);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new UserError(`Cannot write ${out}: ${(err as Error).message}`);
  }
}

function report(bundle: Bundle, out: string, flags: MakeFlags, what: string): void {
  if (flags.json) {
    printJson({ out, kind: bundle.kind, bytes: bundle.bytes.byteLength, sha256: bundle.sha256, accounts: bundle.revealed ? 'revealed' : 'pseudonymised', files: bundle.files });
    return;
  }
  process.stderr.write(`Wrote the evidence bundle for ${what} to ${out} (${bundle.files.length} files, ${bundle.bytes.byteLength} bytes, accounts ${bundle.revealed ? 'REVEALED' : 'pseudonymised'}).\nSHA-256 ${bundle.sha256}; check it with: censorscope evidence verify ${out}\n`);
}

export function registerEvidence(program: Command): void {
  const ev = program.command('evidence').description('Evidence bundles: one ZIP per post or campaign with a printable report, the raw observations, a manifest of SHA-256 hashes and the commands to re-verify.');
  const make = (kind: 'post' | 'campaign', idHelp: string) => ev.command(`${kind} <id>`)
    .description(`Write the evidence bundle of one ${kind} (${idHelp}). Accounts are pseudonymised unless --reveal-accounts; the same store gives a byte-identical bundle.`)
    .option('--out <file>', `where to write the ZIP (default: censorscope-evidence-${kind}-ID.zip in the current directory)`)
    .option('--reveal-accounts', 'show real account ids, handles and display names (the people in this data may be at risk)')
    .option('--json', 'print {"out", "kind", "bytes", "sha256", "accounts", "files"} as JSON')
    .action(async (id: string, flags: MakeFlags, cmd: Command) => {
      const bundle = await withStore(cmd, (store) => (kind === 'post'
        ? postBundle(store, id, { reveal: !!flags.revealAccounts, archiveDir: archiveDirOf(cmd) })
        : campaignBundle(store, id, { reveal: !!flags.revealAccounts })));
      const out = flags.out ?? bundle.name;
      save(bundle, out);
      report(bundle, out, flags, `${kind} ${id}`);
    });
  make('post', 'its store id, or SOURCE:PLATFORM_POST_ID');
  make('campaign', 'its id, as `coordination --json` and the dashboard show it');

  ev.command('verify <file>')
    .description('Check an evidence bundle: every file against MANIFEST.sha256 and manifest.json; exits 1 naming each file that differs, is missing or was added.')
    .option('--json', 'print {"ok", "bundle_sha256", "manifest", "files", "problems"} as JSON')
    .action((file: string, flags: { json?: boolean }) => {
      let data: Buffer;
      try {
        if (statSync(file).size > 2 ** 31 - 1) throw new UserError(`${file} is over 2 GiB: no evidence bundle is that large.`);
        data = readFileSync(file);
      } catch (err) {
        if (err instanceof UserError) throw err;
        throw new UserError(`Cannot read ${file}: ${(err as Error).message}`);
      }
      const r = verifyBundle(data, file);
      if (flags.json) printJson(r);
      else if (r.ok) {
        const m = r.manifest!;
        process.stdout.write(`OK: all ${r.files.length} files that MANIFEST.sha256 lists in ${file} match it and manifest.json (${m.kind} ${JSON.stringify(m.subject)}, accounts ${m.accounts}, data as of ${m.data_as_of}).\nBundle SHA-256 ${r.bundle_sha256}\n`);
      } else {
        for (const p of r.problems) process.stderr.write(`censorscope: ${p.message}\n`);
        process.stderr.write(`censorscope: ${file} does NOT verify (${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}).\n`);
      }
      if (!r.ok) process.exitCode = 1;
    });
}
