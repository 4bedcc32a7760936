/** `solve FILE [options]`: solve the QP(s) in a problem file and print the result as JSON. */
import { CpuEngine } from '../solvers/cpu-engine';
import { solveBatch, validateProblem, type AnyQpProblem, type QpResult } from '../solvers/qp';
import type { QpSettings } from '../solvers/qp';
import { SOLVER_FLAGS, formatFlags, parseArgs, settingsFromFlags, type FlagSpec } from './args';
import { printWarnings, type CliIo, processIo } from './console';
import { NOT_STARTED, solveWithinDeadline, timeLimitResult } from './deadline';
import { openEngine, type EngineKind } from './engines';
import { EXIT, InputError, UsageError } from './errors';
import { INPUT_FLAGS, factorBudget, inputOptions, loadProblems, memoryHint } from './input';
import { jsonLine, resultToJson } from './output';

const SOLVE_FLAGS: readonly FlagSpec[] = [
  ...SOLVER_FLAGS,
  ...INPUT_FLAGS,
  { name: 'help', type: 'boolean', usage: '-h, --help', help: 'show this help' },
];

export const SOLVE_HELP = `Usage: npm run --silent cli -- solve FILE [options]

Solve the QP in FILE, or each QP of a batch file, and print one JSON object:
  {"name","status","obj","x","y","z","iter","prim_res","dual_res","time_ms","engine",
   "polish","rho","rho_updates","active"[,"message","certificate","warnings"]}
or {"results": [...][,"warnings"]} for a batch. NaN and infinite numbers are printed as null.

FILE is a JSON problem (.json) or a QPS/MPS file (.qps, .mps, .sif); '-' reads stdin.
Formats: docs/problem-format.md.

Options:
${formatFlags(SOLVE_FLAGS)}

Polishing is on by default in the CLI (--no-polish turns it off): one extra
linear solve that makes x exact once ADMM has found the active set. For
benchmark-grade answers also tighten --eps-abs and --eps-rel (e.g. 1e-6).

--time-limit bounds the whole command, reading and setup included: a problem
still in setup at the deadline reports time_limit_reached without an iterate.
Parser warnings go to stderr and into the output's "warnings".

Exit status: 0 when the solver ran (whatever its status: solved, infeasible,
max_iter_reached, time_limit_reached, ...); 1 for an unreadable, malformed or
too large file or an invalid problem; 2 for a bad command line; 3 when the
engine cannot run.`;

/** Stops before solving when a problem is structurally invalid (non-convex P is a solver status, not an input error). */
function checkProblems(label: string, problems: AnyQpProblem[], batch: boolean): void {
  problems.forEach((p, i) => {
    const issue = validateProblem(p);
    if (issue?.status === 'invalid_input') {
      throw new InputError(
        `${label}: ${batch ? `problem ${i}: ` : ''}invalid problem: ${issue.message}`,
      );
    }
  });
}

/** Wall-clock deadline (Date.now() ms) of a command started at `started`, if it has a time limit. */
export function deadlineOf(settings: Partial<QpSettings>, started: number): number | undefined {
  return settings.time_limit ? started + settings.time_limit * 1000 : undefined;
}

/** The CPU engine's results, within the deadline when there is one (see ./deadline.ts). */
export function solveOnCpu(
  problems: AnyQpProblem[],
  settings: Partial<QpSettings>,
  deadline: number | undefined,
): QpResult[] {
  if (deadline === undefined) return solveBatch({ kind: 'problems', problems }, settings);
  return solveWithinDeadline(problems, settings, deadline);
}

export async function solveCommand(argv: string[], io: CliIo = processIo): Promise<number> {
  const started = Date.now();
  const { flags, positionals } = parseArgs(argv, SOLVE_FLAGS);
  if (flags.get('help')) {
    await io.out(SOLVE_HELP + '\n');
    return EXIT.ok;
  }
  if (positionals.length === 0)
    throw new UsageError('solve needs a FILE (a .json or .qps problem, or - for stdin)');
  if (positionals.length > 1)
    throw new UsageError(
      `solve takes one FILE, got ${positionals.length}: ${positionals.join(' ')}`,
    );
  const settings = settingsFromFlags(flags);
  const input = inputOptions(flags);
  const engineKind = (flags.get('engine') as EngineKind | undefined) ?? 'cpu';
  const deadline = deadlineOf(settings, started);

  const loaded = await loadProblems(positionals[0], input);
  const { problems, batch, label, warnings } = loaded;
  printWarnings(io, warnings);
  settings.max_factor_bytes = factorBudget(problems, input.maxMemoryBytes);
  const names = problems.map((p) => p.meta?.name);

  let results: QpResult[];
  let engineName: string;
  let adapter: string;
  if (engineKind === 'cpu') {
    results = solveOnCpu(problems, settings, deadline);
    ({ name: engineName, adapter } = new CpuEngine());
  } else {
    checkProblems(label, problems, batch);
    const { engine, dispose } = await openEngine(engineKind);
    try {
      // The GPU engine checks the deadline between its iterations; its setup is not bounded.
      const left = deadline === undefined ? undefined : (deadline - Date.now()) / 1000;
      results =
        left !== undefined && left <= 0
          ? problems.map((p) => timeLimitResult(p, NOT_STARTED, 0))
          : await engine.solveBatch(
              { kind: 'problems', problems },
              left === undefined ? settings : { ...settings, time_limit: left },
            );
    } finally {
      dispose();
    }
    engineName = engine.name;
    adapter = engine.adapter;
  }
  const invalid = results.findIndex((r) => r.status === 'invalid_input');
  if (invalid >= 0) {
    throw new InputError(
      `${label}: ${batch ? `problem ${invalid}: ` : ''}invalid problem: ${results[invalid].message ?? 'rejected by the engine'}${memoryHint(results[invalid].message)}`,
    );
  }
  const printed = results.map((r, i) => ({ ...resultToJson(r, engineName, names[i]), adapter }));
  const extra = warnings.length > 0 ? { warnings } : {};
  await io.out(jsonLine(batch ? { results: printed, ...extra } : { ...printed[0], ...extra }));
  return EXIT.ok;
}
