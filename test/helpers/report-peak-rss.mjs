// Preloaded (`node --import`) into a child process under test: prints the process's peak
// resident set size (worker threads included) as the last line of stderr when it exits.
import { writeSync } from 'node:fs';

process.on('exit', () => {
  writeSync(2, `\npeak-rss-kb=${process.resourceUsage().maxRSS}\n`);
});
