import type { DenseMatrix, PolishStatus, QpSettings } from './types';
import { assembleKkt, ldlFactor, ldlSolve } from '../linalg/ldl';
import { matVec, zeros } from '../linalg/dense';

/** What polishing reads: the problem data and the ADMM iterate, in one consistent space. */
export interface PolishData {
  n: number;
  m: number;
  P: DenseMatrix;
  A: DenseMatrix;
  q: Float64Array;
  l: Float64Array;
  u: Float64Array;
  /** ADMM's z and y, from which the active set is guessed. */
  z: Float64Array;
  y: Float64Array;
  settings: QpSettings;
}

/** Primal and dual residual norms used to compare the polished point with ADMM's. */
export interface PolishResiduals {
  prim: number;
  dual: number;
}

/** Outcome of polishing, in the scaled space. */
export interface PolishResult<R extends PolishResiduals> {
  status: PolishStatus;
  x?: Float64Array;
  z?: Float64Array;
  y?: Float64Array;
  residuals?: R;
}

/**
 * Rows guessed active from the ADMM iterate (OSQP polish.c): lower when z − l < −y, upper when
 * u − z < y. Rows with l = u are always kept, their multiplier being free in sign.
 */
export function guessActiveSet(w: PolishData): { rows: number[]; bound: Float64Array } {
  const rows: number[] = [];
  const bound: number[] = [];
  for (let i = 0; i < w.m; i++) {
    if (w.l[i] === w.u[i]) {
      rows.push(i);
      bound.push(w.u[i]);
    } else if (w.z[i] - w.l[i] < -w.y[i]) {
      rows.push(i);
      bound.push(w.l[i]);
    } else if (w.u[i] - w.z[i] < w.y[i]) {
      rows.push(i);
      bound.push(w.u[i]);
    }
  }
  return { rows, bound: Float64Array.from(bound) };
}

/**
 * Solution polishing: solve the equality-constrained QP on the guessed active set through the
 * δ-regularized quasi-definite KKT system [[P + δI, Āᵀ], [Ā, −δI]], refine iteratively against the
 * unregularized one, and keep the result only if it improves on the ADMM residuals. It works in
 * whatever space `w` is given in: the CPU engine polishes its scaled iterate, the GPU engine the
 * unscaled f32 iterate it read back (in Float64 here).
 */
export function polish<R extends PolishResiduals>(
  w: PolishData,
  admm: R,
  residualsOf: (x: Float64Array, z: Float64Array, y: Float64Array) => R,
): PolishResult<R> {
  const { n, settings } = w;
  const { rows, bound } = guessActiveSet(w);
  const k = rows.length;
  const Ared = zeros(k, n);
  for (let r = 0; r < k; r++)
    Ared.data.set(w.A.data.subarray(rows[r] * n, (rows[r] + 1) * n), r * n);
  const delta = settings.delta;
  let factor;
  try {
    factor = ldlFactor(assembleKkt(w.P, Ared, delta, new Float64Array(k).fill(delta)));
  } catch {
    return { status: 'failed' };
  }
  const rhs = new Float64Array(n + k);
  for (let j = 0; j < n; j++) rhs[j] = -w.q[j];
  rhs.set(bound, n);
  const sol = ldlSolve(factor, new Float64Array(rhs));
  // Iterative refinement: correct for the δ-regularization using residuals of the exact KKT.
  const Px = new Float64Array(n);
  const Ax = new Float64Array(k);
  const Aty = new Float64Array(n);
  const res = new Float64Array(n + k);
  for (let it = 0; it < settings.polish_refine_iter; it++) {
    const xs = sol.subarray(0, n);
    const ys = sol.subarray(n);
    matVec(w.P, xs, Px);
    matVec(Ared, xs, Ax);
    Aty.fill(0);
    for (let r = 0; r < k; r++) {
      const yr = ys[r];
      for (let j = 0; j < n; j++) Aty[j] += Ared.data[r * n + j] * yr;
    }
    for (let j = 0; j < n; j++) res[j] = rhs[j] - Px[j] - Aty[j];
    for (let r = 0; r < k; r++) res[n + r] = rhs[n + r] - Ax[r];
    ldlSolve(factor, res);
    for (let i = 0; i < n + k; i++) sol[i] += res[i];
  }
  if (!sol.every(Number.isFinite)) return { status: 'failed' };
  const x = sol.slice(0, n);
  const y = new Float64Array(w.m);
  // y must lie in the normal cone of [l, u] at z: a multiplier of the wrong sign means the guessed
  // active set is wrong. Clamping it makes the dual residual expose that, so such a polish is refused.
  for (let r = 0; r < k; r++) {
    const i = rows[r];
    const yi = sol[n + r];
    y[i] = w.l[i] === w.u[i] ? yi : bound[r] === w.u[i] ? Math.max(yi, 0) : Math.min(yi, 0);
  }
  const z = matVec(w.A, x);
  for (let i = 0; i < w.m; i++) z[i] = Math.min(Math.max(z[i], w.l[i]), w.u[i]);
  const residuals = residualsOf(x, z, y);
  const better =
    (residuals.prim < admm.prim && residuals.dual < admm.dual) ||
    (residuals.prim < admm.prim && admm.dual < 1e-10) ||
    (residuals.dual < admm.dual && admm.prim < 1e-10);
  return better ? { status: 'success', x, z, y, residuals } : { status: 'unsuccessful', residuals };
}
