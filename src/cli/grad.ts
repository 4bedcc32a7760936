/**
 * `grad FILE --dl-dx G [options]`: solve the QP(s) in FILE, then print the gradients of a loss
 * with ∂ℓ/∂x* = G with respect to the problem data (docs/gradients.md).
 */
import { readFileSync } from 'node:fs';
import { parseProblemText, type ParsedProblems, type ProblemFileFormat } from '../solvers/io';
import { solveBatch, validateProblem, type QpProblem, type QpSettings } from '../solvers/qp';
import { toRows } from '../solvers/linalg/dense';
import { GRAD_METHODS, type GradMethod, type GradOptions, type QpGradients } from '../solvers/grad';
import {
  SOLVER_FLAGS,
  formatFlags,
  parseArgs,
  settingsFromFlags,
  type FlagSpec,
  type FlagValue,
} from './args';
import { EXIT, InputError, UsageError } from './errors';
import { openEngine, type EngineKind } from './engines';
import { jsonNumber, writeStdout } from './output';

/** The solve flags, except that --rho is LPGD's ρ here; ADMM's step size moves to --admm-rho. */
const GRAD_FLAGS: readonly FlagSpec[] = [
  {
    name: 'dl-dx',
    type: 'string',
    arg: 'G',
    help: '∂ℓ/∂x*: a JSON array (or one array per batch problem), or a file holding it',
  },
  { name: 'method', type: 'string', choices: GRAD_METHODS, help: 'gradient method (default kkt)' },
  { name: 'tau', type: 'number', arg: 'X', help: 'LPGD step τ (default 1e-4)' },
  { name: 'rho', type: 'number', arg: 'X', help: 'LPGD augmentation ρ of Eq. 28 (default 0)' },
  {
    name: 'delta',
    type: 'number',
    arg: 'X',
    help: 'regularization δ of the KKT / BPQP backward system (default 1e-6)',
  },
  ...SOLVER_FLAGS.filter((f) => f.name !== 'rho'),
  {
    name: 'admm-rho',
    type: 'number',
    arg: 'X',
    help: "initial ADMM step size of the forward solve (the solve command's --rho)",
  },
  {
    name: 'format',
    type: 'string',
    choices: ['json', 'qps'],
    help: 'file format (default: from the extension, else from the content)',
  },
  { name: 'help', type: 'boolean', usage: '-h, --help', help: 'show this help' },
];

export const GRAD_HELP = `Usage: npm run --silent cli -- grad FILE --dl-dx G [options]

Solve the QP in FILE (or each QP of a batch file), then differentiate a loss ℓ(x*)
with ∂ℓ/∂x* = G through the solution. Prints one JSON object
  {"x","dq","dl","du","dP","dA","method","engine","status"}
(dP and dA as arrays of rows), or {"results": [...]} for a batch.

Methods: kkt (exact implicit differentiation), bpqp (backward pass as a QP),
lpgd / lpgd-lower / lpgd-upper (Lagrangian proximal gradient, average / lower / upper),
smoothed-qp (locally smoothed active set), fd (central finite differences).
An equality row (l = u) only has dl + du; it is put on the side of its multiplier.
Details and equations: docs/gradients.md.

Options:
${formatFlags(GRAD_FLAGS)}

The forward solve polishes and uses eps 1e-9 unless --eps-abs / --eps-rel are given,
because every method reads the active set off the forward solution.

Exit status: 0 on success; 1 for an unreadable or malformed file or an invalid problem;
2 for a bad command line or a bad --dl-dx; 3 when the forward solve fails or the
gradient cannot be computed.`;

function readText(file: string, what: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    throw new InputError(
      `cannot read ${what} ${file === '-' ? 'stdin' : file}: ${(e as Error).message}`,
    );
  }
}

function parseProblems(file: string, format: ProblemFileFormat | undefined): ParsedProblems {
  const text = readText(file, 'problem file');
  let parsed: ParsedProblems;
  try {
    parsed = parseProblemText(text, { format, filename: file === '-' ? undefined : file });
  } catch (e) {
    throw new InputError(`${file}: ${(e as Error).message}`);
  }
  parsed.problems.forEach((p, i) => {
    const issue = validateProblem(p);
    if (issue)
      throw new InputError(
        `${file}: ${parsed.batch ? `problem ${i}: ` : ''}invalid problem: ${issue.message}`,
      );
  });
  return parsed;
}

/** ∂ℓ/∂x* per problem from a JSON literal or a file: one array for all problems, or one per problem. */
export function parseDlDx(raw: string, problems: QpProblem[]): Float64Array[] {
  const text = raw.trimStart().startsWith('[') ? raw : readText(raw, '--dl-dx file');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--dl-dx is not valid JSON: ${(e as Error).message}`);
  }
  const asVector = (v: unknown, what: string, n: number): Float64Array => {
    if (!Array.isArray(v) || v.some((e) => typeof e !== 'number' || !Number.isFinite(e))) {
      throw new UsageError(`${what} must be an array of finite numbers`);
    }
    if (v.length !== n) throw new UsageError(`${what} has length ${v.length}, expected n = ${n}`);
    return Float64Array.from(v as number[]);
  };
  if (Array.isArray(value) && value.length > 0 && value.every(Array.isArray)) {
    if (value.length !== problems.length) {
      throw new UsageError(`--dl-dx has ${value.length} arrays for ${problems.length} problems`);
    }
    return problems.map((p, i) => asVector(value[i], `--dl-dx[${i}]`, p.n));
  }
  return problems.map((p) => asVector(value, '--dl-dx', p.n));
}

/** Forward settings: the solve flags (ADMM ρ from --admm-rho), polishing on, eps 1e-9 by default. */
function forwardSettings(flags: Map<string, FlagValue>): Partial<QpSettings> {
  const solveFlags = new Map(flags);
  solveFlags.delete('rho');
  if (flags.has('admm-rho')) solveFlags.set('rho', flags.get('admm-rho') as number);
  const settings = settingsFromFlags(solveFlags);
  if (!flags.has('eps-abs')) settings.eps_abs = 1e-9;
  if (!flags.has('eps-rel')) settings.eps_rel = 1e-9;
  return settings;
}

function gradientsToJson(x: Float64Array, g: QpGradients): Record<string, unknown> {
  const arr = (v: ArrayLike<number>) => Array.from(v, jsonNumber);
  return {
    x: arr(x),
    dq: arr(g.dq),
    dl: arr(g.dl),
    du: arr(g.du),
    dP: toRows(g.dP),
    dA: toRows(g.dA),
  };
}

export async function gradCommand(argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, GRAD_FLAGS);
  if (flags.get('help')) {
    await writeStdout(GRAD_HELP + '\n');
    return EXIT.ok;
  }
  if (positionals.length !== 1) {
    throw new UsageError(
      `grad takes one FILE, got ${positionals.length}${positionals.length ? `: ${positionals.join(' ')}` : ''}`,
    );
  }
  const rawDlDx = flags.get('dl-dx') as string | undefined;
  if (rawDlDx === undefined)
    throw new UsageError('grad needs --dl-dx (∂ℓ/∂x* as a JSON array or a file)');
  const engineKind = (flags.get('engine') as EngineKind | undefined) ?? 'cpu';
  const method = (flags.get('method') as GradMethod | undefined) ?? 'kkt';
  const settings = forwardSettings(flags);
  const options: GradOptions = {};
  for (const [flag, key] of [
    ['tau', 'tau'],
    ['rho', 'rho'],
    ['delta', 'delta'],
  ] as const) {
    if (flags.has(flag)) options[key] = flags.get(flag) as number;
  }

  const file = positionals[0];
  const { problems, batch } = parseProblems(
    file,
    flags.get('format') as ProblemFileFormat | undefined,
  );
  const dlDx = parseDlDx(rawDlDx, problems);
  const results = solveBatch({ kind: 'problems', problems }, settings);
  results.forEach((r, i) => {
    if (r.status !== 'solved') {
      throw new Error(
        `${batch ? `problem ${i}: ` : ''}the forward solve ended with status '${r.status}'; no gradient`,
      );
    }
  });
  // The forward solve stays on the CPU in Float64 whatever the engine: every method reads the
  // active set off x*, and an f32 solve cannot reach the tight tolerance that needs.
  const { engine, backward, dispose } = await openEngine(engineKind);
  const items = problems.map((problem, i) => ({ problem, result: results[i], dl_dx: dlDx[i] }));
  let grads;
  try {
    grads = await backward.backwardBatch(items, method, options);
  } finally {
    dispose();
  }
  const printed = grads.map((g, i) => ({
    ...gradientsToJson(results[i].x, g),
    method,
    engine: backward.name,
    adapter: engine.adapter,
    status: results[i].status,
  }));
  await writeStdout(JSON.stringify(batch ? { results: printed } : printed[0]) + '\n');
  return EXIT.ok;
}
