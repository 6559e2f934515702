/** `censorscope th`: a web-connectivity test helper speaking OONI's control protocol. */
import type { Command } from 'commander';
import { startTestHelper } from '../../probe/control/server.ts';
import { UserError } from '../../util/errors.ts';

/** Registers `th`. */
export function registerTh(program: Command): void {
  program.command('th')
    .description('Serve a web-connectivity test helper (OONI control protocol: POST {http_request, http_request_headers, tcp_connect}); run it on an unfiltered network.')
    .option('--port <n>', 'port to listen on', '8080')
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--timeout <ms>', 'per-operation timeout in ms', '10000')
    .option('--allow-test-nets', 'do not treat RFC 5737 documentation addresses as bogons (for the namespace lab)')
    .option('--allow-private', 'also measure loopback and private addresses (refused by default: the helper must not be a proxy into its own network)')
    .action(async (flags: { port: string; host: string; timeout: string; allowTestNets?: boolean; allowPrivate?: boolean }) => {
      const port = Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UserError('--port must be a port number.');
      let th;
      try {
        th = await startTestHelper({ port, host: flags.host, timeoutMs: Number(flags.timeout), allowTestNets: flags.allowTestNets, allowPrivate: flags.allowPrivate });
      } catch (err) {
        throw new UserError(`Cannot listen on ${flags.host}:${port} (${(err as Error).message}); choose another --port or --host.`);
      }
      process.stdout.write(`test helper listening on ${th.url}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await th.close();
    });
}
