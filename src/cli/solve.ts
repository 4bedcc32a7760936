/** `solve FILE [options]`: solve the QP(s) in a problem file and print the result as JSON. */
import { readFileSync } from 'node:fs';
import { parseProblemText, type ParsedProblems, type ProblemFileFormat } from '../solvers/io';
import { validateProblem, type QpProblem } from '../solvers/qp';
import { SOLVER_FLAGS, formatFlags, parseArgs, settingsFromFlags, type FlagSpec } from './args';
import { openEngine, type EngineKind } from './engines';
import { EXIT, InputError, UsageError } from './errors';
import { resultToJson, writeStdout } from './output';

const SOLVE_FLAGS: readonly FlagSpec[] = [
  ...SOLVER_FLAGS,
  {
    name: 'format',
    type: 'string',
    choices: ['json', 'qps'],
    help: 'file format (default: from the extension, else from the content)',
  },
  { name: 'help', type: 'boolean', usage: '-h, --help', help: 'show this help' },
];

export const SOLVE_HELP = `Usage: npm run --silent cli -- solve FILE [options]

Solve the QP in FILE, or each QP of a batch file, and print one JSON object:
  {"name","status","obj","x","y","z","iter","prim_res","dual_res","time_ms","engine",
   "polish","rho","rho_updates","active"[,"message","certificate"]}
or {"results": [...]} for a batch. NaN and infinite numbers are printed as null.

FILE is a JSON problem (.json) or a QPS/MPS file (.qps, .mps, .sif); '-' reads stdin.
Formats: docs/problem-format.md.

Options:
${formatFlags(SOLVE_FLAGS)}

Polishing is on by default in the CLI (--no-polish turns it off): one extra
linear solve that makes x exact once ADMM has found the active set. For
benchmark-grade answers also tighten --eps-abs and --eps-rel (e.g. 1e-6).

Exit status: 0 when the solver ran (whatever its status: solved, infeasible,
max_iter_reached, ...); 1 for an unreadable or malformed file or an invalid
problem; 2 for a bad command line; 3 when the engine cannot run.`;

function readInput(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read ${file === '-' ? 'stdin' : file}: ${(e as Error).message}`);
  }
}

function parseInput(
  file: string,
  text: string,
  format: ProblemFileFormat | undefined,
): ParsedProblems {
  const filename = file === '-' ? undefined : file;
  try {
    return parseProblemText(text, { format, filename });
  } catch (e) {
    throw new InputError(`${file === '-' ? 'stdin' : file}: ${(e as Error).message}`);
  }
}

/** Stops before solving when a problem is structurally invalid (non-convex P is a solver status, not an input error). */
function checkProblems(file: string, problems: QpProblem[], batch: boolean): void {
  problems.forEach((p, i) => {
    const issue = validateProblem(p);
    if (issue?.status === 'invalid_input') {
      throw new InputError(
        `${file}: ${batch ? `problem ${i}: ` : ''}invalid problem: ${issue.message}`,
      );
    }
  });
}

export async function solveCommand(argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, SOLVE_FLAGS);
  if (flags.get('help')) {
    await writeStdout(SOLVE_HELP + '\n');
    return EXIT.ok;
  }
  if (positionals.length === 0)
    throw new UsageError('solve needs a FILE (a .json or .qps problem, or - for stdin)');
  if (positionals.length > 1)
    throw new UsageError(
      `solve takes one FILE, got ${positionals.length}: ${positionals.join(' ')}`,
    );
  const settings = settingsFromFlags(flags);
  const file = positionals[0];
  const { problems, batch } = parseInput(
    file,
    readInput(file),
    flags.get('format') as ProblemFileFormat | undefined,
  );
  checkProblems(file === '-' ? 'stdin' : file, problems, batch);

  const { engine, dispose } = await openEngine(
    (flags.get('engine') as EngineKind | undefined) ?? 'cpu',
  );
  let results;
  try {
    results = await engine.solveBatch({ kind: 'problems', problems }, settings);
  } finally {
    dispose();
  }
  const invalid = results.findIndex((r) => r.status === 'invalid_input');
  if (invalid >= 0) {
    throw new InputError(
      `${file}: ${batch ? `problem ${invalid}: ` : ''}invalid problem: ${results[invalid].message ?? 'rejected by the engine'}`,
    );
  }
  const printed = results.map((r, i) => ({
    ...resultToJson(r, engine.name, problems[i].meta?.name),
    adapter: engine.adapter,
  }));
  await writeStdout(JSON.stringify(batch ? { results: printed } : printed[0]) + '\n');
  return EXIT.ok;
}
