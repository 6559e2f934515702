/** The server under load, in its own process so the load generator does not share its event loop. */
import { openStore } from '../../src/store/open.ts';
import { startServer } from '../../src/serve/server.ts';

const [file] = process.argv.slice(2);
const store = await openStore({ db: file! });
// The limiter would answer most of a 200 req/s single-client load with 429s: lift it here.
const server = await startServer(store, { port: 0, rateLimit: { max: 1_000_000_000, timeWindowMs: 10_000 } });
process.stdout.write(`${server.url}\n`);
process.on('SIGTERM', () => { void server.close().then(() => store.close()).then(() => process.exit(0)); });
