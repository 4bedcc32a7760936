/**
 * Command-line entry point: `npm run --silent cli -- <command> [options]` (tsx src/cli/main.ts).
 * Errors are printed as one line on stderr (no stack trace unless ARGMIN_DEBUG is set);
 * exit codes are listed in ./errors.ts and docs/cli.md.
 */
import { runCli } from './cli';

// A reader that closes the pipe early (`solve big.json | head -c 100`) has all it wants: end
// quietly rather than die on an unhandled EPIPE with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}

const code = await runCli(process.argv.slice(2));
// Exit explicitly: a GPU device can keep the event loop alive after dispose().
process.exit(code);
