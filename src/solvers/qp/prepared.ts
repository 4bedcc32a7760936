/**
 * Before and after ADMM, in Float64, for every engine: a structure (P, A) scaled once (Ruiz, OSQP
 * §5.1) and shared by all its parameter sets; each problem's scaled vectors, row types and
 * starting iterate; and, from the driver's outcome, the QpResult (polishing in the scaled space,
 * unscaling, objective, active set).
 */
import type {
  ActiveKind,
  AnyQpProblem,
  DenseMatrix,
  LinSysPath,
  QpProblem,
  QpResult,
  QpSettings,
  QpStatus,
  WarmStart,
} from './types';
import { scaleData, scaleVectors, scaleWarmStart, unscaleSolution, type Scaling } from './scaling';
import { classifyRows } from './admm';
import { objective } from './validate';
import { denseActiveSetSolver, polish, sparseActiveSetSolver } from './polish';
import { meetsTolerance, originalResiduals } from './evaluation';
import type { AdmmOutcome } from './driver';
import { mul, toDenseProblem, toSparseProblem, type QpMatrix } from './matrix';
import type { PathChoice } from './linsys-path';
import type { KktAnalysis } from '../linalg/sparse/kkt';
import type { FactorCache } from './factorCache';
import { DeadlineError, NO_DEADLINE, type Deadline } from '../deadline';

/** The parameter vectors of one problem of a structure; a missing one keeps the structure's. */
export interface QpParams {
  q?: Float64Array;
  l?: Float64Array;
  u?: Float64Array;
}

/**
 * A structure scaled once: P̄ = c·DPD, Ā = EAD, shared by every problem on it, in the storage of
 * the linear system chosen for it (dense, or CSC with P̄ as its upper triangle).
 */
export interface ScaledStructure<M extends QpMatrix = QpMatrix> {
  /** The structure as given (its q, l, u are the defaults of its problems). */
  problem: AnyQpProblem;
  scaling: Scaling;
  P: M;
  A: M;
  /** The CPU engine's linear system for this structure (absent for the GPU engine's). */
  linsys?: LinSysPath;
  /** The sparse path's AMD ordering and symbolic analysis, made when the path was chosen. */
  analysis?: KktAnalysis;
}

/** One problem ready for a backend. */
export interface PreparedProblem<M extends QpMatrix = QpMatrix> {
  /** The original problem (the structure with this problem's vectors). */
  problem: AnyQpProblem;
  n: number;
  m: number;
  scaling: Scaling;
  /** Scaled P̄, Ā (the structure's, shared). */
  P: M;
  A: M;
  /** The structure's linear system on the CPU engine. */
  linsys?: LinSysPath;
  /** Scaled q̄ = c·Dq, l̄ = El, ū = Eu (±Infinity kept). */
  q: Float64Array;
  l: Float64Array;
  u: Float64Array;
  /** Row types deciding the per-row ρ (loose, inequality, equality). */
  rowType: Int8Array;
  /** Scaled starting iterate: zero, or the warm start with z̄ = Π[l̄,ū](Āx̄) as OSQP. */
  x0: Float64Array;
  z0: Float64Array;
  y0: Float64Array;
}

/**
 * Ruiz scaling of a structure; the cost scaling c uses the largest of the given q. Without a path
 * choice the structure stays dense (the WebGPU engine's); with one, P̄ and Ā take the chosen
 * storage. DeadlineError past the deadline.
 */
export function scaleStructure(
  structure: QpProblem,
  s: QpSettings,
  qList?: Float64Array[],
): ScaledStructure<DenseMatrix>;
export function scaleStructure(
  structure: AnyQpProblem,
  s: QpSettings,
  qList: Float64Array[] | undefined,
  choice: PathChoice,
  deadline?: Deadline,
): ScaledStructure;
export function scaleStructure(
  structure: AnyQpProblem,
  s: QpSettings,
  qList: Float64Array[] = [structure.q],
  choice?: PathChoice,
  deadline: Deadline = NO_DEADLINE,
): ScaledStructure {
  const data = choice?.path === 'sparse' ? toSparseProblem(structure) : toDenseProblem(structure);
  // The CPU engine (a path chosen) measures P's columns as OSQP; the WebGPU engine in full.
  const columns = choice ? 'upper' : 'full';
  const { scaling, scaled } = scaleData<QpMatrix>(
    data.P,
    data.A,
    qList,
    s.scaling,
    deadline,
    columns,
  );
  return {
    problem: structure,
    scaling,
    P: scaled.P,
    A: scaled.A,
    ...(choice ? { linsys: choice.path } : {}),
    ...(choice?.analysis ? { analysis: choice.analysis } : {}),
  };
}

/** The structure with one problem's vectors. */
export function withParams<P extends AnyQpProblem>(structure: P, v: QpParams): P {
  return { ...structure, q: v.q ?? structure.q, l: v.l ?? structure.l, u: v.u ?? structure.u };
}

function checkedWarm(v: Float64Array | undefined, len: number, name: string) {
  if (v === undefined) return undefined;
  if (v.length !== len || !v.every(Number.isFinite))
    throw new Error(`warm start ${name} must be ${len} finite numbers`);
  return v;
}

/**
 * Scales a (validated) problem's vectors on its structure and sets its starting iterate. Throws a
 * one-line Error for a malformed warm start.
 */
export function prepareProblem<M extends QpMatrix>(
  st: ScaledStructure<M>,
  problem: AnyQpProblem,
  s: QpSettings,
  warm?: WarmStart,
): PreparedProblem<M> {
  const { n, m } = problem;
  const sc = st.scaling;
  const v = scaleVectors(sc, problem.q, problem.l, problem.u);
  const x0 = new Float64Array(n);
  const y0 = new Float64Array(m);
  const z0 = new Float64Array(m);
  if (s.warm_start && warm) {
    const ws = scaleWarmStart(sc, checkedWarm(warm.x, n, 'x'), checkedWarm(warm.y, m, 'y'));
    if (ws.x) x0.set(ws.x);
    if (ws.y) y0.set(ws.y);
    mul(st.A, x0, z0);
    for (let i = 0; i < m; i++) z0[i] = Math.min(Math.max(z0[i], v.l[i]), v.u[i]);
  }
  return {
    problem,
    n,
    m,
    scaling: sc,
    P: st.P,
    A: st.A,
    q: v.q,
    l: v.l,
    u: v.u,
    rowType: classifyRows(v.l, v.u),
    x0,
    z0,
    y0,
    ...(st.linsys ? { linsys: st.linsys } : {}),
  };
}

/**
 * Row roles at the solution. A row is binding when z is within 10·(ε_abs + ε_rel|z|) of a bound;
 * when both bounds are that close the multiplier's sign decides (OSQP: y > 0 upper, y < 0 lower).
 * A row away from both bounds with a multiplier above the noise level (inexact solution) still
 * counts as active on the side its sign names; multipliers of inactive rows are rounding noise.
 */
export function activeSet(
  p: AnyQpProblem,
  z: Float64Array,
  y: Float64Array,
  s: QpSettings,
): ActiveKind[] {
  let yMax = 0;
  for (let i = 0; i < p.m; i++) yMax = Math.max(yMax, Math.abs(y[i]));
  const yTol = Math.max(s.eps_abs, s.eps_rel * yMax);
  const out: ActiveKind[] = [];
  for (let i = 0; i < p.m; i++) {
    const tol = 10 * (s.eps_abs + s.eps_rel * Math.abs(z[i]));
    const nearU = p.u[i] - z[i] <= tol;
    const nearL = z[i] - p.l[i] <= tol;
    if (p.l[i] === p.u[i]) out.push('equality');
    else if (nearU && nearL) out.push(y[i] < 0 ? 'lower' : 'upper');
    else if (nearU) out.push('upper');
    else if (nearL) out.push('lower');
    else if (Math.abs(y[i]) > yTol) out.push(y[i] > 0 ? 'upper' : 'lower');
    else out.push('inactive');
  }
  return out;
}

/** Result for a problem that was never iterated (invalid input or non-convex). */
export function failedResult(
  p: AnyQpProblem,
  status: QpStatus,
  message: string,
  t0: number,
): QpResult {
  const n = Number.isInteger(p?.n) && p.n > 0 ? p.n : 0;
  const m = Number.isInteger(p?.m) && p.m > 0 ? p.m : 0;
  return {
    status,
    message,
    x: new Float64Array(n).fill(NaN),
    y: new Float64Array(m).fill(NaN),
    z: new Float64Array(m).fill(NaN),
    obj: NaN,
    iter: 0,
    prim_res: NaN,
    dual_res: NaN,
    time_ms: performance.now() - t0,
    active: new Array<ActiveKind>(m).fill('inactive'),
    rho: NaN,
    rho_updates: 0,
    polish: 'not_run',
  };
}

/** What the CPU engine adds to a result: its factorizations (for polishing) and its timing. */
export interface AssemblyContext {
  /** The structure's factorizations: sparse polishing reuses their KKT analysis. */
  factors?: FactorCache;
  /** Setup time (validation, scaling, first factorization), ms: fills QpResult.timing. */
  setupMs?: number;
  /** The solve's deadline, which polishing also respects. */
  deadline?: Deadline;
}

/**
 * The QpResult of one problem from the driver's outcome: polishing (when asked and solved) on the
 * scaled data from the scaled iterate, kept only if it improves the residuals of the original
 * problem; then unscaling, objective and active set. Every engine ends here. A refused polish
 * leaves the ADMM point with its own residuals, which the driver computed on the original data.
 */
export function assembleResult(
  pp: PreparedProblem,
  out: AdmmOutcome,
  s: QpSettings,
  t0: number,
  ctx: AssemblyContext = {},
): QpResult {
  const sc = pp.scaling;
  let { x, y, z } = out.iterate;
  let residuals = out.residuals;
  let polishStatus: QpResult['polish'] = 'not_run';
  let status = out.status;
  let message: string | undefined;
  const tPolish = performance.now();
  // Beyond OSQP, which polishes only 'solved': a last iterate short of the tolerance is polished
  // too, and a polished point whose residuals and gap meet the tolerance on the original data is
  // 'solved' (the claim is checked there as every claim is); otherwise the ADMM point stays.
  const unfinished = out.status === 'max_iter_reached' || out.status === 'solved_inaccurate';
  if (s.polish && (out.status === 'solved' || unfinished)) {
    const residualsOf = (xs: Float64Array, zs: Float64Array, ys: Float64Array) => {
      const u = unscaleSolution(sc, xs, ys, zs);
      return originalResiduals(pp.problem, u.x, u.z, u.y);
    };
    const data = { ...pp, z, y, settings: s };
    const kkt = ctx.factors?.sparseSystem;
    const solver = kkt
      ? sparseActiveSetSolver(data, kkt, ctx.deadline)
      : denseActiveSetSolver(data);
    try {
      const pol = polish(data, residuals, residualsOf, solver, ctx.deadline);
      const meets = pol.residuals !== undefined && meetsTolerance(pol.residuals, pp.m, s);
      polishStatus = unfinished && pol.status === 'success' && !meets ? 'unsuccessful' : pol.status;
      if (polishStatus === 'success' && pol.x && pol.y && pol.z && pol.residuals) {
        ({ x, y, z } = pol);
        residuals = pol.residuals;
        if (unfinished) {
          status = 'solved';
          message = `solved by polishing the last ADMM iterate (ADMM alone ended ${out.status})`;
        }
      }
    } catch (e) {
      if (!(e instanceof DeadlineError)) throw e;
      message = 'polishing stopped at the time limit; the ADMM point is returned';
    }
  }
  const tEnd = performance.now();
  const u = unscaleSolution(sc, x, y, z);
  const infeasible = out.status === 'primal_infeasible' || out.status === 'dual_infeasible';
  const timing =
    ctx.setupMs !== undefined
      ? {
          setup_ms: ctx.setupMs,
          solve_ms: Math.max(0, tPolish - t0 - ctx.setupMs),
          polish_ms: tEnd - tPolish,
        }
      : undefined;
  return {
    status,
    x: u.x,
    y: u.y,
    z: u.z,
    obj: infeasible ? NaN : objective(pp.problem, u.x),
    iter: out.iter,
    prim_res: residuals.prim,
    dual_res: residuals.dual,
    time_ms: performance.now() - t0,
    active: activeSet(pp.problem, u.z, u.y, s),
    rho: out.rho,
    rho_updates: out.rhoUpdates,
    polish: polishStatus,
    ...(out.certificate ? { certificate: out.certificate } : {}),
    ...(message ? { message } : {}),
    ...(pp.linsys ? { linsys: pp.linsys } : {}),
    ...(timing ? { timing } : {}),
  };
}
