/**
 * Attack: read `GET /api/sources` without a token on a server whose sources were configured with
 * credentials in every shape an operator writes them, and look for any of them in the answer.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backends, type TestStore } from '../helpers/stores.ts';
import { startServer, type RunningServer } from '../../src/serve/server.ts';
import { ensureSource } from '../../src/store/queries/sources.ts';
import { REDACTED, redactSecrets, redactString } from '../../src/report/redact.ts';

/** Each secret must not appear anywhere in the public response. */
const SECRETS = ['tok-AAAA1111', 'hunter2pass', 'k3y-BBBB2222', 's1g-CCCC3333', 'sess-DDDD4444', 'bear-EEEE5555', 'alice-home', 'frag-FFFF6666', 'nested-GGGG7777'];

const CONFIGS: Array<{ name: string; config: unknown }> = [
  { name: 'mastodon-token', config: { url: 'https://social.example/api/v1/timelines/public?access_token=tok-AAAA1111&limit=40' } },
  { name: 'https://bob:hunter2pass@feeds.example/rss', config: { url: 'https://bob:hunter2pass@feeds.example/rss?tag=news' } },
  { name: 'signed', config: { endpoints: [{ href: 'https://cdn.example/x.xml?X-Amz-Signature=s1g-CCCC3333&api_key=k3y-BBBB2222&page=2' }] } },
  { name: 'file-config', config: { file: '/home/alice-home/.config/censorscope/sources.yaml', win: 'C:\\Users\\alice-home\\feeds.txt' } },
  { name: 'headers', config: { headers: { Authorization: 'Bearer bear-EEEE5555', 'X-Note': 'cookie follows: Bearer bear-EEEE5555' }, session: 'sess-DDDD4444' } },
  { name: 'implicit', config: { deep: { deeper: [{ url: 'https://app.example/cb#access_token=frag-FFFF6666&state=1' }, { password: 'nested-GGGG7777' }] } } },
];

describe('redactString', () => {
  it('keeps harmless values as they are', () => {
    for (const s of ['https://social.example/tags/news?limit=40', 'mastodon', 'news feed', 'a/b', '#tag', 'http://127.0.0.1:1/']) assert.equal(redactString(s), s);
    assert.deepEqual(redactSecrets({ public: true, budgetPerMinute: 60, hashtag: 'censorship' }), { public: true, budgetPerMinute: 60, hashtag: 'censorship' });
  });
  it('keeps the parts of a URL that are not credentials', () => {
    assert.equal(redactString('https://u:p@h.example:8443/a/b?Token=x&tag=y#s'), `https://${REDACTED}@h.example:8443/a/b?Token=${REDACTED}&tag=y#s`);
  });
});

for (const b of backends()) {
  describe(`GET /api/sources redacts credentials [${b.label}]`, () => {
    let ts: TestStore;
    let server: RunningServer;
    before(async () => {
      ts = await b.open();
      for (const c of CONFIGS) await ensureSource(ts.store, { name: c.name, kind: 'feed', platform: 'rss', config: c.config });
      server = await startServer(ts.store, { port: 0 });
    });
    after(async () => {
      await server?.close();
      await ts?.cleanup();
    });

    it('shows no token, password, key, signature, session, bearer string or local path at any depth', async () => {
      const res = await fetch(`${server.url}/api/sources`);
      assert.equal(res.status, 200);
      const text = await res.text();
      for (const s of SECRETS) assert.ok(!text.includes(s), `the response leaks ${s}: ${text}`);
      const body = JSON.parse(text) as { items: Array<{ name: string; config: any }> };
      assert.equal(body.items.length, CONFIGS.length);
      const byName = (n: string) => body.items.find((i) => i.name === n)!;
      // What is not a credential stays readable.
      assert.equal(byName('mastodon-token').config.url, `https://social.example/api/v1/timelines/public?access_token=${REDACTED}&limit=40`);
      assert.equal(body.items[1]!.config.url, `https://${REDACTED}@feeds.example/rss?tag=news`);
      assert.match(byName('signed').config.endpoints[0].href, /&page=2$/);
      assert.equal(byName('file-config').config.file, REDACTED);
    });
  });
}
