import type { DenseMatrix } from '../qp/types';
import { dotAt } from './dense';
import { NO_DEADLINE, type Deadline } from '../deadline';

/** Lower-triangular Cholesky factor L (row-major n×n) with M = L Lᵀ. */
export interface CholeskyFactor {
  n: number;
  L: Float64Array;
  /** Lᵀ, row-major, so that the backward substitution reads memory contiguously. */
  U: Float64Array;
}

/** Failure of a Cholesky factorization: the first pivot that was not positive. */
export interface CholeskyFailure {
  /** Index of the failing pivot. */
  index: number;
  /** Value of the pivot M_kk − Σ L_kj² (≤ 0). */
  pivot: number;
}

/**
 * Cholesky factorization of the symmetric matrix M + shift·I (only the lower triangle is read).
 * Returns the factor, or the failing pivot when the matrix is not positive definite.
 */
export function choleskyFactor(
  M: DenseMatrix,
  shift = 0,
  deadline: Deadline = NO_DEADLINE,
): CholeskyFactor | CholeskyFailure {
  const n = M.rows;
  if (M.cols !== n) throw new Error(`choleskyFactor: matrix is ${M.rows}×${M.cols}, not square`);
  const L = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    const s = M.data[rj + j] + shift - dotAt(L, rj, L, rj, j);
    if (!(s > 0)) return { index: j, pivot: s };
    const ljj = Math.sqrt(s);
    L[rj + j] = ljj;
    const inv = 1 / ljj;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      L[ri + j] = (M.data[ri + j] - dotAt(L, ri, L, rj, j)) * inv;
    }
    deadline.tick(j * (n - j), 'a Cholesky factorization');
  }
  const U = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) U[j * n + i] = L[i * n + j];
  return { n, L, U };
}

export function isCholeskyFailure(f: CholeskyFactor | CholeskyFailure): f is CholeskyFailure {
  return (f as CholeskyFailure).pivot !== undefined;
}

/** Solves L Lᵀ x = b in place on b[0..n) (b becomes x; entries past n are untouched). */
export function choleskySolve(f: CholeskyFactor, b: Float64Array): Float64Array {
  const { n, L, U } = f;
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    b[i] = (b[i] - dotAt(L, ri, b, 0, i)) / L[ri + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    const ri = i * n;
    b[i] = (b[i] - dotAt(U, ri + i + 1, b, i + 1, n - i - 1)) / U[ri + i];
  }
  return b;
}
