import type { DenseMatrix, QpProblem } from './types';
import { copyMatrix, normInf } from '../linalg/dense';

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

/** Scaled matrices P̄ = c·DPD and Ā = EAD. */
export interface ScaledMatrices {
  P: DenseMatrix;
  A: DenseMatrix;
}

function limit(v: number): number {
  if (v < MIN_SCALING) return 1;
  return Math.min(v, MAX_SCALING);
}

/**
 * Computes D, E, c by `iters` Ruiz iterations and returns them with the scaled P̄, Ā.
 * The cost scaling uses ‖q̄‖∞; given several q (a shared batch) it uses the largest, so that
 * every problem of the batch gets the same c and hence the same P̄ and factorization.
 */
export function scaleData(
  P: DenseMatrix,
  A: DenseMatrix,
  qList: Float64Array[],
  iters: number,
): { scaling: Scaling; scaled: ScaledMatrices } {
  const n = P.rows;
  const m = A.rows;
  const Ps = copyMatrix(P);
  const As = copyMatrix(A);
  const qs = qList.map((q) => new Float64Array(q));
  const D = new Float64Array(n).fill(1);
  const E = new Float64Array(m).fill(1);
  let c = 1;
  const dT = new Float64Array(n);
  const eT = new Float64Array(m);
  for (let it = 0; it < iters; it++) {
    // Column ∞-norms of [P; A] for D, row ∞-norms of A (columns of Aᵀ) for E.
    dT.fill(0);
    eT.fill(0);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) dT[j] = Math.max(dT[j], Math.abs(Ps.data[i * n + j]));
    }
    for (let r = 0; r < m; r++) {
      for (let j = 0; j < n; j++) {
        const a = Math.abs(As.data[r * n + j]);
        dT[j] = Math.max(dT[j], a);
        eT[r] = Math.max(eT[r], a);
      }
    }
    for (let j = 0; j < n; j++) dT[j] = 1 / limit(Math.sqrt(dT[j]));
    for (let r = 0; r < m; r++) eT[r] = 1 / limit(Math.sqrt(eT[r]));
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) Ps.data[i * n + j] *= dT[i] * dT[j];
      D[i] *= dT[i];
    }
    for (let r = 0; r < m; r++) {
      for (let j = 0; j < n; j++) As.data[r * n + j] *= eT[r] * dT[j];
      E[r] *= eT[r];
    }
    // Cost scaling: balance the mean column norm of P̄ against ‖q̄‖∞.
    let meanCol = 0;
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s = Math.max(s, Math.abs(Ps.data[i * n + j]));
      meanCol += s;
    }
    meanCol = n > 0 ? meanCol / n : 0;
    let qn = 0;
    // qs holds D·q; the running c is applied when measuring ‖q̄‖∞ = c‖Dq‖∞.
    for (const qv of qs) {
      for (let i = 0; i < n; i++) qv[i] *= dT[i];
      qn = Math.max(qn, c * normInf(qv));
    }
    const cT = 1 / limit(Math.max(meanCol, qn));
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

/** A problem with its vectors replaced (used by shared batches). */
export function withVectors(
  p: QpProblem,
  v: { q?: Float64Array; l?: Float64Array; u?: Float64Array },
): QpProblem {
  return { ...p, q: v.q ?? p.q, l: v.l ?? p.l, u: v.u ?? p.u };
}
