/**
 * Evidence bundles: one ZIP per post or campaign with a human-readable report (report.html,
 * printable), the raw data, VERIFY.md, and manifests hashing every file. The same store gives a
 * byte-identical bundle (see zip.ts), so a bundle's SHA-256 can be cited. Accounts go through the
 * privacy policy (pseudonymised unless `reveal`), and the manifest and report say which was used.
 */
import { readFileSync } from 'node:fs';
import type { Store } from '../../store/open.ts';
import { accountView } from '../privacy.ts';
import { collectPostEvidence, resolvePostId } from './post-evidence.ts';
import { collectCampaignEvidence } from './campaign-evidence.ts';
import { postReport } from './post-report.ts';
import { campaignReport } from './campaign-report.ts';
import { campaignRawFiles, postRawFiles } from './raw-files.ts';
import { shellQuote, verifyMd, type VerifyMdInput } from './verify-md.ts';
import { BUNDLE_FORMAT, MANIFEST_FILE, SHA256_FILE, entriesOf, sha256Hex, sha256sumText, type Manifest, type ManifestEntry } from './manifest.ts';
import { deterministicZip } from './zip.ts';
import { iso } from './time.ts';
import { ARCHIVE_WARC, archiveNotes } from './archive-files.ts';

export interface Bundle {
  kind: 'post' | 'campaign';
  /** The file name to save it under. */
  name: string;
  bytes: Uint8Array;
  /** SHA-256 of the ZIP. */
  sha256: string;
  revealed: boolean;
  /** Every file inside, with bytes and SHA-256. */
  files: ManifestEntry[];
}

export interface BundleOptions {
  /** Show real accounts (CLI --reveal-accounts, or the server's admin setting). */
  reveal: boolean;
  /** The web archive folder: a post's archived answers are copied from there (archive.warc.gz, accounts revealed only). */
  archiveDir?: string | null;
}

const GENERATOR = `censorscope ${(JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version}`;
const utf8 = (s: string) => new TextEncoder().encode(s);

/** A file-name-safe form of an id (campaign keys are strings from the store). */
export function safeName(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 100) || 'unnamed';
}

interface Parts {
  kind: 'post' | 'campaign';
  name: string;
  subject: Record<string, unknown>;
  revealed: boolean;
  asOf: number;
  raw: Record<string, string>;
  /** Files that are bytes, not text (archive.warc.gz). */
  binary?: Record<string, Uint8Array>;
  verify: Omit<VerifyMdInput, 'bundleName' | 'revealed' | 'asOf'>;
  report: (files: ManifestEntry[]) => string;
}

function assemble(p: Parts): Bundle {
  const files: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(p.raw)) files[k] = utf8(v);
  Object.assign(files, p.binary ?? {});
  files['VERIFY.md'] = utf8(verifyMd({ ...p.verify, bundleName: p.name, revealed: p.revealed, asOf: iso(p.asOf)! }));
  files['report.html'] = utf8(p.report(entriesOf(files)));
  const manifest: Manifest = {
    format: BUNDLE_FORMAT, kind: p.kind, subject: p.subject, accounts: p.revealed ? 'revealed' : 'pseudonymised',
    data_as_of: iso(p.asOf)!, generator: GENERATOR, files: entriesOf(files),
  };
  files[MANIFEST_FILE] = utf8(`${JSON.stringify(manifest, null, 2)}\n`);
  files[SHA256_FILE] = utf8(sha256sumText(entriesOf(files)));
  const bytes = deterministicZip(files, p.asOf);
  return { kind: p.kind, name: p.name, bytes, sha256: sha256Hex(bytes), revealed: p.revealed, files: entriesOf(files) };
}

/** The bundle of one post, named by store id or `SOURCE:PLATFORM_POST_ID`. */
export async function postBundle(store: Store, ref: string | number, opts: BundleOptions): Promise<Bundle> {
  const id = typeof ref === 'number' ? ref : await resolvePostId(store, ref);
  const e = await collectPostEvidence(store, id, await accountView(store, opts.reveal), opts.archiveDir ?? null);
  const label = `${e.source.name}:${e.post.platform_post_id}`;
  return assemble({
    kind: 'post', name: `censorscope-evidence-post-${e.post.id}.zip`, revealed: e.revealed, asOf: e.asOf, raw: postRawFiles(e),
    binary: e.archive.warc ? { [ARCHIVE_WARC]: e.archive.warc } : {},
    subject: { post_id: e.post.id, source: e.source.name, platform_post_id: e.post.platform_post_id, status: e.post.status },
    verify: {
      subject: `post ${label} (store id ${e.post.id})`,
      remake: `censorscope evidence post ${e.post.id}${e.revealed ? ' --reveal-accounts' : ''}`,
      requests: [{ label: 'The request the watcher makes to check the post', url: e.recheck.url }, { label: "The post's public URL", url: e.recheck.publicUrl }]
        .filter((r, i, all) => r.url && all.findIndex((x) => x.url === r.url) === i),
      notes: archiveNotes(e.archive),
    },
    report: (files) => postReport(e, { generator: GENERATOR, files }),
  });
}

/** The bundle of one campaign, named by its id (the finding's key). */
export async function campaignBundle(store: Store, key: string, opts: BundleOptions): Promise<Bundle> {
  const e = await collectCampaignEvidence(store, key, await accountView(store, opts.reveal));
  return assemble({
    kind: 'campaign', name: `censorscope-evidence-campaign-${safeName(e.finding.id)}.zip`, revealed: e.revealed, asOf: e.asOf, raw: campaignRawFiles(e),
    subject: { campaign_id: e.finding.id, finding_id: e.finding.finding_id, accounts: e.accounts.length, posts: e.posts.length },
    verify: {
      subject: `campaign ${e.finding.id} (${e.accounts.length} accounts, ${e.posts.length} posts)`,
      remake: `censorscope evidence campaign ${shellQuote(e.finding.id)}${e.revealed ? ' --reveal-accounts' : ''}`,
      requests: [],
      notes: [
        'Each post\'s URL is in posts.jsonl. To request every http(s) one again and print its status (needs jq):',
        '```sh\njq -r \'.url | select(. != null and test("^https?://"))\' posts.jsonl | while read -r u; do curl -sS -o /dev/null -w "%{http_code} %{url_effective}\\n" --url "$u"; done\n```',
      ],
    },
    report: (files) => campaignReport(e, { generator: GENERATOR, files }),
  });
}
