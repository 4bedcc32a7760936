/**
 * Command-line entry point: `npm run --silent cli -- <command> [options]` (tsx src/cli/main.ts).
 * Errors are printed as one line on stderr (no stack trace unless ARGMIN_DEBUG is set);
 * exit codes are listed in ./errors.ts and docs/cli.md.
 */
import { describeError, EXIT, UsageError } from './errors';
import { writeStdout } from './output';
import { solveCommand } from './solve';

const HELP = `Usage: npm run --silent cli -- <command> [options]

Commands:
  solve FILE   solve the QP(s) in a .json or .qps/.mps file ('-' reads stdin), print JSON
  grad ...     gradients of the solution with respect to the problem data
  help         show this help; 'COMMAND --help' shows a command's options

Documentation: docs/cli.md, docs/problem-format.md, docs/gradients.md.`;

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  solve: solveCommand,
  grad: async (argv) => (await import('./grad')).gradCommand(argv),
};

async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    process.stderr.write(HELP + '\n');
    return EXIT.usage;
  }
  if (name === 'help' || name === '--help' || name === '-h') {
    await writeStdout(HELP + '\n');
    return EXIT.ok;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command)
    throw new UsageError(
      `unknown command '${name}' (commands: ${Object.keys(COMMANDS).join(', ')}; see --help)`,
    );
  // Let each command see -h as --help.
  return command(rest.map((a) => (a === '-h' ? '--help' : a)));
}

async function main(): Promise<void> {
  let code: number;
  try {
    code = await run(process.argv.slice(2));
  } catch (e) {
    const { code: errorCode, message } = describeError(e);
    process.stderr.write(`error: ${message}\n`);
    if (process.env.ARGMIN_DEBUG && e instanceof Error && e.stack)
      process.stderr.write(e.stack + '\n');
    code = errorCode;
  }
  // Exit explicitly: a GPU device can keep the event loop alive after dispose().
  process.exit(code);
}

void main();
