/**
 * Command-line entry point: `npm run --silent cli -- <command> [options]` (tsx src/cli/main.ts).
 * Errors are printed as one line on stderr (no stack trace unless ARGMIN_DEBUG is set);
 * exit codes are listed in ./errors.ts and docs/cli.md.
 */
import { runCli } from './cli';

const code = await runCli(process.argv.slice(2));
// Exit explicitly: a GPU device can keep the event loop alive after dispose().
process.exit(code);
