/**
 * The parametric QP of the L2O experiment, generated as DC3 does (Donti et al. 2021, §4.1 and their
 * `SimpleProblem`):
 *
 *   minimize ½yᵀQy + pᵀy   s.t.   Ay = x,   Gy ≤ h,        x ∈ [−1, 1]^{neq} the parameter,
 *
 * Q = diag(U(0, 1)), p ~ U(0, 1), A ~ N(0, 1), G ~ N(0, 1), h_i = Σ_j |(GA⁺)_ij| (so y = A⁺x is
 * feasible for every x in the box), A⁺ the pseudo-inverse. In the engine's form the structure is shared
 * (P = Q, q = p, rows [A; G]) and only the equality bounds l = u = x change per instance.
 */
import type { QpProblem } from '../../qp/types';
import { solveQp } from '../../qp';
import { Rng } from '../../grad/rng';
import { choleskyFactor, choleskySolve, isCholeskyFailure } from '../../linalg/cholesky';

export interface L2oProblem {
  n: number;
  neq: number;
  nineq: number;
  /** Diagonal of Q. */
  Qd: Float64Array;
  p: Float64Array;
  /** A, neq × n, row-major. */
  A: Float64Array;
  /** G, nineq × n, row-major. */
  G: Float64Array;
  h: Float64Array;
}

export interface L2oData {
  problem: L2oProblem;
  N: number;
  /** Parameters x_i, N × neq. */
  X: Float64Array;
  /** Solutions y_i*, N × n (solver, eps 1e-9 with polishing). */
  Y: Float64Array;
  /** f(y_i*). */
  obj: Float64Array;
  /** Solver iterations and time per instance (cold, the settings of `SOLVER_SETTINGS`). */
  solverIters: Float64Array;
}

export interface L2oProblemOptions {
  n?: number;
  neq?: number;
  nineq?: number;
  seed?: number;
}

/** AAᵀ⁻¹ applied by Cholesky; A⁺ = Aᵀ(AAᵀ)⁻¹ for a full-row-rank A. */
function pseudoInverse(A: Float64Array, rows: number, cols: number): Float64Array {
  const AAt = { rows, cols: rows, data: new Float64Array(rows * rows) };
  for (let i = 0; i < rows; i++)
    for (let k = 0; k < rows; k++) {
      let s = 0;
      for (let j = 0; j < cols; j++) s += A[i * cols + j] * A[k * cols + j];
      AAt.data[i * rows + k] = s;
    }
  const f = choleskyFactor(AAt);
  if (isCholeskyFailure(f)) throw new Error('l2o: A does not have full row rank');
  const Ap = new Float64Array(cols * rows);
  for (let i = 0; i < rows; i++) {
    const e = new Float64Array(rows);
    e[i] = 1;
    const c = choleskySolve(f, e);
    for (let j = 0; j < cols; j++) {
      let s = 0;
      for (let k = 0; k < rows; k++) s += A[k * cols + j] * c[k];
      Ap[j * rows + i] = s;
    }
  }
  return Ap;
}

export function makeL2oProblem(o: L2oProblemOptions = {}): L2oProblem {
  const n = o.n ?? 10;
  const neq = o.neq ?? 5;
  const nineq = o.nineq ?? 5;
  const rng = new Rng(o.seed ?? 0);
  const Qd = Float64Array.from({ length: n }, () => rng.uniform());
  const p = Float64Array.from({ length: n }, () => rng.uniform());
  const A = rng.normals(neq * n);
  const G = rng.normals(nineq * n);
  const Ap = pseudoInverse(A, neq, n);
  const h = new Float64Array(nineq);
  for (let i = 0; i < nineq; i++)
    for (let k = 0; k < neq; k++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += G[i * n + j] * Ap[j * neq + k];
      h[i] += Math.abs(s);
    }
  return { n, neq, nineq, Qd, p, A, G, h };
}

/** The QP at parameter x in the engine's form. */
export function qpAt(pr: L2oProblem, x: ArrayLike<number>): QpProblem {
  const { n, neq, nineq } = pr;
  const m = neq + nineq;
  const P = { rows: n, cols: n, data: new Float64Array(n * n) };
  for (let i = 0; i < n; i++) P.data[i * n + i] = pr.Qd[i];
  const A = { rows: m, cols: n, data: new Float64Array(m * n) };
  A.data.set(pr.A);
  A.data.set(pr.G, neq * n);
  const l = new Float64Array(m).fill(-Infinity);
  const u = new Float64Array(m);
  for (let i = 0; i < neq; i++) l[i] = u[i] = x[i];
  u.set(pr.h, neq);
  return { n, m, P, q: Float64Array.from(pr.p), r: 0, A, l, u };
}

/** f(y) = ½yᵀQy + pᵀy. */
export function objective(pr: L2oProblem, y: ArrayLike<number>): number {
  let f = 0;
  for (let j = 0; j < pr.n; j++) f += 0.5 * pr.Qd[j] * y[j] * y[j] + pr.p[j] * y[j];
  return f;
}

/** ∇f(y) = Qy + p. */
export function objectiveGradient(pr: L2oProblem, y: ArrayLike<number>, out: Float64Array): void {
  for (let j = 0; j < pr.n; j++) out[j] = pr.Qd[j] * y[j] + pr.p[j];
}

/** Ay − x (length neq). */
export function eqResidual(pr: L2oProblem, y: ArrayLike<number>, x: ArrayLike<number>) {
  const r = new Float64Array(pr.neq);
  for (let i = 0; i < pr.neq; i++) {
    let s = -x[i];
    for (let j = 0; j < pr.n; j++) s += pr.A[i * pr.n + j] * y[j];
    r[i] = s;
  }
  return r;
}

/** Gy − h (length nineq; positive entries are violations). */
export function ineqResidual(pr: L2oProblem, y: ArrayLike<number>) {
  const r = new Float64Array(pr.nineq);
  for (let i = 0; i < pr.nineq; i++) {
    let s = -pr.h[i];
    for (let j = 0; j < pr.n; j++) s += pr.G[i * pr.n + j] * y[j];
    r[i] = s;
  }
  return r;
}

/** The solver's settings for labels and for the timing baseline. */
export const LABEL_SETTINGS = Object.freeze({ eps_abs: 1e-9, eps_rel: 1e-9, polish: true });
export const SOLVER_SETTINGS = Object.freeze({
  eps_abs: 1e-5,
  eps_rel: 1e-5,
  check_termination: 1,
});

/** N parameters x ~ U(−1, 1)^{neq} and their solutions. */
export function makeL2oData(pr: L2oProblem, N: number, seed: number): L2oData {
  const rng = new Rng(seed);
  const X = Float64Array.from({ length: N * pr.neq }, () => 2 * rng.uniform() - 1);
  const Y = new Float64Array(N * pr.n);
  const obj = new Float64Array(N);
  const solverIters = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    const qp = qpAt(pr, X.subarray(i * pr.neq, (i + 1) * pr.neq));
    const r = solveQp(qp, LABEL_SETTINGS);
    if (r.status !== 'solved') throw new Error(`l2o: instance ${i} ended '${r.status}'`);
    Y.set(r.x, i * pr.n);
    obj[i] = objective(pr, r.x);
    solverIters[i] = r.iter;
  }
  return { problem: pr, N, X, Y, obj, solverIters };
}

/** Quality of decisions ŷ_i on instances idx: gap and violations. */
export interface Quality {
  /** Mean |f(ŷ) − f*| / |f*|. */
  gap: number;
  eq_max: number;
  eq_mean: number;
  ineq_max: number;
  ineq_mean: number;
}

export function quality(data: L2oData, idx: ArrayLike<number>, Yhat: Float64Array): Quality {
  const pr = data.problem;
  let gap = 0;
  let eqMax = 0;
  let eqSum = 0;
  let inMax = 0;
  let inSum = 0;
  for (let b = 0; b < idx.length; b++) {
    const i = idx[b];
    const y = Yhat.subarray(b * pr.n, (b + 1) * pr.n);
    gap += Math.abs(objective(pr, y) - data.obj[i]) / Math.max(Math.abs(data.obj[i]), 1e-12);
    const e = eqResidual(pr, y, data.X.subarray(i * pr.neq, (i + 1) * pr.neq));
    const eq = e.reduce((s, v) => Math.max(s, Math.abs(v)), 0);
    const ineq = ineqResidual(pr, y).reduce((s, v) => Math.max(s, v), 0);
    eqMax = Math.max(eqMax, eq);
    eqSum += eq;
    inMax = Math.max(inMax, ineq);
    inSum += ineq;
  }
  const B = Math.max(idx.length, 1);
  return { gap: gap / B, eq_max: eqMax, eq_mean: eqSum / B, ineq_max: inMax, ineq_mean: inSum / B };
}
