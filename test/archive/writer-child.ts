/** A watcher stand-in for the crash test: archives exchanges in a loop until it is killed. */
import { randomBytes } from 'node:crypto';
import { openStore } from '../../src/store/open.ts';
import { openArchive } from '../../src/archive/index.ts';

const dir = process.argv[2]!;
const store = await openStore();
const archive = await openArchive(store, { dir });
for (let i = 0; ; i++) {
  const body = randomBytes(64 * 1024);
  await archive.record({
    at: Date.now(), method: 'GET', url: `http://crash.test/${i}`, requestHeaders: {}, status: 200,
    responseHeaders: new Headers({ 'content-type': 'application/octet-stream' }), body, truncated: false,
  }, { subject: 'site', subjectId: 1 });
  process.stdout.write(`${i}\n`);
}
