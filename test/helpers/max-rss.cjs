// Loaded with --require: writes the process's peak resident set size (bytes) to T0KEN_RSS_FILE on exit.
// VmHWM of /proc/self/status, not process.resourceUsage().maxRSS: getrusage's maxrss survives execve,
// so a CLI spawned by a large test runner (vitest's threads pool: ~190 MiB) reported the runner's
// peak as its own, and a flood that cost memory could not be told from an ordinary answer.
const { readFileSync, writeFileSync } = require('node:fs');
process.on('exit', () => {
  if (!process.env.T0KEN_RSS_FILE) return;
  const hwm = /^VmHWM:\s*(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  if (!hwm) throw new Error('max-rss: no VmHWM in /proc/self/status');
  writeFileSync(process.env.T0KEN_RSS_FILE, String(Number(hwm[1]) * 1024));
});
