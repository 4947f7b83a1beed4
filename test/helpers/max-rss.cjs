// Loaded with --require: writes the process's peak resident set size (bytes) to T0KEN_RSS_FILE on exit.
const { writeFileSync } = require('node:fs');
process.on('exit', () => {
  if (process.env.T0KEN_RSS_FILE) writeFileSync(process.env.T0KEN_RSS_FILE, String(process.resourceUsage().maxRSS * 1024));
});
