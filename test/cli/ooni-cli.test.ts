/** `import --format ooni` and `probe results` as a user runs them: sentences and exit codes. */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/files.ts';

describe('OONI import and probe results on the command line', () => {
  const files = tempDir();
  const env = { CENSORSCOPE_DB: `${files.dir}/cli.db`, DATABASE_URL: '' };
  after(() => files.cleanup());

  it('refuses an image at once, with a sentence and a non-zero exit', () => {
    const png = files.file('measurements.jsonl', Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 7), Buffer.from('\n\n\n')]));
    const r = runCli(['import', '--format', 'ooni', '--json', png], env);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /measurements\.jsonl is a PNG image, not an OONI measurement JSONL file/);
  });

  it('probe results says when nothing is stored, and refuses a time it cannot read', () => {
    const empty = runCli(['probe', 'results'], env);
    assert.equal(empty.status, 0, empty.stderr);
    assert.match(empty.stdout, /No stored measurements match/);
    const bad = runCli(['probe', 'results', '--since', 'yesterday'], env);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /--since "yesterday" is not a time; write 2024-01-31/);
  });
});
