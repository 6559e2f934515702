/**
 * VERIFY.md: the exact commands that check a bundle and look at its subject again. URLs come
 * from strangers, so they are normalised by the WHATWG URL parser (which percent-encodes quotes,
 * spaces and backticks and drops control characters) and single-quoted for the shell.
 */

/** Quotes a string as one argument for a POSIX shell. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** An http(s) URL safe to paste into a shell and a Markdown code block, or null. */
export function curlableUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

export interface VerifyMdInput {
  bundleName: string;
  /** "post sim-mastodon:p12 (store id 7)" */
  subject: string;
  /** The command that makes this bundle again (without --out). */
  remake: string;
  revealed: boolean;
  asOf: string;
  /** Requests to repeat by hand: a label and a URL each. */
  requests: Array<{ label: string; url: string | null }>;
  notes?: string[];
}

/** Renders VERIFY.md. */
export function verifyMd(v: VerifyMdInput): string {
  const dir = v.bundleName.replace(/\.zip$/i, '');
  const lines = [
    `# Verifying this evidence bundle`,
    '',
    `This bundle holds the evidence for ${v.subject}, from a Censorscope store as of ${v.asOf} (UTC).`,
    `Accounts: ${v.revealed ? 'revealed (real ids and handles)' : 'pseudonymised (acct_… keyed pseudonyms; display names left out)'}.`,
    '',
    '## 1. Check that no file has changed',
    '',
    'Every file except MANIFEST.sha256 is listed there with its SHA-256. Unpack the bundle and check them all:',
    '',
    '```sh',
    `unzip ${shellQuote(v.bundleName)} -d ${shellQuote(dir)}`,
    `cd ${shellQuote(dir)}`,
    'sha256sum -c MANIFEST.sha256',
    '```',
    '',
    'Every line must end in `OK` (on macOS: `shasum -a 256 -c MANIFEST.sha256`). With Censorscope installed, one command checks',
    'every file against MANIFEST.sha256 and manifest.json and names any file that differs, is missing or was added:',
    '',
    '```sh',
    `censorscope evidence verify ${shellQuote(v.bundleName)}`,
    '```',
    '',
    '## 2. Cite the bundle',
    '',
    'The bundle\'s own SHA-256 identifies it:',
    '',
    '```sh',
    `sha256sum ${shellQuote(v.bundleName)}`,
    '```',
    '',
    'Bundles are deterministic: the same store gives a byte-identical bundle (entries sorted, dated from the data), so anyone',
    'with the store can make it again and compare hashes. New observations of the subject change the bundle.',
    '',
    '```sh',
    `${v.remake} --out again.zip`,
    `sha256sum ${shellQuote(v.bundleName)} again.zip`,
    '```',
    '',
    '## 3. Look again',
    '',
  ];
  const curlable = v.requests.map((r) => ({ label: r.label, url: curlableUrl(r.url) })).filter((r) => r.url !== null);
  if (curlable.length) {
    lines.push('Request the post from the platform again and compare the answer with the observations in this bundle', '(`-i` prints the status line and headers):', '');
    for (const r of curlable) lines.push(`${r.label}:`, '', '```sh', `curl -sS -i ${shellQuote(r.url!)}`, '```', '');
  } else if (!v.notes?.length) {
    lines.push('There is no http(s) URL to request again for this subject (see report.html for where its data came from).', '');
  }
  if (!v.revealed) {
    lines.push('Accounts are pseudonymised in this bundle, so a URL that named an account shows its `acct_…` pseudonym instead;', 'a request by post id (above) needs no account.', '');
  }
  for (const n of v.notes ?? []) lines.push(n, '');
  return `${lines.join('\n').trimEnd()}\n`;
}
