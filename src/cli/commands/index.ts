/** Every CLI command, one module each; adding a command is one line here. */
import type { Command } from 'commander';
import { registerImport } from './import.ts';
import { registerStats } from './stats.ts';
import { registerExport } from './export.ts';
import { registerDemo } from './demo.ts';

export const COMMANDS: Array<(program: Command) => void> = [registerImport, registerStats, registerExport, registerDemo];
