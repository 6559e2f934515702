/** The top-level help as `censorscope --help` made it before issue 16: TypeScript compiled at start by tsx, every command module loaded. */
import { eagerProgram } from '../../src/cli/program.ts';

process.stdout.write((await eagerProgram()).helpInformation());
