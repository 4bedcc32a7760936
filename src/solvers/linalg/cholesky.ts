import type { DenseMatrix } from '../qp/types';
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
    let s = M.data[rj + j] + shift;
    for (let k = 0; k < j; k++) s -= L[rj + k] * L[rj + k];
    if (!(s > 0)) return { index: j, pivot: s };
    const ljj = Math.sqrt(s);
    L[rj + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let t = M.data[ri + j];
      for (let k = 0; k < j; k++) t -= L[ri + k] * L[rj + k];
      L[ri + j] = t / ljj;
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
    let s = b[i];
    const ri = i * n;
    for (let k = 0; k < i; k++) s -= L[ri + k] * b[k];
    b[i] = s / L[ri + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    const ri = i * n;
    for (let k = i + 1; k < n; k++) s -= U[ri + k] * b[k];
    b[i] = s / U[ri + i];
  }
  return b;
}
