// Preloaded into the CLI by tests/unit/hostile-cli.test.ts (--import): at exit, writes the
// process's peak resident memory in kB (worker threads included) to $MAXRSS_FILE.
import { writeFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

const file = process.env.MAXRSS_FILE;
if (isMainThread && file)
  process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
