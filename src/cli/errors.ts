/**
 * Errors the CLI reports as one line on stderr, each with its exit code.
 * Commands (solve, grad) throw these; main.ts prints them and exits.
 */
import { ProblemFormatError } from '../solvers/io';

export const EXIT = {
  /** The solver ran; the status (even infeasible or max_iter_reached) is in the output. */
  ok: 0,
  /** Unreadable or malformed problem file, or a problem the engine rejects as invalid_input. */
  input: 1,
  /** Unknown command or flag, missing or bad flag value. */
  usage: 2,
  /** The engine could not run (GPU unavailable) or an unexpected internal error. */
  failure: 3,
} as const;

/** Bad command line: unknown command or flag, missing or bad value. */
export class UsageError extends Error {
  readonly exitCode = EXIT.usage;
}

/** Bad input data: unreadable or malformed file, invalid problem. */
export class InputError extends Error {
  readonly exitCode = EXIT.input;
}

/** The requested engine could not be started. */
export class EngineError extends Error {
  readonly exitCode = EXIT.failure;
}

/** Exit code and one-line message for anything a command throws. */
export function describeError(e: unknown): { code: number; message: string } {
  const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ' ').trim();
  if (e instanceof UsageError || e instanceof InputError || e instanceof EngineError) {
    return { code: e.exitCode, message: oneLine(e.message) };
  }
  if (e instanceof ProblemFormatError) return { code: EXIT.input, message: oneLine(e.message) };
  const message = e instanceof Error ? e.message : String(e);
  return { code: EXIT.failure, message: oneLine(message) };
}
