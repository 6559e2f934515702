// Preloaded (`node --import`) into each measured process: writes its CPU time and peak resident
// set size as JSON to the file named by STARTUP_USAGE_FILE when it exits.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  const cpu = process.cpuUsage();
  writeFileSync(process.env.STARTUP_USAGE_FILE, JSON.stringify({ cpuMs: (cpu.user + cpu.system) / 1000, rssKb: process.resourceUsage().maxRSS }));
});
