/** `censorscope demo`: the live observatory on a fresh embedded store (the README's first command). */
import type { Command } from 'commander';
import { UserError } from '../../util/errors.ts';
import { startDemo } from '../../serve/demo.ts';
import { parsePort, untilStopped } from './serve.ts';

export function registerDemo(program: Command): void {
  program.command('demo')
    .description('Run the whole observatory locally: simulated platform, watcher, detectors and the dashboard on a fresh SQLite store, until Ctrl-C.')
    .option('--store <file>', 'SQLite file for the demo (recreated unless --keep)', './censorscope-demo.db')
    .option('--keep', 'keep the existing demo store instead of starting fresh')
    .option('--port <n>', 'dashboard port (0 picks a free one)', '8787')
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--token <token>', 'bearer token for admin endpoints (default: $CENSORSCOPE_TOKEN, else a random one printed at start)')
    .option('--speed <x>', 'simulated seconds per real second', '300')
    .option('--seed <n>', 'simulation seed', '1')
    .option('--detect-every <seconds>', 'how often the detectors run', '30')
    .option('--duration <seconds>', 'stop by itself after this long (default: run until Ctrl-C)')
    .action(async (flags: { store: string; keep?: boolean; port: string; host: string; token?: string; speed: string; seed: string; detectEvery: string; duration?: string }) => {
      const num = (name: string, v: string, min: number) => {
        const n = Number(v);
        if (!Number.isFinite(n) || n < min) throw new UserError(`--${name} must be a number of at least ${min} (got "${v}").`);
        return n;
      };
      const log = (line: string) => process.stderr.write(`${line}\n`);
      let demo;
      try {
        demo = await startDemo({
          file: flags.store, keep: flags.keep, port: parsePort(flags.port), host: flags.host,
          token: flags.token ?? process.env.CENSORSCOPE_TOKEN, speed: num('speed', flags.speed, 1), seed: num('seed', flags.seed, 0),
          detectEveryMs: num('detect-every', flags.detectEvery, 1) * 1000, log,
        });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new UserError(`Port ${flags.port} is in use: pick another with --port (0 picks a free one).`);
        throw err;
      }
      process.stdout.write(`Censorscope demo: open ${demo.url}/\n`);
      log(`Store: ${flags.store}. Admin token (for POST /api/…): ${demo.token}. Ctrl-C stops.`);
      const timeout = flags.duration ? AbortSignal.timeout(num('duration', flags.duration, 1) * 1000) : undefined;
      const why = await untilStopped(timeout);
      log(`Stopping (${why})…`);
      await demo.stop();
      log('Stopped.');
    });
}
