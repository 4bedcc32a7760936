import type { DenseMatrix, PolishStatus, QpSettings } from './types';
import { assembleKkt, ldlFactor, ldlSolve } from '../linalg/ldl';
import { matVec, zeros } from '../linalg/dense';
import { mul, symMul, tMul, type QpMatrix } from './matrix';
import type { SparseKktLinSys } from '../linalg/sparse/kkt';
import { DeadlineError, NO_DEADLINE, type Deadline } from '../deadline';

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

/** Rows whose KKT diagonal may differ from the polishing factor's before it is refactored. */
const MAX_LOW_RANK = 16;

/** Solves the k×k system S s = v in place (v becomes s) by Gaussian elimination with pivoting. */
function solveSmall(S: Float64Array, v: Float64Array, k: number): boolean {
  for (let c = 0; c < k; c++) {
    let piv = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(S[r * k + c]) > Math.abs(S[piv * k + c])) piv = r;
    if (!(Math.abs(S[piv * k + c]) > 0)) return false;
    if (piv !== c) {
      for (let j = 0; j < k; j++) [S[c * k + j], S[piv * k + j]] = [S[piv * k + j], S[c * k + j]];
      [v[c], v[piv]] = [v[piv], v[c]];
    }
    for (let r = c + 1; r < k; r++) {
      const f = S[r * k + c] / S[c * k + c];
      if (f === 0) continue;
      for (let j = c; j < k; j++) S[r * k + j] -= f * S[c * k + j];
      v[r] -= f * v[c];
    }
  }
  for (let c = k - 1; c >= 0; c--) {
    let t = v[c];
    for (let j = c + 1; j < k; j++) t -= S[c * k + j] * v[j];
    v[c] = t / S[c * k + c];
  }
  return true;
}

/**
 * The active-set solve on CSC data, reusing the ADMM's KKT analysis: the KKT matrix of all m rows
 * with σ = δ, −δ on the diagonal of the active rows and −1/δ on the others, factored as a sibling
 * of `kkt` (same AMD ordering and symbolic analysis, no new ordering). Eliminating the inactive
 * rows leaves the active-set system regularized by δ(I + A_outᵀA_out) instead of OSQP's δI;
 * iterative refinement against the exact active-set system removes either. The corrected guesses
 * of later passes differ from the first in a few rows, i.e. in a few diagonal entries: they are
 * solved with the first factor and a Woodbury correction of that rank, so a polish costs one
 * numeric factorization (another only past MAX_LOW_RANK changed rows).
 */
export function sparseActiveSetSolver(
  w: PolishData,
  kkt: SparseKktLinSys,
  deadline: Deadline = NO_DEADLINE,
): ActiveSetSolver {
  const { n, m, settings } = w;
  const delta = settings.delta;
  const diag = (active: number) => (active ? -delta : -1 / delta);
  let base: SparseKktLinSys | undefined;
  /** Active rows of the factored matrix K₀. */
  let baseActive = new Uint8Array(m);
  /** K₀⁻¹e_{n+i} for the rows i met whose activity differs from K₀'s. */
  const columns = new Map<number, Float64Array>();

  /** Factors K₀ for this activity (a sibling of the ADMM's system, then numeric updates). */
  const factorBase = (active: Uint8Array) => {
    const rhoVec = Float64Array.from(active, (a) => (a ? 1 / delta : delta));
    if (base) base.updateRho(rhoVec, deadline);
    else base = kkt.sibling(delta, rhoVec, deadline);
    baseActive = active.slice();
    columns.clear();
  };

  return (rows, bound) => {
    const active = new Uint8Array(m);
    for (const i of rows) active[i] = 1;
    let changed: number[] = [];
    for (let i = 0; i < m; i++) if (active[i] !== baseActive[i]) changed.push(i);
    try {
      if (!base || changed.length > MAX_LOW_RANK) {
        factorBase(active);
        changed = [];
      }
    } catch (e) {
      if (e instanceof DeadlineError) throw e;
      return null;
    }
    const K0 = base as SparseKktLinSys;
    // K = K₀ + Σ Δᵢ e_{n+i}e_{n+i}ᵀ; Woodbury: K⁻¹b = t − Z S⁻¹ Zᵀ-rows of t, S = C⁻¹ + UᵀK₀⁻¹U.
    const k = changed.length;
    const Z = changed.map((i) => {
      let z = columns.get(i);
      if (!z) {
        z = new Float64Array(n + m);
        z[n + i] = 1;
        K0.ldl.solve(z);
        columns.set(i, z);
      }
      return z;
    });
    const S = new Float64Array(k * k);
    changed.forEach((i, a) => {
      S[a * k + a] = 1 / (diag(active[i]) - diag(baseActive[i]));
      for (let b = 0; b < k; b++) S[a * k + b] += Z[b][n + i];
    });
    const v = new Float64Array(k);
    const solveK = (b: Float64Array): boolean => {
      K0.ldl.solve(b);
      if (k === 0) return true;
      changed.forEach((i, a) => (v[a] = b[n + i]));
      if (!solveSmall(Float64Array.from(S), v, k)) return false;
      for (let a = 0; a < k; a++) {
        const za = Z[a];
        const va = v[a];
        for (let p = 0; p < b.length; p++) b[p] -= va * za[p];
      }
      return true;
    };
    // rhs = [−q; b on the active rows; 0 elsewhere]; ν stays 0 off the active set.
    const rhs = new Float64Array(n + m);
    for (let j = 0; j < n; j++) rhs[j] = -w.q[j];
    rows.forEach((i, r) => (rhs[n + i] = bound[r]));
    const t = new Float64Array(rhs);
    if (!solveK(t)) return null;
    const nu = new Float64Array(m);
    const settle = () => {
      for (let i = 0; i < m; i++) nu[i] = active[i] ? t[n + i] : 0;
      for (let i = 0; i < m; i++) t[n + i] = nu[i];
    };
    settle();
    const Px = new Float64Array(n);
    const Atnu = new Float64Array(n);
    const Ax = new Float64Array(m);
    const res = new Float64Array(n + m);
    for (let it = 0; it < settings.polish_refine_iter; it++) {
      const xs = t.subarray(0, n);
      symMul(w.P, xs, Px);
      tMul(w.A, nu, Atnu);
      mul(w.A, xs, Ax);
      for (let j = 0; j < n; j++) res[j] = rhs[j] - Px[j] - Atnu[j];
      for (let i = 0; i < m; i++) res[n + i] = active[i] ? rhs[n + i] - Ax[i] : 0;
      if (!solveK(res)) return null;
      for (let j = 0; j < n; j++) t[j] += res[j];
      for (let i = 0; i < m; i++) if (active[i]) t[n + i] += res[n + i];
      settle();
    }
    if (!t.every(Number.isFinite)) return null;
    const out = new Float64Array(n + rows.length);
    out.set(t.subarray(0, n));
    rows.forEach((i, r) => (out[n + r] = t[n + i]));
    return out;
  };
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
 * whatever space `w` is given in: the CPU engine polishes its scaled iterate, the GPU engine the
 * unscaled f32 iterate it read back (in Float64 here).
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
