import type { DenseMatrix } from '../qp/types';
import { choleskyFactor, isCholeskyFailure } from './cholesky';
import { maxAbs } from './dense';

/**
 * Symmetric M = V diag(λ) Vᵀ by cyclic Jacobi rotations; vectors[k] is the eigenvector of
 * values[k] (unsorted). O(n³) per sweep: meant for small matrices (messages, the zero-gradient
 * analysis, tests), not for the solver's inner loop.
 */
export function symmetricEigen(
  M: DenseMatrix,
  maxSweeps = 100,
): { values: Float64Array; vectors: Float64Array[] } {
  const n = M.rows;
  if (M.cols !== n) throw new Error(`symmetricEigen: matrix is ${M.rows}×${M.cols}, not square`);
  const a = Float64Array.from(M.data);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    let total = 0;
    for (let i = 0; i < n * n; i++) total += a[i] * a[i];
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] * a[p * n + q];
    if (off <= 1e-30 * total || off === 0) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        // A ← Jᵀ A J with the rotation J in the (p, q) plane; V ← V J accumulates the vectors.
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(n);
  const vectors: Float64Array[] = [];
  for (let k = 0; k < n; k++) {
    values[k] = a[k * n + k];
    const col = new Float64Array(n);
    for (let i = 0; i < n; i++) col[i] = v[i * n + k];
    vectors.push(col);
  }
  return { values, vectors };
}

/** Eigenvalues of a symmetric matrix, ascending. */
export function symmetricEigenvalues(M: DenseMatrix, maxSweeps = 100): Float64Array {
  return symmetricEigen(M, maxSweeps).values.sort();
}

/** Outcome of the positive-semidefiniteness test. */
export interface PsdTest {
  psd: boolean;
  /** Shift ε·I added before the Cholesky test (relative to max|P_ij|). */
  shift: number;
  /** Smallest eigenvalue, computed only when the test fails and n is small enough. */
  minEigenvalue?: number;
}

/**
 * P is declared PSD when P + εI admits a Cholesky factorization, ε = relTol·max|P_ij|.
 * A PSD matrix perturbed by rounding has eigenvalues ≥ −O(n·u·‖P‖), far above −ε, so the test
 * does not reject matrices built in floating point (BᵀB); it accepts matrices with eigenvalues
 * down to about −ε, which the solver's own σ-regularization absorbs.
 */
export function testPositiveSemidefinite(P: DenseMatrix, relTol = 1e-9): PsdTest {
  const scale = maxAbs(P);
  if (scale === 0) return { psd: true, shift: 0 };
  const shift = relTol * scale;
  const f = choleskyFactor(P, shift);
  if (!isCholeskyFailure(f)) return { psd: true, shift };
  const out: PsdTest = { psd: false, shift };
  if (P.rows <= 300) out.minEigenvalue = symmetricEigenvalues(P)[0];
  return out;
}
