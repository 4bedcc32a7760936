/**
 * Reading and parsing a problem file under limits, shared by `solve` and `grad`: the bytes read
 * are capped, the memory the problems need is estimated from their declared shapes before
 * anything large is allocated, and the parser's warnings are returned for stderr and the output.
 */
import { open } from 'node:fs/promises';
import {
  ProblemFormatError,
  parseProblemText,
  sparseFootprint,
  type ParsedProblems,
  type ProblemFileFormat,
} from '../solvers/io';
import type { AnyQpProblem } from '../solvers/qp';
import { storedEntries } from '../solvers/qp/matrix';
import type { FlagSpec, FlagValue } from './args';
import { InputError, UsageError } from './errors';
import { errorMessage } from '../solvers/errors';

/** Defaults of the input limits (MB = 2²⁰ bytes). */
export const DEFAULT_MAX_INPUT_MB = 64;
export const DEFAULT_MAX_MEMORY_MB = 2048;

/** Flags of the input limits, shared by `solve` and `grad`. */
export const INPUT_FLAGS: readonly FlagSpec[] = [
  {
    name: 'format',
    type: 'string',
    choices: ['json', 'qps'],
    help: 'file format (default: from the extension, else from the content)',
  },
  {
    name: 'max-input-mb',
    type: 'number',
    arg: 'MB',
    help: `read at most this much of FILE or stdin (default ${DEFAULT_MAX_INPUT_MB})`,
  },
  {
    name: 'max-memory-mb',
    type: 'number',
    arg: 'MB',
    help: `refuse problems whose estimated memory exceeds this (default ${DEFAULT_MAX_MEMORY_MB})`,
  },
  {
    name: 'allow-truncated',
    type: 'boolean',
    usage: '--allow-truncated',
    help: 'accept a QPS file that ends without ENDATA (with a warning)',
  },
];

const MB = 2 ** 20;
const CHUNK = 1 << 16;

export interface InputOptions {
  format?: ProblemFileFormat;
  maxInputBytes: number;
  maxMemoryBytes: number;
  allowTruncated: boolean;
}

/** The input options from the flags; throws UsageError for a limit that is not a positive number. */
export function inputOptions(flags: Map<string, FlagValue>): InputOptions {
  const limit = (name: string, def: number) => {
    const v = (flags.get(name) as number | undefined) ?? def;
    if (!(v > 0)) throw new UsageError(`--${name} must be > 0, got ${v}`);
    return v * MB;
  };
  return {
    format: flags.get('format') as ProblemFileFormat | undefined,
    maxInputBytes: limit('max-input-mb', DEFAULT_MAX_INPUT_MB),
    maxMemoryBytes: limit('max-memory-mb', DEFAULT_MAX_MEMORY_MB),
    allowTruncated: flags.get('allow-truncated') === true,
  };
}

const mb = (bytes: number) => `${Number((bytes / MB).toPrecision(6))} MB`;

/**
 * The text of FILE ('-': stdin), read in 64 KiB chunks and never more than `maxBytes`: a regular
 * file's size is checked before reading, a device or pipe (/dev/zero, `yes |`) is cut at the cap.
 * Binary data (a NUL byte, or a UTF-16 byte-order mark) is refused at the first chunk.
 */
export async function readLimited(file: string, label: string, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  const tooLarge = () =>
    new InputError(
      `${label}: larger than the input limit of ${mb(maxBytes)} (raise it with --max-input-mb)`,
    );
  const take = (chunk: Buffer) => {
    // FF FE or FE FF: a UTF-16 byte-order mark.
    if (total === 0 && chunk.length >= 2 && chunk[0] >= 0xfe && (chunk[0] ^ chunk[1]) === 0x01)
      throw new InputError(`${label}: UTF-16 text is not supported; save the file as UTF-8`);
    const nul = chunk.indexOf(0);
    if (nul >= 0)
      throw new InputError(
        `${label}: binary data (a NUL byte at offset ${total + nul}), not a JSON or QPS text file`,
      );
    total += chunk.length;
    if (total > maxBytes) throw tooLarge();
    chunks.push(chunk);
  };
  if (file === '-') {
    try {
      for await (const chunk of process.stdin) take(chunk as Buffer);
    } catch (e) {
      process.stdin.destroy();
      if (e instanceof InputError) throw e;
      throw new InputError(`cannot read stdin: ${errorMessage(e)}`);
    }
  } else {
    let handle;
    try {
      handle = await open(file, 'r');
      const stat = await handle.stat();
      if (stat.isDirectory()) throw new InputError(`${label}: is a directory, not a problem file`);
      if (stat.isFile() && stat.size > maxBytes) throw tooLarge();
      for (;;) {
        const buffer = Buffer.allocUnsafe(Math.min(CHUNK, maxBytes + 1 - total));
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
        if (bytesRead === 0) break;
        take(buffer.subarray(0, bytesRead));
      }
    } catch (e) {
      if (e instanceof InputError) throw e;
      throw new InputError(`cannot read ${label}: ${errorMessage(e)}`);
    } finally {
      await handle?.close();
    }
  }
  return Buffer.concat(chunks, total).toString('utf8');
}

/** How the CLI lifts a refusal the parser reports with a code. */
const HINTS: Record<string, string> = {
  memory: ' (raise it with --max-memory-mb)',
  truncated: ' (--allow-truncated accepts it)',
};

export interface LoadedProblems extends ParsedProblems {
  /** The file as messages name it ('stdin' for '-'). */
  label: string;
  /** Parser warnings, each prefixed with the file's label. */
  warnings: string[];
}

/** Reads and parses FILE under the limits; every failure is an InputError naming the file. */
export async function loadProblems(file: string, options: InputOptions): Promise<LoadedProblems> {
  const label = file === '-' ? 'stdin' : file;
  const text = await readLimited(file, label, options.maxInputBytes);
  let parsed: ParsedProblems;
  try {
    parsed = parseProblemText(text, {
      format: options.format,
      filename: file === '-' ? undefined : file,
      qps: { allowTruncated: options.allowTruncated },
      limits: { maxMemoryBytes: options.maxMemoryBytes },
    });
  } catch (e) {
    if (!(e instanceof ProblemFormatError)) throw e;
    throw new InputError(`${label}: ${e.message}${(e.code && HINTS[e.code]) ?? ''}`);
  }
  return {
    ...parsed,
    label,
    warnings: (parsed.warnings ?? []).map((w) => `${label}: ${w}`),
  };
}

/**
 * What the memory limit leaves for each LDLᵀ factor once the problems' data, output and largest
 * workspace are counted (the engine keeps two factors of one size: the ADMM's and polishing's).
 * The engine refuses a bigger factor after its symbolic analysis, before allocating it.
 */
export function factorBudget(problems: AnyQpProblem[], maxMemoryBytes: number): number {
  let held = 0;
  let workspace = 0;
  for (const p of problems) {
    const f = sparseFootprint(p.n, p.m, storedEntries(p.P) + storedEntries(p.A));
    held += f.data + f.output;
    workspace = Math.max(workspace, f.solver);
  }
  return Math.max(1, Math.floor((maxMemoryBytes - held - workspace) / 2));
}

/** The CLI's hint for a problem the engine refused as too large for the memory limit. */
export function memoryHint(message: string | undefined): string {
  return message && /over the limit of/.test(message) ? ' (raise it with --max-memory-mb)' : '';
}
