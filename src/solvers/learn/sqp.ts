/**
 * SQP over the QP engine for smooth convex objectives that are not quadratic (the "true problem"
 * of You Shall Pass: the LogSumExp portfolio of Eq. 9):
 *
 *   minimize φ(x)  subject to  l ≤ Ax ≤ u.
 *
 * Each step solves the Newton model as a QP with the original constraints,
 *
 *   x̂ = argmin ½xᵀH_k x + (g_k − H_k x_k)ᵀx  s.t.  l ≤ Ax ≤ u,   H_k = ∇²φ(x_k), g_k = ∇φ(x_k),
 *
 * by `solveQp` warm-started at (x_k, y_k); its multipliers are the next y. The step d = x̂ − x_k is
 * then damped by backtracking (Armijo) on the ℓ₁ merit φ(x) + μ‖viol(x)‖₁, μ = 1 + 2‖y‖∞, which
 * only matters while the start is infeasible: every QP solution is feasible and so is every
 * convex combination of feasible points. Near the solution full steps are taken and the
 * convergence is quadratic (exact Hessian).
 *
 * At the solution the QP with P = ∇²φ(x*) and q = ∇φ(x*) − Px* has the same KKT conditions as the
 * nonlinear problem (its gradient at x* is ∇φ(x*)), so x* solves it with the same multipliers and
 * its active-set KKT matrix is the nonlinear one's. That QP is returned (`qp`) for sqp-backward.ts.
 * Multipliers use OSQP's sign: ∇φ(x) + Aᵀy = 0, y > 0 at an upper bound, y < 0 at a lower one.
 */
import type { ActiveKind, DenseMatrix, QpProblem, QpResult, QpSettings } from '../qp/types';
import { solveQp } from '../qp';

/** A twice-differentiable convex function of x ∈ ℝⁿ. */
export interface SmoothObjective {
  readonly n: number;
  value(x: Float64Array): number;
  /** ∇φ(x), written into `out`. */
  gradient(x: Float64Array, out: Float64Array): Float64Array;
  /** ∇²φ(x), symmetric positive semidefinite, written into `out` (n × n). */
  hessian(x: Float64Array, out: DenseMatrix): DenseMatrix;
}

/** The feasible set {x : l ≤ Ax ≤ u}. */
export interface LinearConstraints {
  A: DenseMatrix;
  l: Float64Array;
  u: Float64Array;
}

export interface SqpOptions {
  /** Start (default 0; need not be feasible). */
  x0?: Float64Array;
  /** Starting multipliers for the first QP's warm start. */
  y0?: Float64Array;
  /** Stop when the step and the stationarity residual are below tol (relative; default 1e-9). */
  tol?: number;
  /** Newton steps at most (default 50). */
  maxIter?: number;
  /** Settings of the inner QP solves, over eps 1e-10, polishing and max_iter 20000. */
  settings?: Partial<QpSettings>;
  /** Armijo constant (default 1e-4). */
  armijo?: number;
  /** Added to diag(H) in the step QPs only (not in the returned QP); default 0. */
  hessianShift?: number;
}

export type SqpStatus = 'solved' | 'max_iter_reached' | 'qp_failed' | 'line_search_failed';

/** First-order optimality residuals, computed in Float64 straight from φ, A, l, u. */
export interface KktResiduals {
  /** ‖∇φ(x) + Aᵀy‖∞. */
  stationarity: number;
  /** max over rows of the bound violation of Ax. */
  primal: number;
  /** max |y_i| of a multiplier pushing on an infinite bound (wrong sign). */
  dualSign: number;
  /** max |y_i|·(distance of a_iᵀx to the bound y_i pushes on). */
  complementarity: number;
}

export interface SqpStep {
  /** φ at the new iterate. */
  obj: number;
  /** ‖d‖∞ of the QP step. */
  step: number;
  /** Step length accepted by the line search. */
  t: number;
  stationarity: number;
}

export interface SqpResult {
  status: SqpStatus;
  x: Float64Array;
  y: Float64Array;
  /** φ(x). */
  obj: number;
  /** Newton steps taken. */
  iter: number;
  /** Active set per row (from the last QP). */
  active: ActiveKind[];
  kkt: KktResiduals;
  /** The QP at the solution (P = ∇²φ(x*), q = ∇φ(x*) − Px*) and its solve: what kktBackward differentiates. */
  qp: { problem: QpProblem; result: QpResult };
  history: SqpStep[];
  message?: string;
}

const normInf = (v: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < v.length; i++) s = Math.max(s, Math.abs(v[i]));
  return s;
};

function rowDot(A: DenseMatrix, i: number, x: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < A.cols; j++) s += A.data[i * A.cols + j] * x[j];
  return s;
}

/** Σ_i max(0, l_i − a_iᵀx, a_iᵀx − u_i), the ℓ₁ constraint violation. */
export function violation(C: LinearConstraints, x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < C.A.rows; i++) {
    const z = rowDot(C.A, i, x);
    s += Math.max(0, C.l[i] - z, z - C.u[i]);
  }
  return s;
}

export function kktResiduals(
  phi: SmoothObjective,
  C: LinearConstraints,
  x: Float64Array,
  y: Float64Array,
): KktResiduals {
  const { A, l, u } = C;
  const r = phi.gradient(x, new Float64Array(phi.n));
  let primal = 0;
  let dualSign = 0;
  let complementarity = 0;
  for (let i = 0; i < A.rows; i++) {
    for (let j = 0; j < A.cols; j++) r[j] += A.data[i * A.cols + j] * y[i];
    const z = rowDot(A, i, x);
    primal = Math.max(primal, l[i] - z, z - u[i]);
    const bound = y[i] > 0 ? u[i] : y[i] < 0 ? l[i] : NaN;
    if (y[i] !== 0 && !Number.isFinite(bound)) dualSign = Math.max(dualSign, Math.abs(y[i]));
    else if (y[i] !== 0) complementarity = Math.max(complementarity, Math.abs(y[i] * (z - bound)));
  }
  return { stationarity: normInf(r), primal: Math.max(0, primal), dualSign, complementarity };
}

/** The Newton-model QP at x: P = H(x) + shift·I, q = ∇φ(x) − H(x)x. */
export function newtonQp(
  phi: SmoothObjective,
  C: LinearConstraints,
  x: Float64Array,
  shift = 0,
): QpProblem {
  const n = phi.n;
  const P: DenseMatrix = phi.hessian(x, { rows: n, cols: n, data: new Float64Array(n * n) });
  const q = phi.gradient(x, new Float64Array(n));
  for (let i = 0; i < n; i++) {
    let hx = 0;
    for (let j = 0; j < n; j++) hx += P.data[i * n + j] * x[j];
    q[i] -= hx;
  }
  if (shift > 0) for (let i = 0; i < n; i++) P.data[i * n + i] += shift;
  return { n, m: C.A.rows, P, q, r: 0, A: C.A, l: C.l, u: C.u };
}

const SOLVED = new Set(['solved', 'solved_inaccurate']);

export function solveSqp(
  phi: SmoothObjective,
  C: LinearConstraints,
  options: SqpOptions = {},
): SqpResult {
  const n = phi.n;
  if (C.A.cols !== n) throw new Error(`sqp: A has ${C.A.cols} columns, φ has n = ${n}`);
  const tol = options.tol ?? 1e-9;
  const maxIter = options.maxIter ?? 50;
  const c1 = options.armijo ?? 1e-4;
  const settings: Partial<QpSettings> = {
    eps_abs: 1e-10,
    eps_rel: 1e-10,
    polish: true,
    max_iter: 20000,
    ...options.settings,
  };
  let x = options.x0 ? Float64Array.from(options.x0) : new Float64Array(n);
  let y = options.y0 ? Float64Array.from(options.y0) : new Float64Array(C.A.rows);
  let mu = 1;
  const history: SqpStep[] = [];
  let status: SqpStatus = 'max_iter_reached';
  let message: string | undefined;
  const g = new Float64Array(n);
  for (let iter = 0; iter < maxIter; iter++) {
    const qp = newtonQp(phi, C, x, options.hessianShift ?? 0);
    const res = solveQp(qp, settings, { x, y });
    if (!SOLVED.has(res.status)) {
      status = 'qp_failed';
      message = `the QP of step ${iter} ended with status '${res.status}'`;
      break;
    }
    const d = Float64Array.from(res.x, (v, j) => v - x[j]);
    const step = normInf(d);
    if (step <= tol * (1 + normInf(x))) {
      // A negligible step: x̂ is the answer; a line search here would only compare round-off.
      x = Float64Array.from(res.x);
      y = Float64Array.from(res.y);
      const kkt = kktResiduals(phi, C, x, y);
      history.push({ obj: phi.value(x), step, t: 1, stationarity: kkt.stationarity });
      if (kkt.stationarity <= tol * (1 + normInf(phi.gradient(x, g)))) status = 'solved';
      else {
        status = 'line_search_failed';
        message = `the step vanished at iteration ${iter} with stationarity ${kkt.stationarity}`;
      }
      break;
    }
    mu = Math.max(mu, 1 + 2 * normInf(res.y));
    const merit = (z: Float64Array): number => phi.value(z) + mu * violation(C, z);
    phi.gradient(x, g);
    let D = -mu * violation(C, x);
    for (let j = 0; j < n; j++) D += g[j] * d[j];
    const m0 = merit(x);
    // Slack for round-off in φ, so that a step to a point equal up to rounding is not refused.
    const slack = 1e-14 * (1 + Math.abs(m0));
    let t = 1;
    let trial = res.x;
    while (merit(trial) > m0 + c1 * t * Math.min(D, 0) + slack && t > 1e-10) {
      t /= 2;
      trial = Float64Array.from(x, (v, j) => v + t * d[j]);
    }
    if (t <= 1e-10) {
      status = 'line_search_failed';
      message = `no decrease of the merit function along the step of iteration ${iter}`;
      break;
    }
    x = trial;
    y =
      t === 1
        ? Float64Array.from(res.y)
        : Float64Array.from(y, (v, i) => (1 - t) * v + t * res.y[i]);
    history.push({
      obj: phi.value(x),
      step,
      t,
      stationarity: kktResiduals(phi, C, x, y).stationarity,
    });
  }
  // The QP at the final iterate: x* solves it (to the QP tolerance); its active set and KKT
  // matrix are the nonlinear problem's.
  const problem = newtonQp(phi, C, x);
  const result = solveQp(problem, settings, { x, y });
  if (status === 'solved' && SOLVED.has(result.status)) {
    x = Float64Array.from(result.x);
    y = Float64Array.from(result.y);
  }
  return {
    status,
    x,
    y,
    obj: phi.value(x),
    iter: history.length,
    active: result.active,
    kkt: kktResiduals(phi, C, x, y),
    qp: { problem, result },
    history,
    ...(message ? { message } : {}),
  };
}
