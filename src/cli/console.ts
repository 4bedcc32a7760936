/**
 * Where a command's output goes: the process's stdout and stderr for the real CLI, buffers in
 * tests (the fuzz test runs thousands of files through `runCli` in one process).
 */
import { escapeControl } from '../solvers/io';

export interface CliIo {
  /** Writes text to stdout; resolves once it has been handed over, so an exit after loses nothing. */
  out(text: string): Promise<void>;
  /** Writes one line to stderr (the newline is added). */
  err(line: string): void;
}

export const processIo: CliIo = {
  out: (text) =>
    new Promise((resolve, reject) =>
      // EPIPE: the reader closed the pipe (`| head`) and has what it wanted; not our failure.
      process.stdout.write(text, (e) =>
        e && (e as NodeJS.ErrnoException).code !== 'EPIPE' ? reject(e) : resolve(),
      ),
    ),
  err: (line) => void process.stderr.write(line + '\n'),
};

/** Longest message printed; beyond it a hostile file could flood the terminal through an echo. */
const MAX_LINE = 1000;

/**
 * A message as one inert terminal line: line breaks folded into spaces, control characters
 * escaped (no escape sequence from an input file reaches the terminal), cut to 1000 characters.
 */
export function terminalLine(message: string): string {
  const line = escapeControl(message.replace(/\s*[\r\n]+\s*/g, ' ').trim());
  return line.length > MAX_LINE ? line.slice(0, MAX_LINE) + '…' : line;
}

/** Prints each warning as `warning: <message>` on its own stderr line. */
export function printWarnings(io: CliIo, warnings: readonly string[]): void {
  for (const w of warnings) io.err(`warning: ${terminalLine(w)}`);
}

/** An error as one short line: reference solvers compiled to WebAssembly can throw pages of text. */
export const shortMessage = (e: unknown): string =>
  terminalLine(e instanceof Error ? e.message : String(e)).slice(0, 300);
