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
 * M ← diag(left)·M·diag(right), and the norms of the result: colOut[j] = max over column j's
 * entries (for a symmetric P, `upperOnly`: only rows i ≤ j, which is what OSQP measures with
 * `csc_col_norm_inf` on its upper-triangular P: the entries right of the diagonal in row j are not
 * seen; we measure the same so that P̄, ρ and the iteration counts match OSQP's), and
 * rowOut[i] = max over row i's entries when given. One pass over the matrix.
 */
function scaleAndMeasure(
  M: QpMatrix,
  left: Float64Array,
  right: Float64Array,
  upperOnly: boolean,
  colOut: Float64Array,
  rowOut?: Float64Array,
): void {
  colOut.fill(0);
  rowOut?.fill(0);
  if (isCsc(M)) {
    for (let j = 0; j < M.cols; j++) {
      const rj = right[j];
      let col = 0;
      for (let k = M.indptr[j]; k < M.indptr[j + 1]; k++) {
        const i = M.indices[k];
        const v = (M.data[k] *= left[i] * rj);
        const a = Math.abs(v);
        if (a > col) col = a;
        if (rowOut && a > rowOut[i]) rowOut[i] = a;
      }
      colOut[j] = col;
    }
    return;
  }
  const { rows, cols, data } = M;
  for (let i = 0; i < rows; i++) {
    const li = left[i];
    const o = i * cols;
    let row = 0;
    for (let j = 0; j < cols; j++) {
      const v = (data[o + j] *= li * right[j]);
      const a = Math.abs(v);
      if (a > row) row = a;
      if ((!upperOnly || j >= i) && a > colOut[j]) colOut[j] = a;
    }
    if (rowOut) rowOut[i] = row;
  }
}

/**
 * Computes D, E, c by `iters` Ruiz iterations and returns them with the scaled P̄, Ā (copies, in
 * the storage given). Each iteration follows OSQP's `scale_data`: the ∞-norms of the KKT matrix's
 * columns are limited (a norm under 1e-4 counts as 1, at most 1e4), square-rooted and inverted;
 * then the cost scaling balances the mean column norm of P̄ against ‖q̄‖∞ (itself limited). Given
 * several q (a shared batch) it uses the largest ‖q̄‖∞, so that every problem of the batch gets the
 * same c and hence the same P̄ and factorization. Each iteration reads P and A once: the norms the
 * next one needs are measured while scaling, and c multiplies P̄ once at the end. `pColumns`:
 * 'upper' measures P's columns as OSQP does (the CPU engine, whose iteration counts then match
 * OSQP's); 'full' over the whole symmetric column (the WebGPU engine's f32 iterates were tuned to it).
 */
export function scaleData<M extends QpMatrix>(
  P: M,
  A: M,
  qList: Float64Array[],
  iters: number,
  deadline: Deadline = NO_DEADLINE,
  pColumns: 'upper' | 'full' = 'upper',
): { scaling: Scaling; scaled: ScaledMatrices<M> } {
  if (pColumns === 'full' && isCsc(P))
    throw new Error("scaleData: full column norms of P need dense storage ('upper' for CSC)");
  const upper = pColumns === 'upper';
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
  // Norms of the current Ps (whose true scaled value is c·Ps) and As.
  const pCol = new Float64Array(n);
  const aCol = new Float64Array(n);
  const aRow = new Float64Array(m);
  if (iters > 0) {
    dT.fill(1);
    eT.fill(1);
    scaleAndMeasure(Ps, dT, dT, upper, pCol);
    scaleAndMeasure(As, eT, dT, false, aCol, aRow);
  }
  for (let it = 0; it < iters; it++) {
    deadline.check('Ruiz scaling');
    for (let j = 0; j < n; j++) dT[j] = 1 / Math.sqrt(limit(Math.max(c * pCol[j], aCol[j])));
    for (let r = 0; r < m; r++) eT[r] = 1 / Math.sqrt(limit(aRow[r]));
    scaleAndMeasure(Ps, dT, dT, upper, pCol);
    scaleAndMeasure(As, eT, dT, false, aCol, aRow);
    for (let j = 0; j < n; j++) D[j] *= dT[j];
    for (let r = 0; r < m; r++) E[r] *= eT[r];
    for (const qv of qs) for (let j = 0; j < n; j++) qv[j] *= dT[j];
    // Cost scaling: the mean column norm of P̄ against ‖q̄‖∞ (qs holds D·q; the running c applies).
    let meanCol = 0;
    for (let j = 0; j < n; j++) meanCol += pCol[j];
    meanCol = n > 0 ? (c * meanCol) / n : 0;
    let qn = 0;
    for (const qv of qs) qn = Math.max(qn, c * normInf(qv));
    c /= limit(Math.max(meanCol, limit(qn)));
  }
  for (let k = 0; k < Ps.data.length; k++) Ps.data[k] *= c;
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
