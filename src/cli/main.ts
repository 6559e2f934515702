/** The `censorscope` command line: builds the program from the command modules and runs it. */
import { Command, CommanderError } from 'commander';
import { COMMANDS } from './commands/index.ts';
import { UserError } from '../util/errors.ts';
import { exitQuietlyOnEpipe } from './epipe.ts';

exitQuietlyOnEpipe();

const program = new Command('censorscope')
  .description('An open observatory for online censorship: collect, store, detect, report.')
  .option('--db <path>', 'SQLite store file (default: $CENSORSCOPE_DB or ./censorscope.db; DATABASE_URL=postgres://… selects PostgreSQL)')
  .option('--archive <dir>', 'web archive folder (default: $CENSORSCOPE_ARCHIVE, else beside the SQLite file: ./censorscope-archive)')
  .showHelpAfterError()
  .exitOverride();

for (const register of COMMANDS) register(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode;
  } else if (err instanceof UserError) {
    process.stderr.write(`censorscope: ${err.message}\n`);
    process.exitCode = err.exitCode;
  } else {
    process.stderr.write(`censorscope: ${(err as Error).message ?? String(err)}\n`);
    if (process.env.CENSORSCOPE_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
    process.exitCode = 1;
  }
}
