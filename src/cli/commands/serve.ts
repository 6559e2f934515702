/** `censorscope serve`: the observatory's API and dashboard over the store. */
import type { Command } from 'commander';
import { openStore } from '../../store/open.ts';
import { UserError } from '../../util/errors.ts';
import { startServer } from '../../serve/server.ts';
import { archiveDirOf } from '../context.ts';
import { ensureWebBundle } from '../../serve/web-build.ts';
import { parseAllowedHosts } from '../../serve/hosts.ts';

/** Parses a TCP port option (0 picks a free port). */
export function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UserError(`--port must be a port number between 0 and 65535 (got "${v}").`);
  return n;
}

/** Resolves once SIGINT or SIGTERM arrives (or `signal` aborts). */
export function untilStopped(signal?: AbortSignal): Promise<string> {
  return new Promise((resolve) => {
    const done = (why: string) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(why);
    };
    const onInt = () => done('SIGINT');
    const onTerm = () => done('SIGTERM');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
    signal?.addEventListener('abort', () => done('timeout'), { once: true });
  });
}

export function registerServe(program: Command): void {
  program.command('serve')
    .description('Serve the JSON API (/api/…, described at /openapi.json) and the dashboard over the store until Ctrl-C.')
    .option('--port <n>', 'TCP port (0 picks a free one)', '8787')
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--token <token>', 'bearer token for write/admin endpoints (default: $CENSORSCOPE_TOKEN; without one they are disabled)')
    .option('--rate-limit <n>', 'requests per IP per 10 seconds', '600')
    .option('--allowed-hosts <names>', 'comma-separated host names the server answers to besides 127.0.0.1, localhost, [::1] and --host (DNS rebinding defence; default: $CENSORSCOPE_ALLOWED_HOSTS)')
    .option('--no-build', 'do not build the dashboard bundle when it is missing or stale')
    .action(async (flags: { port: string; host: string; token?: string; rateLimit: string; allowedHosts?: string; build: boolean }, cmd: Command) => {
      const port = parsePort(flags.port);
      const max = Number(flags.rateLimit);
      if (!Number.isInteger(max) || max < 1) throw new UserError(`--rate-limit must be a positive whole number (got "${flags.rateLimit}").`);
      if (flags.build) await ensureWebBundle({ log: (l) => process.stderr.write(`${l}\n`) });
      const globals = cmd.optsWithGlobals() as { db?: string };
      const store = await openStore({ db: globals.db });
      const token = flags.token ?? process.env.CENSORSCOPE_TOKEN ?? undefined;
      let server;
      try {
        const allowedHosts = parseAllowedHosts(flags.allowedHosts ?? process.env.CENSORSCOPE_ALLOWED_HOSTS);
        server = await startServer(store, { port, host: flags.host, token, allowedHosts, rateLimit: { max, timeWindowMs: 10_000 }, archiveDir: archiveDirOf(cmd) });
      } catch (err) {
        await store.close();
        if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new UserError(`Port ${port} is in use: pick another with --port.`);
        throw err;
      }
      process.stdout.write(`Censorscope is serving ${server.url}/ (API: ${server.url}/openapi.json)${token ? '' : '; admin endpoints disabled (no token)'}. Ctrl-C stops.\n`);
      await untilStopped();
      process.stderr.write('Stopping…\n');
      await server.close();
      await store.close();
    });
}
