/**
 * QP approximation and local smoothing ("You Shall Pass", Sec. 3.2–3.3, Property 3.11, Algorithm 1).
 *
 * x_QP(ŵ) = argmin ½‖x − ŵ‖² over C (Eq. 4; P = I, q = −ŵ, so ∂ℓ/∂ŵ = −∂ℓ/∂q).
 *
 * Smoothing replaces the binding inequality rows at x̂ by one tangent constraint whose normal is the
 * internal gradient: with OSQP's sign, n_s = Σ_{i∈I} y_i a_i and β = Σ_{i∈I} y_i b_i, so n_sᵀx ≤ β
 * is the multiplier-weighted aggregate of the binding rows, x̂ stays optimal with multiplier 1, and
 * the Jacobian has the one-dimensional null space span{n_s} (Property 3.11; for the QP approximation
 * n_s = ŵ − x̂ and ∂x_r/∂ŵ = I − n̂n̂ᵀ). We take the limit r → ∞ of Definition 3.10's ball, the tangent
 * half-space, where the Jacobian is exactly the one stated in Property 3.11 (for a finite r the ball's
 * Jacobian is scaled by r/(r + ‖ŵ − x̂‖)). Equality rows stay exact constraints (Appendix B): they
 * bind for every ŵ, so smoothing them would only propose infeasible moves.
 *
 * For a general QP the same surrogate is differentiated exactly (kkt.ts); gradients of the surrogate
 * row flow back to the aggregated rows with the fixed weights y_i: dA_i = y_i·dn_s, db_i = y_i·dβ.
 */
import type { ActiveKind, DenseMatrix, QpProblem, QpResult, QpSettings } from '../qp/types';
import { solveQp } from '../qp';
import { eye } from '../linalg/dense';
import type { GradOptions, QpGradients } from './types';
import { activeSetOf, checkBackwardInput, kktBackward, splitBoundGradient } from './kkt';
import { solutionJacobian } from './jacobian';
import { exactResultOf } from './result';
import { norm2 } from './vec';

/** The feasible set C = {x : l ≤ Ax ≤ u}. */
export interface FeasibleSet {
  A: DenseMatrix;
  l: Float64Array;
  u: Float64Array;
}

/** x_QP(ŵ) = argmin ½‖x − ŵ‖² s.t. x ∈ C (Eq. 4), solved by the ADMM engine. */
export function qpApproximation(
  w: ArrayLike<number>,
  C: FeasibleSet,
  settings: Partial<QpSettings> = {},
): { problem: QpProblem; result: QpResult } {
  const n = w.length;
  if (C.A.cols !== n) throw new Error(`A has ${C.A.cols} columns, expected ${n} (length of ŵ)`);
  const problem: QpProblem = {
    n,
    m: C.A.rows,
    P: eye(n),
    q: Float64Array.from(w, (v) => -v),
    r: 0,
    A: C.A,
    l: C.l,
    u: C.u,
  };
  const result = solveQp(problem, { eps_abs: 1e-9, eps_rel: 1e-9, polish: true, ...settings });
  if (result.status !== 'solved')
    throw new Error(`QP approximation: the solve ended with status '${result.status}'`);
  return { problem, result };
}

/** The smoothed surrogate problem at (x̂, ŷ) and how its last row maps back to the original rows. */
interface Surrogate {
  problem: QpProblem;
  result: QpResult;
  /** Original indices of the surrogate's equality rows (its rows 0..k−1). */
  eqRows: number[];
  /** Aggregated rows with their weights y_i and kinds; empty when no inequality binds. */
  aggregated: { row: number; weight: number; kind: 'lower' | 'upper' }[];
}

function surrogateOf(problem: QpProblem, result: QpResult, options: GradOptions): Surrogate {
  const { n } = problem;
  const active = activeSetOf(problem, result, options.active);
  const eqRows = active.rows.filter((_, k) => active.kinds[k] === 'equality');
  const aggregated = active.rows.flatMap((row, k) => {
    const kind = active.kinds[k];
    return kind === 'equality' || result.y[row] === 0 ? [] : [{ row, weight: result.y[row], kind }];
  });
  const ns = new Float64Array(n);
  let beta = 0;
  for (const { row, weight, kind } of aggregated) {
    for (let j = 0; j < n; j++) ns[j] += weight * problem.A.data[row * n + j];
    beta += weight * (kind === 'upper' ? problem.u[row] : problem.l[row]);
  }
  const keep = norm2(ns) > 0;
  const m = eqRows.length + (keep ? 1 : 0);
  const A = { rows: m, cols: n, data: new Float64Array(m * n) };
  const l = new Float64Array(m);
  const u = new Float64Array(m);
  const y = new Float64Array(m);
  const labels: ActiveKind[] = [];
  eqRows.forEach((i, k) => {
    A.data.set(problem.A.data.subarray(i * n, (i + 1) * n), k * n);
    l[k] = u[k] = problem.l[i];
    y[k] = result.y[i];
    labels.push('equality');
  });
  if (keep) {
    A.data.set(ns, eqRows.length * n);
    l[m - 1] = -Infinity;
    u[m - 1] = beta;
    y[m - 1] = 1;
    labels.push('upper');
  }
  const sp: QpProblem = { ...problem, m, A, l, u };
  return {
    problem: sp,
    result: exactResultOf(sp, result.x, y, labels),
    eqRows,
    aggregated: keep ? aggregated : [],
  };
}

/** Gradients through the smoothed surrogate ("smoothed-qp" method). */
export function smoothedQpBackward(
  problem: QpProblem,
  result: QpResult,
  g: ArrayLike<number>,
  options: GradOptions = {},
): QpGradients {
  checkBackwardInput(problem, result, g);
  const { n, m } = problem;
  const s = surrogateOf(problem, result, options);
  const sg = kktBackward(s.problem, s.result, g, { ...options, active: undefined });
  const out: QpGradients = {
    dq: sg.dq,
    dP: sg.dP,
    dl: new Float64Array(m),
    du: new Float64Array(m),
    dA: { rows: m, cols: n, data: new Float64Array(m * n) },
  };
  s.eqRows.forEach((i, k) => {
    out.dA.data.set(sg.dA.data.subarray(k * n, (k + 1) * n), i * n);
    [out.dl[i], out.du[i]] = splitBoundGradient('equality', result.y[i], sg.dl[k] + sg.du[k]);
  });
  const last = s.problem.m - 1;
  for (const { row, weight, kind } of s.aggregated) {
    for (let j = 0; j < n; j++) out.dA.data[row * n + j] = weight * sg.dA.data[last * n + j];
    if (kind === 'upper') out.du[row] = weight * sg.du[last];
    else out.dl[row] = weight * sg.du[last];
  }
  return out;
}

/** ∂x_r/∂q of the smoothed surrogate (n×n); for the QP approximation ∂x_r/∂ŵ = −this = I − n̂n̂ᵀ. */
export function smoothedQpJacobian(
  problem: QpProblem,
  result: QpResult,
  options: GradOptions = {},
): DenseMatrix {
  const s = surrogateOf(problem, result, options);
  return solutionJacobian(s.problem, s.result, { ...options, active: undefined }).dq;
}

/**
 * Algorithm 1 for the QP approximation, literally, in the paper's ascent convention (maximize f):
 * f̂ₓ = ∇ₓf_QP(x̂, ŵ) = 2(ŵ − x̂), f⁰ = f̂ₓ (fₓᵀf̂ₓ)/‖f̂ₓ‖² (the paper prints ‖f̂ₓ‖₂; a projection needs
 * the square), Δŵ = fₓ − f⁰ and Δŵ_reg = 2α(x̂ − ŵ). Without equality rows Δŵ equals the dq returned
 * by smoothedQpBackward for g = −fₓ.
 */
export function algorithm1Update(
  xHat: ArrayLike<number>,
  wHat: ArrayLike<number>,
  fx: ArrayLike<number>,
  alpha = 0,
): { dw: Float64Array; dwReg: Float64Array } {
  const n = xHat.length;
  const fhat = Float64Array.from({ length: n }, (_, j) => 2 * (wHat[j] - xHat[j]));
  const nn = fhat.reduce((s, v) => s + v * v, 0);
  const c = nn > 0 ? fhat.reduce((s, v, j) => s + v * fx[j], 0) / nn : 0;
  return {
    dw: Float64Array.from({ length: n }, (_, j) => fx[j] - c * fhat[j]),
    dwReg: Float64Array.from({ length: n }, (_, j) => 2 * alpha * (xHat[j] - wHat[j])),
  };
}

/**
 * Projection-distance regularizer p(ŵ) = α‖x̂ − ŵ‖² (Eq. 6) and its gradient in ŵ. Because
 * x̂ − ŵ lies in N(x̂), which ∂x̂/∂ŵ annihilates (Lemma 3.9), the total gradient equals the partial
 * one, 2α(ŵ − x̂).
 */
export function projectionDistanceRegularizer(
  xHat: ArrayLike<number>,
  wHat: ArrayLike<number>,
  alpha: number,
): { value: number; grad: Float64Array } {
  if (!(alpha >= 0)) throw new Error(`alpha must be ≥ 0, got ${alpha}`);
  let value = 0;
  const grad = new Float64Array(xHat.length);
  for (let j = 0; j < xHat.length; j++) {
    const d = wHat[j] - xHat[j];
    value += alpha * d * d;
    grad[j] = 2 * alpha * d;
  }
  return { value, grad };
}
