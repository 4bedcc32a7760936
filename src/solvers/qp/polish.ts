import type { Csc, DenseMatrix, PolishStatus, QpSettings } from './types';
import { assembleKkt, ldlFactor, ldlSolve } from '../linalg/ldl';
import { matVec, zeros } from '../linalg/dense';
import { mul, type QpMatrix } from './matrix';
import { activeKktSolver } from './active-kkt';
import type { SparseKktLinSys } from '../linalg/sparse/kkt';
import { NO_DEADLINE, type Deadline } from '../deadline';

/** What polishing reads: the problem data and the ADMM iterate, in one consistent space. */
export interface PolishData {
  n: number;
  m: number;
  P: QpMatrix;
  A: QpMatrix;
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
 * One equality-constrained solve on `rows` (held at `bound`), refined: [x; y_rows], or null when
 * the system cannot be solved.
 */
export type ActiveSetSolver = (rows: number[], bound: Float64Array) => Float64Array | null;

/** The active-set solve on dense data: the δ-regularized KKT of the active rows, dense LDLᵀ. */
export function denseActiveSetSolver(w: PolishData): ActiveSetSolver {
  return (rows, bound) => solveOnActiveSet(w, w.P as DenseMatrix, w.A as DenseMatrix, rows, bound);
}

function solveOnActiveSet(
  w: PolishData,
  P: DenseMatrix,
  A: DenseMatrix,
  rows: number[],
  bound: Float64Array,
): Float64Array | null {
  const { n, settings } = w;
  const k = rows.length;
  const Ared = zeros(k, n);
  for (let r = 0; r < k; r++) Ared.data.set(A.data.subarray(rows[r] * n, (rows[r] + 1) * n), r * n);
  const delta = settings.delta;
  let factor;
  try {
    factor = ldlFactor(assembleKkt(P, Ared, delta, new Float64Array(k).fill(delta)));
  } catch {
    return null;
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
    matVec(P, xs, Px);
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
  return sol.every(Number.isFinite) ? sol : null;
}

/**
 * The active-set solve on CSC data, on the ADMM's KKT analysis (./active-kkt.ts: one numeric
 * factorization per polish, Woodbury corrections for the corrected guesses).
 */
export function sparseActiveSetSolver(
  w: PolishData,
  kkt: SparseKktLinSys,
  deadline: Deadline = NO_DEADLINE,
): ActiveSetSolver {
  const solve = activeKktSolver(
    w.P as Csc,
    w.A as Csc,
    (sigma, rhoVec) => kkt.sibling(sigma, rhoVec, deadline),
    w.settings.delta,
    deadline,
  );
  const rx = w.q.map((v) => -v);
  return (rows, bound) => solve(rows, rx, bound, w.settings.polish_refine_iter);
}

/**
 * The next active-set guess from a polished point, one row at a time (a primal active-set step;
 * changing every inconsistent row at once overshoots on nearly degenerate sets): the row whose
 * multiplier has the largest wrong sign leaves; if there is none, the inactive row that x violates
 * most at x (Ax given; beyond eps_abs, relative to the bound) joins at that bound. Null when the guess is
 * consistent.
 */
function correctedActiveSet(
  w: PolishData,
  rows: number[],
  bound: Float64Array,
  Ax: Float64Array,
  yRows: Float64Array,
): { rows: number[]; bound: Float64Array; inconsistent: number } | null {
  let drop = -1;
  let worst = 0;
  let inconsistent = 0;
  rows.forEach((i, r) => {
    if (w.l[i] === w.u[i]) return;
    const wrong = bound[r] === w.u[i] ? -yRows[r] : yRows[r];
    if (wrong > 0) inconsistent++;
    if (wrong > worst) {
      worst = wrong;
      drop = r;
    }
  });
  const tol = w.settings.eps_abs;
  const inSet = new Uint8Array(w.m);
  for (const i of rows) inSet[i] = 1;
  let add = -1;
  let addBound = 0;
  let most = 0;
  for (let i = 0; i < w.m; i++) {
    if (inSet[i]) continue;
    const over = (Ax[i] - w.u[i]) / Math.max(1, Math.abs(w.u[i]));
    const under = (w.l[i] - Ax[i]) / Math.max(1, Math.abs(w.l[i]));
    if (over > tol || under > tol) inconsistent++;
    if (over > tol && over > most) [add, addBound, most] = [i, w.u[i], over];
    if (under > tol && under > most) [add, addBound, most] = [i, w.l[i], under];
  }
  if (drop >= 0) {
    return {
      rows: rows.filter((_, r) => r !== drop),
      bound: bound.filter((_, r) => r !== drop),
      inconsistent,
    };
  }
  if (add < 0) return null;
  // Row order does not matter to the equality-constrained solve: append.
  return { rows: [...rows, add], bound: Float64Array.from([...bound, addBound]), inconsistent };
}

/**
 * Solution polishing: solve the equality-constrained QP on the guessed active set through the
 * δ-regularized quasi-definite KKT system [[P + δI, Āᵀ], [Ā, −δI]], refine iteratively against the
 * unregularized one, and keep the result only if it improves on the ADMM residuals. It works in
 * whatever space `w` is given in; every engine polishes the scaled iterate (result assembly in
 * prepared.ts), the GPU engine's read back from f32 into Float64.
 *
 * Beyond OSQP: when the polished point contradicts its own guess (a multiplier of the wrong sign,
 * or a violated row left out), the guess is corrected one row at a time and the solve repeated, up
 * to `settings.polish_passes` solves. A nearly active row that an inexact iterate (f32, or a loose eps) gives a
 * spurious multiplier is then dropped instead of making the whole polish fail. The best pass is
 * kept.
 */
export function polish<R extends PolishResiduals>(
  w: PolishData,
  admm: R,
  residualsOf: (x: Float64Array, z: Float64Array, y: Float64Array) => R,
  solve: ActiveSetSolver = denseActiveSetSolver(w),
  deadline: Deadline = NO_DEADLINE,
): PolishResult<R> {
  const { n } = w;
  let guess: { rows: number[]; bound: Float64Array; inconsistent?: number } | null =
    guessActiveSet(w);
  let best: { x: Float64Array; z: Float64Array; y: Float64Array; residuals: R } | null = null;
  const score = (r: R) => Math.max(r.prim, r.dual);
  for (let pass = 0; pass < w.settings.polish_passes && guess; pass++) {
    const { rows, bound } = guess;
    deadline.check('polishing');
    const sol = solve(rows, bound);
    if (!sol) break;
    const x = sol.slice(0, n);
    const yRows = sol.subarray(n);
    const y = new Float64Array(w.m);
    // y must lie in the normal cone of [l, u] at z: a multiplier of the wrong sign means the guessed
    // active set is wrong. Clamping it makes the dual residual expose that, so such a point loses.
    rows.forEach((i, r) => {
      const yi = yRows[r];
      y[i] = w.l[i] === w.u[i] ? yi : bound[r] === w.u[i] ? Math.max(yi, 0) : Math.min(yi, 0);
    });
    const Ax = mul(w.A, x);
    const z = Ax.map((v, i) => Math.min(Math.max(v, w.l[i]), w.u[i]));
    const residuals = residualsOf(x, z, y);
    if (!best || score(residuals) < score(best.residuals)) best = { x, z, y, residuals };
    guess = correctedActiveSet(w, rows, bound, Ax, yRows);
    // Each pass corrects one row: with more inconsistent rows than passes left, stop here.
    if (guess && (guess.inconsistent ?? 0) > w.settings.polish_passes - pass - 1) break;
  }
  if (!best) return { status: 'failed' };
  const { residuals } = best;
  const better =
    (residuals.prim < admm.prim && residuals.dual < admm.dual) ||
    (residuals.prim < admm.prim && admm.dual < 1e-10) ||
    (residuals.dual < admm.dual && admm.prim < 1e-10);
  return better ? { status: 'success', ...best } : { status: 'unsuccessful', residuals };
}
