/**
 * The equality-constrained KKT system of an active set on CSC data,
 *
 *   [P  A_𝒜ᵀ] [x]   [r_x]
 *   [A_𝒜  0 ] [y] = [r_𝒜],
 *
 * solved through the KKT matrix of all m rows with σ = δ, −δ on the diagonal of the active rows and
 * −1/δ on the others, K_δ = [[P + δI, Aᵀ], [A, −diag(d)]], which has the pattern of the ADMM's
 * KKT matrix: it is factored on the ADMM's AMD ordering and symbolic analysis (`factor`, a sibling
 * of the ADMM's system), so no new ordering is made. Eliminating the other rows leaves the active
 * system regularized by δ(I + A_outᵀA_out) instead of δI; iterative refinement against the exact
 * system removes either. Polishing (a guess, then corrected guesses) and the backward pass (an
 * adjoint on the solution's active set) both solve this system.
 *
 * Active sets met later that differ from the factored one in a few rows, i.e. in a few diagonal
 * entries of K_δ, are solved with the same factor and a Woodbury correction of that rank: a
 * polish costs one numeric factorization (another only past MAX_LOW_RANK changed rows).
 */
import type { Csc } from './types';
import { mul, symMul, tMul } from './matrix';
import type { SparseKktLinSys } from '../linalg/sparse/kkt';
import { DeadlineError, type Deadline } from '../deadline';

/** Rows whose diagonal may differ from the factored matrix's before it is refactored. */
const MAX_LOW_RANK = 16;

/** Factors K_δ for a per-row ρ (−1/ρ on the diagonal) on the ADMM's ordering and analysis. */
export type KktFactor = (sigma: number, rhoVec: Float64Array) => SparseKktLinSys;

/**
 * Solves the system for the active rows `rows` and right-hand side [rx; rRows] (rRows in the order
 * of `rows`): [x; y_rows], or null when it cannot be solved. Refinement runs up to `refine` steps
 * and stops when the residual no longer shrinks.
 */
export type ActiveKktSolve = (
  rows: readonly number[],
  rx: ArrayLike<number>,
  rRows: ArrayLike<number>,
  refine: number,
) => Float64Array | null;

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

/** ‖v‖₂. */
function norm2(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

/**
 * A solver of active-set KKT systems of P (upper triangle) and A on `factor`'s structure (see the
 * file comment). A factorization that fails makes the solve return null; a DeadlineError (from
 * `factor`, or from refactoring past `deadline`) propagates.
 */
export function activeKktSolver(
  P: Csc,
  A: Csc,
  factor: KktFactor,
  delta: number,
  deadline?: Deadline,
): ActiveKktSolve {
  const n = P.cols;
  const m = A.rows;
  const diag = (active: number) => (active ? -delta : -1 / delta);
  let base: SparseKktLinSys | undefined;
  /** Active rows of the factored matrix K₀. */
  let baseActive = new Uint8Array(m);
  /** K₀⁻¹e_{n+i} for the rows i met whose activity differs from K₀'s. */
  const columns = new Map<number, Float64Array>();

  const factorBase = (active: Uint8Array) => {
    const rhoVec = Float64Array.from(active, (a) => (a ? 1 / delta : delta));
    if (base) base.updateRho(rhoVec, deadline);
    else base = factor(delta, rhoVec);
    baseActive = active.slice();
    columns.clear();
  };

  return (rows, rx, rRows, refine) => {
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
    // K = K₀ + Σ Δᵢ e_{n+i}e_{n+i}ᵀ; Woodbury: K⁻¹b = t − Z S⁻¹ (t at the changed rows), t = K₀⁻¹b,
    // Z = K₀⁻¹U, S = C⁻¹ + UᵀZ, C = diag(Δ).
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
    // rhs = [rx; rRows on the active rows; 0 elsewhere]; ν stays 0 off the active set.
    const rhs = new Float64Array(n + m);
    rhs.set(Array.from(rx), 0);
    rows.forEach((i, r) => (rhs[n + i] = rRows[r]));
    const t = new Float64Array(rhs);
    if (!solveK(t)) return null;
    const nu = new Float64Array(m);
    const settle = () => {
      for (let i = 0; i < m; i++) nu[i] = active[i] ? t[n + i] : 0;
      t.set(nu, n);
    };
    settle();
    const Px = new Float64Array(n);
    const Atnu = new Float64Array(n);
    const Ax = new Float64Array(m);
    const res = new Float64Array(n + m);
    const residual = () => {
      const xs = t.subarray(0, n);
      symMul(P, xs, Px);
      tMul(A, nu, Atnu);
      mul(A, xs, Ax);
      for (let j = 0; j < n; j++) res[j] = rhs[j] - Px[j] - Atnu[j];
      for (let i = 0; i < m; i++) res[n + i] = active[i] ? rhs[n + i] - Ax[i] : 0;
      return norm2(res);
    };
    let rn = residual();
    for (let it = 0; it < refine && rn > 0; it++) {
      const before = Float64Array.from(t);
      if (!solveK(res)) return null;
      for (let j = 0; j < n; j++) t[j] += res[j];
      for (let i = 0; i < m; i++) if (active[i]) t[n + i] += res[n + i];
      settle();
      const next = residual();
      if (!(next < rn)) {
        t.set(before);
        settle();
        break;
      }
      rn = next;
    }
    if (!t.every(Number.isFinite)) return null;
    const out = new Float64Array(n + rows.length);
    out.set(t.subarray(0, n));
    rows.forEach((i, r) => (out[n + r] = t[n + i]));
    return out;
  };
}
