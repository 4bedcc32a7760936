/**
 * The command line as a function: `runCli(argv, io)` runs a command and returns its exit status,
 * and never throws: every failure becomes one `error:` line on stderr with the exit code of
 * ./errors.ts (docs/cli.md). main.ts calls it with the process's streams; tests call it directly.
 */
import { describeError, EXIT, UsageError } from './errors';
import { processIo, terminalLine, type CliIo } from './console';
import { solveCommand } from './solve';

export const HELP = `Usage: npm run --silent cli -- <command> [options]

Commands:
  solve FILE   solve the QP(s) in a .json or .qps/.mps file ('-' reads stdin), print JSON
  grad ...     gradients of the solution with respect to the problem data
  experiment NAME   train through the QP layer: portfolio, lse-portfolio, linear
  help         show this help; 'COMMAND --help' shows a command's options

Documentation: docs/cli.md, docs/problem-format.md, docs/gradients.md, docs/training.md.`;

type Command = (argv: string[], io: CliIo) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  solve: solveCommand,
  grad: async (argv, io) => (await import('./grad')).gradCommand(argv, io),
  experiment: async (argv, io) => (await import('./experiment')).experimentCommand(argv, io),
};

async function dispatch(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.err(HELP);
    return EXIT.usage;
  }
  if (name === 'help' || name === '--help' || name === '-h') {
    await io.out(HELP + '\n');
    return EXIT.ok;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command)
    throw new UsageError(
      `unknown command '${name}' (commands: ${Object.keys(COMMANDS).join(', ')}; see --help)`,
    );
  // Let each command see -h as --help.
  return command(
    rest.map((a) => (a === '-h' ? '--help' : a)),
    io,
  );
}

/** Runs one command line; resolves to the exit status, whatever happens. */
export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (e) {
    const { code, message } = describeError(e);
    io.err(`error: ${terminalLine(message)}`);
    if (process.env.ARGMIN_DEBUG && e instanceof Error && e.stack) io.err(e.stack);
    return code;
  }
}
