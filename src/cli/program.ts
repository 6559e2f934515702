/**
 * Builds the `censorscope` program for one run: the global options, then either the one command
 * the arguments name (its module loaded) or, for the top-level help and unknown commands, the
 * command list from the table without loading any command module.
 */
import { Command, Help } from 'commander';
import { COMMANDS, type CommandEntry } from './commands/index.ts';

/** The program with its global options and no commands. */
export function baseProgram(): Command {
  return new Command('censorscope')
    .description('An open observatory for online censorship: collect, store, detect, report.')
    .option('--db <path>', 'SQLite store file (default: $CENSORSCOPE_DB or ./censorscope.db; DATABASE_URL=postgres://… selects PostgreSQL)')
    .option('--archive <dir>', 'web archive folder (default: $CENSORSCOPE_ARCHIVE, else beside the SQLite file: ./censorscope-archive)')
    .showHelpAfterError()
    .exitOverride();
}

/** The table entry of the command `args` (the words after `censorscope`) runs, or shows help for; undefined for none. */
export function requestedCommand(args: string[]): CommandEntry | undefined {
  // Commander's own option parser, so global options and their values are skipped exactly as the
  // real parse skips them (`--db stats stats` runs stats on the file "stats").
  const { operands } = baseProgram().allowUnknownOption().parseOptions(args);
  const name = operands[0] === 'help' ? operands[1] : operands[0];
  return COMMANDS.find((c) => c.name === name);
}

/** Adds every command of the table as a name and summary only, for the top-level help and "did you mean". */
export function listCommands(program: Command): void {
  const usage = new Map<Command, string>();
  for (const entry of COMMANDS) {
    const cmd = program.command(entry.name).description(entry.summary);
    usage.set(cmd, `${entry.name} ${entry.usage}`.trim());
  }
  program.configureHelp({ subcommandTerm: (cmd) => usage.get(cmd) ?? new Help().subcommandTerm(cmd) });
}

/** The program for a run with `args` (process.argv without node and the script). */
export async function buildProgram(args: string[]): Promise<Command> {
  const program = baseProgram();
  const entry = requestedCommand(args);
  if (entry) (await entry.load())(program);
  else listCommands(program);
  return program;
}

/** The program with every command's module loaded, as before lazy loading (for the table's test and the startup bench). */
export async function eagerProgram(): Promise<Command> {
  const program = baseProgram();
  for (const entry of COMMANDS) (await entry.load())(program);
  return program;
}
