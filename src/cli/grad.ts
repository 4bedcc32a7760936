/**
 * `grad FILE --dl-dx G [options]`: solve the QP(s) in FILE, then print the gradients of a loss
 * with ∂ℓ/∂x* = G with respect to the problem data (docs/gradients.md).
 */
import { readFile } from 'node:fs/promises';
import type { QpProblem, QpResult, QpSettings } from '../solvers/qp';
import { toRows } from '../solvers/linalg/dense';
import { isCsc, toDenseProblem } from '../solvers/qp/matrix';
import { cscToMatrix } from '../solvers/linalg/sparse/csc';
import { kktBackwardSparse, type SparseQpGradients } from '../solvers/grad/kkt-sparse';
import {
  GRAD_METHODS,
  type BackwardEngine,
  type BackwardItem,
  type GradMethod,
  type GradOptions,
  type QpGradients,
} from '../solvers/grad';
import {
  SOLVER_FLAGS,
  formatFlags,
  parseArgs,
  settingsFromFlags,
  type FlagSpec,
  type FlagValue,
} from './args';
import { printWarnings, processIo, type CliIo } from './console';
import { EngineError, EXIT, InputError, UsageError } from './errors';
import { openEngine, type EngineKind } from './engines';
import { INPUT_FLAGS, factorBudget, inputOptions, loadProblems, memoryHint } from './input';
import { jsonLine, jsonNumber } from './output';
import { deadlineOf, solveOnCpu } from './solve';
import { errorMessage } from '../solvers/errors';

/** The solve flags, except that --rho is LPGD's ρ here; ADMM's step size moves to --admm-rho. */
const GRAD_FLAGS: readonly FlagSpec[] = [
  {
    name: 'dl-dx',
    type: 'string',
    arg: 'G',
    help: '∂ℓ/∂x*: a JSON array (or one array per batch problem), or a file holding it',
  },
  { name: 'method', type: 'string', choices: GRAD_METHODS, help: 'gradient method (default kkt)' },
  { name: 'tau', type: 'number', arg: 'X', help: 'LPGD step τ > 0 (default 1e-4)' },
  { name: 'rho', type: 'number', arg: 'X', help: 'LPGD augmentation ρ ≥ 0 of Eq. 28 (default 0)' },
  {
    name: 'delta',
    type: 'number',
    arg: 'X',
    help: 'regularization δ > 0 of the KKT / BPQP backward system (default 1e-6)',
  },
  ...SOLVER_FLAGS.filter((f) => f.name !== 'rho'),
  {
    name: 'admm-rho',
    type: 'number',
    arg: 'X',
    help: "initial ADMM step size of the forward solve (the solve command's --rho)",
  },
  ...INPUT_FLAGS,
  { name: 'help', type: 'boolean', usage: '-h, --help', help: 'show this help' },
];

export const GRAD_HELP = `Usage: npm run --silent cli -- grad FILE --dl-dx G [options]

Solve the QP in FILE (or each QP of a batch file), then differentiate a loss ℓ(x*)
with ∂ℓ/∂x* = G through the solution. Prints one JSON object
  {"x","dq","dl","du","dP","dA","method","engine","status"[,"warnings"]}
(dP and dA as arrays of rows), or {"results": [...][,"warnings"]} for a batch, where a
member whose forward solve did not end 'solved', or whose gradient failed, is
{"status","error","method","engine"} and the others still carry their gradients.

Methods: kkt (exact implicit differentiation), bpqp (backward pass as a QP),
lpgd / lpgd-lower / lpgd-upper (Lagrangian proximal gradient, average / lower / upper),
smoothed-qp (locally smoothed active set), fd (central finite differences).
An equality row (l = u) only has dl + du; it is put on the side of its multiplier.
Details and equations: docs/gradients.md.

Options:
${formatFlags(GRAD_FLAGS)}

The forward solve polishes and uses eps 1e-9 unless --eps-abs / --eps-rel are given,
because every method reads the active set off the forward solution. Every option is
checked before anything is solved.

Exit status: 0 on success (for a batch: whenever the results are printed); 1 for an
unreadable, malformed or too large file or an invalid problem; 2 for a bad command
line or a bad --dl-dx; 3 when the forward solve or the gradient of a single problem fails.`;

/** Methods the WebGPU backward engine implements (src/gpu/backward.ts). */
const GPU_METHODS: readonly GradMethod[] = ['kkt', 'bpqp', 'lpgd', 'lpgd-lower', 'lpgd-upper'];

const LPGD: readonly GradMethod[] = ['lpgd', 'lpgd-lower', 'lpgd-upper'];

/** Each gradient option: its GradOptions key, its valid range, and the methods that read it. */
const GRAD_OPTIONS = [
  { flag: 'tau', valid: (v: number) => v > 0, range: 'a positive number', users: LPGD },
  { flag: 'rho', valid: (v: number) => v >= 0, range: 'a non-negative number', users: LPGD },
  {
    flag: 'delta',
    valid: (v: number) => v > 0,
    range: 'a positive number',
    users: ['kkt', 'bpqp', 'smoothed-qp'] as readonly GradMethod[],
  },
] as const;

/**
 * The gradient options from the flags, every value checked before anything runs (UsageError),
 * and a warning for each option the method does not read.
 */
export function gradOptions(
  flags: Map<string, FlagValue>,
  method: GradMethod,
): { options: GradOptions; warnings: string[] } {
  const options: GradOptions = {};
  const warnings: string[] = [];
  for (const { flag, valid, range, users } of GRAD_OPTIONS) {
    if (!flags.has(flag)) continue;
    const v = flags.get(flag) as number;
    if (!valid(v)) throw new UsageError(`--${flag} must be ${range}, got ${v}`);
    options[flag] = v;
    if (!users.includes(method))
      warnings.push(
        `--${flag} has no effect with --method ${method} (it is read by ${users.join(', ')})`,
      );
  }
  return { options, warnings };
}

async function readDlDxText(raw: string): Promise<string> {
  if (raw.trimStart().startsWith('[')) return raw;
  try {
    return await readFile(raw, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read --dl-dx file ${raw}: ${errorMessage(e)}`);
  }
}

/** The --dl-dx value as JSON, checked for syntax before the problem file is read. */
async function readDlDx(raw: string): Promise<unknown> {
  const text = await readDlDxText(raw);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--dl-dx is not valid JSON: ${errorMessage(e)}`);
  }
}

/** ∂ℓ/∂x* per problem from parsed --dl-dx JSON: one array for all problems, or one per problem. */
export function dlDxVectors(value: unknown, problems: { n: number }[]): Float64Array[] {
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

function gradientsToJson(
  x: Float64Array,
  g: QpGradients | SparseQpGradients,
): Record<string, unknown> {
  const arr = (v: ArrayLike<number>) => Array.from(v, jsonNumber);
  const sparse = isCsc(g.dP);
  return {
    x: arr(x),
    dq: arr(g.dq),
    dl: arr(g.dl),
    du: arr(g.du),
    // A problem too large for dense gradients gets dP on P's upper triangle and dA on A's pattern.
    dP: isCsc(g.dP) ? cscToMatrix(g.dP) : toRows(g.dP),
    dA: isCsc(g.dA) ? cscToMatrix(g.dA) : toRows(g.dA),
    ...(sparse ? { pattern: 'dP on the upper triangle of P, dA on the pattern of A (CSC)' } : {}),
  };
}

/**
 * Gradients of each item, or the error that item raised. The whole batch goes to the engine at
 * once (one GPU submission); only when that fails is each item differentiated alone, so that one
 * failing member does not take the others' gradients with it.
 */
export async function backwardEach(
  backward: BackwardEngine,
  items: BackwardItem[],
  method: GradMethod,
  options: GradOptions,
): Promise<(QpGradients | Error)[]> {
  try {
    return await backward.backwardBatch(items, method, options);
  } catch {
    const out: (QpGradients | Error)[] = [];
    for (const item of items) {
      try {
        out.push((await backward.backwardBatch([item], method, options))[0]);
      } catch (e) {
        out.push(e instanceof Error ? e : new Error(String(e)));
      }
    }
    return out;
  }
}

const noGradient = (r: QpResult) =>
  `the forward solve ended with status '${r.status}'${r.message ? ` (${r.message})` : ''}; no gradient`;

export async function gradCommand(argv: string[], io: CliIo = processIo): Promise<number> {
  const started = Date.now();
  const { flags, positionals } = parseArgs(argv, GRAD_FLAGS);
  if (flags.get('help')) {
    await io.out(GRAD_HELP + '\n');
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
  // Every option is checked here, before the file is read or anything is solved.
  const engineKind = (flags.get('engine') as EngineKind | undefined) ?? 'cpu';
  const method = (flags.get('method') as GradMethod | undefined) ?? 'kkt';
  if (engineKind === 'gpu' && !GPU_METHODS.includes(method))
    throw new UsageError(
      `--method ${method} is not implemented on --engine gpu (it has ${GPU_METHODS.join(', ')}); use --engine cpu`,
    );
  const { options, warnings: optionWarnings } = gradOptions(flags, method);
  const settings = forwardSettings(flags);
  const input = inputOptions(flags);
  const dlDxValue = await readDlDx(rawDlDx);
  const deadline = deadlineOf(settings, started);

  const loaded = await loadProblems(positionals[0], input);
  const { problems, batch, label } = loaded;
  const warnings = [...optionWarnings, ...loaded.warnings];
  printWarnings(io, warnings);
  const dlDx = dlDxVectors(dlDxValue, problems);
  settings.max_factor_bytes = factorBudget(problems, input.maxMemoryBytes);

  // The forward solve stays on the CPU in Float64 whatever the engine: every method reads the
  // active set off x*, and an f32 solve cannot reach the tight tolerance that needs.
  const results = solveOnCpu(problems, settings, deadline);
  const invalid = results.findIndex((r) => r.status === 'invalid_input');
  if (invalid >= 0)
    throw new InputError(
      `${label}: ${batch ? `problem ${invalid}: ` : ''}invalid problem: ${results[invalid].message}${memoryHint(results[invalid].message)}`,
    );
  const solved = results.map((_, i) => i).filter((i) => results[i].status === 'solved');
  if (!batch && solved.length === 0) throw new EngineError(noGradient(results[0]));

  const grads = new Map<number, QpGradients | SparseQpGradients | Error>();
  let engineName: string = engineKind;
  let adapter: string | undefined;
  // The gradient methods work on dense P and A (dP, dA are dense): within the memory limit.
  const dense = new Map<number, QpProblem>();
  for (const i of solved) {
    try {
      dense.set(i, toDenseProblem(problems[i], input.maxMemoryBytes));
    } catch (e) {
      if (method === 'kkt' && engineKind === 'cpu') {
        // Too large for dense dP and dA: the sparse KKT backward, gradients on the patterns.
        try {
          grads.set(i, kktBackwardSparse(problems[i], results[i], dlDx[i], options));
        } catch (e2) {
          grads.set(i, e2 instanceof Error ? e2 : new Error(String(e2)));
        }
      } else grads.set(i, new Error(`${errorMessage(e)} (raise it with --max-memory-mb)`));
    }
  }
  if (dense.size > 0) {
    const { engine, backward, dispose } = await openEngine(engineKind);
    try {
      const which = [...dense.keys()];
      const items = which.map((i) => ({
        problem: dense.get(i) as QpProblem,
        result: results[i],
        dl_dx: dlDx[i],
      }));
      const out = await backwardEach(backward, items, method, options);
      which.forEach((i, k) => grads.set(i, out[k]));
    } finally {
      dispose();
    }
    engineName = backward.name;
    adapter = engine.adapter;
  }
  const printed = results.map((r, i) => {
    const common = { method, engine: engineName, adapter, status: r.status };
    const g = grads.get(i);
    if (g === undefined) return { ...common, error: noGradient(r) };
    if (g instanceof Error) return { ...common, error: `the gradient failed: ${g.message}` };
    return { ...gradientsToJson(r.x, g), ...common };
  });
  if (!batch && 'error' in printed[0]) throw new EngineError(printed[0].error as string);
  const extra = warnings.length > 0 ? { warnings } : {};
  await io.out(jsonLine(batch ? { results: printed, ...extra } : { ...printed[0], ...extra }));
  return EXIT.ok;
}
