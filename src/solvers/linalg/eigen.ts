import type { DenseMatrix } from '../qp/types';
import { choleskyFactor, isCholeskyFailure } from './cholesky';
import { maxAbs } from './dense';

/**
 * Eigenvalues of a symmetric matrix by the cyclic Jacobi method, ascending. O(n³) per sweep:
 * meant for small matrices (messages, tests), not for the solver's inner loop.
 */
export function symmetricEigenvalues(M: DenseMatrix, maxSweeps = 60): Float64Array {
  const n = M.rows;
  const a = new Float64Array(M.data);
  const scale = maxAbs(M);
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) off = Math.max(off, Math.abs(a[p * n + q]));
    if (off <= 1e-15 * scale || off === 0) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        // A ← Jᵀ A J with the rotation J in the (p, q) plane.
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
      }
    }
  }
  const ev = new Float64Array(n);
  for (let i = 0; i < n; i++) ev[i] = a[i * n + i];
  return ev.sort();
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
