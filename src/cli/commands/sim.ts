/** `censorscope sim`: run the simulated microblog platform (a test fixture and demo source, not a real service). */
import type { Command } from 'commander';
import { startSim } from '../../collect/sim/server.ts';
import { UserError } from '../../util/errors.ts';

export function registerSim(program: Command): void {
  program.command('sim')
    .description('Run the simulated Mastodon-API platform (seeded scenario with censorship, author deletions, suspensions and faults) until Ctrl-C.')
    .option('--port <port>', 'port on 127.0.0.1 (default: any free port)')
    .option('--seed <seed>', 'scenario seed (same seed, same world)', '1')
    .option('--speed <x>', 'simulated seconds per real second (1440: a day per minute)', '1')
    .option('--truth <file>', 'write one JSON line per disappearance {"id","kind","at"}')
    .option('--posts-per-day <n>', 'posting rate', '2000')
    .action(async (f: { port?: string; seed: string; speed: string; truth?: string; postsPerDay: string }) => {
      const speed = Number(f.speed);
      if (!(speed > 0)) throw new UserError('--speed must be a positive number (e.g. 1440).');
      const port = f.port == null ? 0 : Number(f.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UserError('--port must be a port number.');
      const sim = await startSim({ port, seed: Number(f.seed), speed, truthFile: f.truth, scenario: { postsPerDay: Number(f.postsPerDay) } });
      process.stdout.write(`simulated platform (not a real service) at ${sim.url}  seed=${f.seed} speed=${speed}x\n` +
        `add it with: censorscope source add mastodon --url ${sim.url} --public --simulated\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await sim.close();
      process.stdout.write(`stopped; ${sim.truth().length} disappearances in the ground truth\n`);
    });
}
