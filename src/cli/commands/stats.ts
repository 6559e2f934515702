/** `censorscope stats`: what the store holds. */
import type { Command } from 'commander';
import { withStore, printJson } from '../context.ts';
import { storeStats } from '../../store/queries/stats.ts';

export function registerStats(program: Command): void {
  program.command('stats')
    .description('Count posts, accounts and posts by status in the store.')
    .option('--json', 'print {"posts", "accounts", "byStatus"} as JSON')
    .action(async (flags: { json?: boolean }, cmd: Command) => {
      const stats = await withStore(cmd, storeStats);
      if (flags.json) return printJson(stats);
      const lines = [`posts     ${stats.posts}`, `accounts  ${stats.accounts}`, 'by status:'];
      for (const [status, n] of Object.entries(stats.byStatus)) lines.push(`  ${status.padEnd(20)} ${n}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
