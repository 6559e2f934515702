/** The `censorscope` command line: builds the program for this run's command and runs it. */
import { CommanderError } from 'commander';
import { buildProgram } from './program.ts';
import { UserError } from '../util/errors.ts';
import { exitQuietlyOnEpipe } from './epipe.ts';

exitQuietlyOnEpipe();

try {
  const program = await buildProgram(process.argv.slice(2));
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
