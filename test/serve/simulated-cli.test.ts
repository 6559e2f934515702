/** `source add --simulated` marks the source, which the server then reports as simulated; without the flag nothing is marked. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../helpers/stores.ts';
import { runCli } from '../helpers/cli.ts';
import { simulatedSources } from '../../src/serve/api/simulated.ts';
import { serveDb } from '../../src/serve/api/tables.ts';

describe('source add --simulated', () => {
  it('stores the mark only when asked, and simulatedSources() reads it', async () => {
    const ts = await backends()[0]!.open();
    try {
      const plain = runCli(['source', 'add', 'mastodon', '--url', 'http://127.0.0.1:9/', '--public', '--name', 'observed', '--json'], ts.env);
      assert.equal(plain.status, 0, plain.stderr);
      assert.equal(JSON.parse(plain.stdout).config.simulated, undefined);
      const sim = runCli(['source', 'add', 'mastodon', '--url', 'http://127.0.0.1:9/', '--public', '--name', 'the-sim', '--simulated', '--json'], ts.env);
      assert.equal(sim.status, 0, sim.stderr);
      assert.equal(JSON.parse(sim.stdout).config.simulated, true);
      assert.deepEqual(await simulatedSources(serveDb(ts.store.db)), [{ kind: 'posts', source: 'the-sim' }]);
    } finally {
      await ts.cleanup();
    }
  });
});
