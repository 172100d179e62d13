// Preloaded into the CLI by the benchmarks: writes the process's peak RSS (KB) when it exits.
const fs = require('node:fs');
process.on('exit', () => {
  if (process.env.BRIGHTRUN_RSS_FILE) fs.writeFileSync(process.env.BRIGHTRUN_RSS_FILE, String(process.resourceUsage().maxRSS));
});
