import type { DenseMatrix } from '../qp/types';
import { zeros } from './dense';

/**
 * Dense LDLᵀ factorization M = L D Lᵀ with unit lower-triangular L and diagonal D, without pivoting.
 * Without pivoting it exists for every quasi-definite matrix [[H, Bᵀ], [B, −G]] with H, G positive
 * definite (Vanderbei 1995), which is what OSQP's KKT systems and the polishing system are.
 */
export interface LdlFactor {
  n: number;
  /** Strictly lower part of L, row-major n×n (the unit diagonal is implicit). */
  L: Float64Array;
  /** Diagonal of D. */
  d: Float64Array;
}

/** Factorizes the symmetric M (lower triangle read). Throws when a pivot is zero or not finite. */
export function ldlFactor(M: DenseMatrix): LdlFactor {
  const n = M.rows;
  if (M.cols !== n) throw new Error(`ldlFactor: matrix is ${M.rows}×${M.cols}, not square`);
  const L = new Float64Array(n * n);
  const d = new Float64Array(n);
  const w = new Float64Array(n); // w_k = L_jk d_k for the current row j
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let djj = M.data[rj + j];
    for (let k = 0; k < j; k++) {
      w[k] = L[rj + k] * d[k];
      djj -= L[rj + k] * w[k];
    }
    if (djj === 0 || !Number.isFinite(djj)) {
      throw new Error(
        `ldlFactor: pivot ${j} is ${djj}; the matrix is singular or not quasi-definite`,
      );
    }
    d[j] = djj;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let t = M.data[ri + j];
      for (let k = 0; k < j; k++) t -= L[ri + k] * w[k];
      L[ri + j] = t / djj;
    }
  }
  return { n, L, d };
}

/** Solves L D Lᵀ x = b in place (b becomes x). */
export function ldlSolve(f: LdlFactor, b: Float64Array): Float64Array {
  const { n, L, d } = f;
  for (let i = 0; i < n; i++) {
    let s = b[i];
    const ri = i * n;
    for (let k = 0; k < i; k++) s -= L[ri + k] * b[k];
    b[i] = s;
  }
  for (let i = 0; i < n; i++) b[i] /= d[i];
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= L[k * n + i] * b[k];
    b[i] = s;
  }
  return b;
}

/** Inertia of the factorized matrix (Sylvester's law): counts of positive, negative, zero pivots. */
export function ldlInertia(f: LdlFactor): { positive: number; negative: number; zero: number } {
  let positive = 0;
  let negative = 0;
  let zero = 0;
  for (const v of f.d) {
    if (v > 0) positive++;
    else if (v < 0) negative++;
    else zero++;
  }
  return { positive, negative, zero };
}

/**
 * The quasi-definite KKT matrix [[P + σI, Aᵀ], [A, −diag(g)]] of size (n+m), as used by OSQP's
 * direct solver (g = 1/ρ) and by polishing and the backward pass (g = δ).
 */
export function assembleKkt(
  P: DenseMatrix,
  A: DenseMatrix,
  sigma: number,
  g: ArrayLike<number>,
): DenseMatrix {
  const n = P.rows;
  const m = A.rows;
  const N = n + m;
  const K = zeros(N, N);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) K.data[i * N + j] = P.data[i * n + j];
    K.data[i * N + i] += sigma;
  }
  for (let r = 0; r < m; r++) {
    for (let j = 0; j < n; j++) {
      const a = A.data[r * n + j];
      K.data[(n + r) * N + j] = a;
      K.data[j * N + n + r] = a;
    }
    K.data[(n + r) * N + n + r] = -g[r];
  }
  return K;
}
