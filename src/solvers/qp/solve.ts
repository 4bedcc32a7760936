import type { ActiveKind, QpProblem, QpResult, QpSettings, QpStatus, WarmStart } from './types';
import { DEFAULT_SETTINGS } from './types';
import type { Workspace } from './workspace';
import {
  adaptRho,
  checkTermination,
  classifyRows,
  computeResiduals,
  isDualInfeasible,
  isPrimalInfeasible,
  fillRhoVec,
  updateX,
  updateXZTilde,
  updateY,
  updateZ,
  type Residuals,
} from './admm';
import { polish } from './polish';
import {
  scaleData,
  scaleVectors,
  scaleWarmStart,
  unscaleSolution,
  type Scaling,
  type ScaledMatrices,
} from './scaling';
import { FactorCache } from './factorCache';
import { objective, validateProblem, validateSettings } from './validate';
import { matVec } from '../linalg/dense';
import { FactorizationError } from '../linalg/linsys';

/** Scaled matrices and their factorizations, shareable by problems with the same P and A. */
export interface SolverSetup {
  scaling: Scaling;
  scaled: ScaledMatrices;
  factors: FactorCache;
}

/** OSQP 1.0's iteration-based interval: ρ is re-estimated every 4 termination checks. */
const ADAPTIVE_RHO_MULTIPLE_TERMINATION = 4;
const ADAPTIVE_RHO_FIXED = 100;

export function resolveSettings(settings?: Partial<QpSettings>): QpSettings {
  const s = { ...DEFAULT_SETTINGS };
  if (settings)
    for (const [k, v] of Object.entries(settings))
      if (v !== undefined) (s as Record<string, unknown>)[k] = v;
  return s;
}

/** Ruiz scaling of (P, A) with the cost scaling from the given q's, and an empty factor cache. */
export function setupSolver(
  p: QpProblem,
  s: QpSettings,
  qList: Float64Array[] = [p.q],
  cacheSize = 1,
): SolverSetup {
  const { scaling, scaled } = scaleData(p.P, p.A, qList, s.scaling);
  return {
    scaling,
    scaled,
    factors: new FactorCache(scaled.P, scaled.A, s.sigma, 'reduced-cholesky', cacheSize),
  };
}

/** A workspace for problem p (its q, l, u) on a prepared setup, cold or warm started. */
export function createWorkspace(
  p: QpProblem,
  s: QpSettings,
  setup: SolverSetup,
  warm?: WarmStart,
): Workspace {
  const { n, m } = p;
  const { scaling, scaled } = setup;
  const v = scaleVectors(scaling, p.q, p.l, p.u);
  const rowType = classifyRows(v.l, v.u);
  const rhoVec = new Float64Array(m);
  const rhoInvVec = new Float64Array(m);
  const rho = fillRhoVec(rowType, s.rho, rhoVec, rhoInvVec);
  const w: Workspace = {
    n,
    m,
    settings: s,
    P: scaled.P,
    q: v.q,
    A: scaled.A,
    l: v.l,
    u: v.u,
    scaling,
    rowType,
    rho,
    rhoVec,
    rhoInvVec,
    linsys: setup.factors.get(rhoVec),
    factors: setup.factors,
    rhoUpdates: 0,
    x: new Float64Array(n),
    xPrev: new Float64Array(n),
    z: new Float64Array(m),
    zPrev: new Float64Array(m),
    y: new Float64Array(m),
    xTilde: new Float64Array(n),
    zTilde: new Float64Array(m),
    deltaX: new Float64Array(n),
    deltaY: new Float64Array(m),
    rhs: new Float64Array(n + m),
    Ax: new Float64Array(m),
    Px: new Float64Array(n),
    Aty: new Float64Array(n),
    tmpN: new Float64Array(n),
    tmpM: new Float64Array(m),
  };
  if (s.warm_start && warm) {
    const ws = scaleWarmStart(scaling, checkedWarm(warm.x, n, 'x'), checkedWarm(warm.y, m, 'y'));
    if (ws.x) w.x.set(ws.x);
    if (ws.y) w.y.set(ws.y);
    // OSQP sets z = Ax on a warm start; projecting keeps z in [l, u] as the iteration assumes.
    matVec(w.A, w.x, w.z);
    for (let i = 0; i < m; i++) w.z[i] = Math.min(Math.max(w.z[i], w.l[i]), w.u[i]);
  }
  return w;
}

function checkedWarm(
  v: Float64Array | undefined,
  len: number,
  name: string,
): Float64Array | undefined {
  if (v === undefined) return undefined;
  if (v.length !== len || !v.every(Number.isFinite)) {
    throw new Error(`warm start ${name} must be ${len} finite numbers`);
  }
  return v;
}

/**
 * Runs ADMM on a workspace until a status is reached; returns the status and last residuals.
 * Termination and infeasibility are checked every `check_termination` iterations. ρ is re-estimated
 * every 4·check_termination iterations (OSQP 1.0's rule for adaptive_rho_interval = 0: deterministic,
 * so runs are reproducible); adaptive_rho_interval > 0 selects OSQP 0.6's time-based rule, turned
 * into an iteration count after the first iteration (adapt once iterating has taken that fraction
 * of the setup time).
 */
export function iterate(
  w: Workspace,
  t0: number,
): { status: QpStatus; iter: number; res: Residuals; certificate?: Float64Array } {
  const s = w.settings;
  const check = s.check_termination;
  let rhoInterval = check > 0 ? ADAPTIVE_RHO_MULTIPLE_TERMINATION * check : ADAPTIVE_RHO_FIXED;
  const timeBased = s.adaptive_rho && s.adaptive_rho_interval > 0;
  let res: Residuals | null = null;
  let iter = 0;
  let status: QpStatus | null = null;
  let certificate: Float64Array | undefined;
  const deadline = s.time_limit > 0 ? t0 + s.time_limit * 1000 : Infinity;
  const tStart = performance.now();
  const setupMs = tStart - t0;
  for (iter = 1; iter <= s.max_iter; iter++) {
    const x = w.xPrev;
    w.xPrev = w.x;
    w.x = x;
    const z = w.zPrev;
    w.zPrev = w.z;
    w.z = z;
    updateXZTilde(w);
    updateX(w);
    updateZ(w);
    updateY(w);
    if (timeBased && iter === 1) {
      // OSQP's time-based rule: adapt after the iterations take a fraction of the setup time.
      const perIter = Math.max(performance.now() - tStart, 1e-3);
      const k = Math.max(1, Math.round((s.adaptive_rho_interval * setupMs) / perIter));
      rhoInterval = check > 0 ? Math.max(check, Math.round(k / check) * check) : k;
    }
    const doCheck = check > 0 && iter % check === 0;
    const doAdapt = s.adaptive_rho && iter % rhoInterval === 0;
    res = null;
    if (doCheck || doAdapt) res = computeResiduals(w);
    if (doCheck && res) {
      if (checkTermination(w, res)) {
        status = 'solved';
        break;
      }
      certificate = isPrimalInfeasible(w, s.eps_prim_inf) ?? undefined;
      if (certificate) {
        status = 'primal_infeasible';
        break;
      }
      certificate = isDualInfeasible(w, s.eps_dual_inf) ?? undefined;
      if (certificate) {
        status = 'dual_infeasible';
        break;
      }
    }
    if (doAdapt && res) adaptRho(w, res);
    if (performance.now() > deadline) {
      status = 'time_limit_reached';
      break;
    }
  }
  iter = Math.min(iter, s.max_iter);
  res ??= computeResiduals(w);
  if (status === null) status = checkTermination(w, res) ? 'solved' : 'max_iter_reached';
  if (
    (status === 'max_iter_reached' || status === 'time_limit_reached') &&
    checkTermination(w, res, true)
  ) {
    status = 'solved_inaccurate';
  }
  return { status, iter, res, certificate };
}

/**
 * Row roles at the solution. A row is binding when z is within 10·(ε_abs + ε_rel|z|) of a bound;
 * when both bounds are that close the multiplier's sign decides (OSQP: y > 0 upper, y < 0 lower).
 * A row away from both bounds with a multiplier above the noise level (inexact solution) still
 * counts as active on the side its sign names; multipliers of inactive rows are rounding noise.
 */
export function activeSet(
  p: QpProblem,
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
  p: QpProblem,
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

/** Solves one validated problem on a prepared setup: ADMM, then polishing, then unscaling. */
export function solveValidated(
  p: QpProblem,
  s: QpSettings,
  setup: SolverSetup,
  warm: WarmStart | undefined,
  t0: number,
): QpResult {
  const w = createWorkspace(p, s, setup, warm);
  const run = iterate(w, t0);
  let { res } = run;
  let polishStatus: QpResult['polish'] = 'not_run';
  let xs = w.x;
  let zs = w.z;
  let ys = w.y;
  if (s.polish && run.status === 'solved') {
    const pol = polish(w, res, (x, z, y) => computeResiduals(w, x, z, y));
    polishStatus = pol.status;
    if (pol.status === 'success' && pol.x && pol.y && pol.z && pol.residuals) {
      xs = pol.x;
      ys = pol.y;
      zs = pol.z;
      res = pol.residuals;
    }
  }
  const { x, y, z } = unscaleSolution(w.scaling, xs, ys, zs);
  const infeasible = run.status === 'primal_infeasible' || run.status === 'dual_infeasible';
  // scaled_termination reports scaled residuals; the result always carries unscaled ones.
  const unscaled = s.scaled_termination
    ? computeResiduals({ ...w, settings: { ...s, scaled_termination: false } }, xs, zs, ys)
    : res;
  return {
    status: run.status,
    x,
    y,
    z,
    obj: infeasible ? NaN : objective(p, x),
    iter: run.iter,
    prim_res: unscaled.prim,
    dual_res: unscaled.dual,
    time_ms: performance.now() - t0,
    active: activeSet(p, z, y, s),
    rho: w.rho,
    rho_updates: w.rhoUpdates,
    polish: polishStatus,
    ...(run.certificate ? { certificate: run.certificate } : {}),
  };
}

/** Validates, scales, factors and solves one QP (OSQP's ADMM, dense Float64). */
export function solveQp(
  problem: QpProblem,
  settings?: Partial<QpSettings>,
  warm?: WarmStart,
): QpResult {
  const t0 = performance.now();
  const s = resolveSettings(settings);
  const bad = validateSettings(s);
  if (bad) return failedResult(problem, 'invalid_input', bad, t0);
  const v = validateProblem(problem);
  if (v) return failedResult(problem, v.status, v.message, t0);
  const setup = setupSolver(problem, s);
  try {
    return solveValidated(problem, s, setup, warm, t0);
  } catch (e) {
    return failedResult(problem, errorStatus(e), (e as Error).message, t0);
  }
}

/** A factorization failure after validation means P is (numerically) not PSD. */
export function errorStatus(e: unknown): QpStatus {
  return e instanceof FactorizationError ? 'non_convex' : 'invalid_input';
}
