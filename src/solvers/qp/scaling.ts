import { copyValues, isCsc, type QpMatrix } from './matrix';
import { normInf } from '../linalg/dense';
import { NO_DEADLINE, type Deadline } from '../deadline';

/** Scaling factors outside [MIN, MAX] are limited as in OSQP's `limit_scaling`. */
const MIN_SCALING = 1e-4;
const MAX_SCALING = 1e4;

/**
 * Ruiz equilibration of the KKT matrix [[P, Aᵀ], [A, 0]] plus cost scaling (OSQP paper §5.1):
 * the solver works on P̄ = c·DPD, q̄ = c·Dq, Ā = EAD, l̄ = El, ū = Eu, whose solution maps back by
 * x = D x̄, y = E ȳ / c, z = E⁻¹ z̄.
 */
export interface Scaling {
  /** Variable scaling D (diagonal, length n). */
  D: Float64Array;
  Dinv: Float64Array;
  /** Constraint scaling E (diagonal, length m). */
  E: Float64Array;
  Einv: Float64Array;
  /** Cost scaling c. */
  c: number;
  cinv: number;
}

/** Scaled matrices P̄ = c·DPD and Ā = EAD, in the storage they were given in. */
export interface ScaledMatrices<M extends QpMatrix = QpMatrix> {
  P: M;
  A: M;
}

/** OSQP's `limit_scaling`: a norm below MIN_SCALING counts as 1 (an empty column), capped at MAX. */
function limit(v: number): number {
  if (v < MIN_SCALING) return 1;
  return Math.min(v, MAX_SCALING);
}

/**
 * out[j] = max over the stored upper triangle of column j of P, |P_ij| for i ≤ j. This is what OSQP
 * measures (`csc_col_norm_inf` on its upper-triangular P): the entries of row j right of the
 * diagonal are not seen. We measure the same so that P̄, ρ and the iteration counts match OSQP's.
 */
function colNormUpper(P: QpMatrix, out: Float64Array): void {
  out.fill(0);
  if (isCsc(P)) {
    for (let j = 0; j < P.cols; j++)
      for (let k = P.indptr[j]; k < P.indptr[j + 1]; k++)
        out[j] = Math.max(out[j], Math.abs(P.data[k]));
    return;
  }
  const n = P.cols;
  for (let i = 0; i < n; i++)
    for (let j = i; j < n; j++) out[j] = Math.max(out[j], Math.abs(P.data[i * n + j]));
}

/** Column (into dCol, as a running max) and row (rowOut) ∞-norms of A. */
function normsA(A: QpMatrix, dCol: Float64Array, rowOut: Float64Array): void {
  rowOut.fill(0);
  if (isCsc(A)) {
    for (let j = 0; j < A.cols; j++) {
      for (let k = A.indptr[j]; k < A.indptr[j + 1]; k++) {
        const a = Math.abs(A.data[k]);
        const i = A.indices[k];
        if (a > dCol[j]) dCol[j] = a;
        if (a > rowOut[i]) rowOut[i] = a;
      }
    }
    return;
  }
  const n = A.cols;
  for (let r = 0; r < A.rows; r++) {
    for (let j = 0; j < n; j++) {
      const a = Math.abs(A.data[r * n + j]);
      if (a > dCol[j]) dCol[j] = a;
      if (a > rowOut[r]) rowOut[r] = a;
    }
  }
}

/** M ← diag(left)·M·diag(right) (for the symmetric P: left = right = d). */
function scaleRowsCols(M: QpMatrix, left: Float64Array, right: Float64Array): void {
  if (isCsc(M)) {
    for (let j = 0; j < M.cols; j++) {
      const rj = right[j];
      for (let k = M.indptr[j]; k < M.indptr[j + 1]; k++) M.data[k] *= left[M.indices[k]] * rj;
    }
    return;
  }
  const n = M.cols;
  for (let i = 0; i < M.rows; i++) {
    const li = left[i];
    for (let j = 0; j < n; j++) M.data[i * n + j] *= li * right[j];
  }
}

/**
 * Computes D, E, c by `iters` Ruiz iterations and returns them with the scaled P̄, Ā (copies, in
 * the storage given). Each iteration follows OSQP's `scale_data`: the ∞-norms of the KKT matrix's
 * columns are limited (a norm under 1e-4 counts as 1, at most 1e4), square-rooted and inverted;
 * then the cost scaling balances the mean column norm of P̄ against ‖q̄‖∞ (itself limited). Given
 * several q (a shared batch) it uses the largest ‖q̄‖∞, so that every problem of the batch gets the
 * same c and hence the same P̄ and factorization.
 */
export function scaleData<M extends QpMatrix>(
  P: M,
  A: M,
  qList: Float64Array[],
  iters: number,
  deadline: Deadline = NO_DEADLINE,
): { scaling: Scaling; scaled: ScaledMatrices<M> } {
  const n = P.cols;
  const m = A.rows;
  const Ps = copyValues(P);
  const As = copyValues(A);
  const qs = qList.map((q) => new Float64Array(q));
  const D = new Float64Array(n).fill(1);
  const E = new Float64Array(m).fill(1);
  let c = 1;
  const dT = new Float64Array(n);
  const eT = new Float64Array(m);
  for (let it = 0; it < iters; it++) {
    deadline.check('Ruiz scaling');
    colNormUpper(Ps, dT);
    normsA(As, dT, eT);
    for (let j = 0; j < n; j++) dT[j] = 1 / Math.sqrt(limit(dT[j]));
    for (let r = 0; r < m; r++) eT[r] = 1 / Math.sqrt(limit(eT[r]));
    scaleRowsCols(Ps, dT, dT);
    scaleRowsCols(As, eT, dT);
    for (let j = 0; j < n; j++) D[j] *= dT[j];
    for (let r = 0; r < m; r++) E[r] *= eT[r];
    for (const qv of qs) for (let j = 0; j < n; j++) qv[j] *= dT[j];
    // Cost scaling: the mean column norm of P̄ against ‖q̄‖∞ (qs holds D·q; the running c applies).
    colNormUpper(Ps, dT);
    let meanCol = 0;
    for (let j = 0; j < n; j++) meanCol += dT[j];
    meanCol = n > 0 ? meanCol / n : 0;
    let qn = 0;
    for (const qv of qs) qn = Math.max(qn, c * normInf(qv));
    const cT = 1 / limit(Math.max(meanCol, limit(qn)));
    for (let k = 0; k < Ps.data.length; k++) Ps.data[k] *= cT;
    c *= cT;
  }
  return {
    scaling: { D, Dinv: D.map((v) => 1 / v), E, Einv: E.map((v) => 1 / v), c, cinv: 1 / c },
    scaled: { P: Ps, A: As },
  };
}

/** Scaled vectors q̄ = c·Dq, l̄ = El, ū = Eu (±Infinity stays infinite). */
export function scaleVectors(
  s: Scaling,
  q: Float64Array,
  l: Float64Array,
  u: Float64Array,
): { q: Float64Array; l: Float64Array; u: Float64Array } {
  return {
    q: q.map((v, i) => s.c * s.D[i] * v),
    l: l.map((v, i) => s.E[i] * v),
    u: u.map((v, i) => s.E[i] * v),
  };
}

/** Maps a scaled iterate back: x = D x̄, y = E ȳ / c, z = E⁻¹ z̄. */
export function unscaleSolution(
  s: Scaling,
  xs: Float64Array,
  ys: Float64Array,
  zs: Float64Array,
): { x: Float64Array; y: Float64Array; z: Float64Array } {
  return {
    x: xs.map((v, i) => s.D[i] * v),
    y: ys.map((v, i) => s.E[i] * v * s.cinv),
    z: zs.map((v, i) => s.Einv[i] * v),
  };
}

/** Maps an unscaled warm start into the scaled space: x̄ = D⁻¹x, ȳ = c E⁻¹ y. */
export function scaleWarmStart(
  s: Scaling,
  x?: Float64Array,
  y?: Float64Array,
): { x?: Float64Array; y?: Float64Array } {
  return {
    x: x?.map((v, i) => s.Dinv[i] * v),
    y: y?.map((v, i) => s.c * s.Einv[i] * v),
  };
}
