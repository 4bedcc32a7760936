/**
 * The convexity test of P, relative to its size: P is accepted when P + τ‖P‖∞·I is positive
 * definite, i.e. when every eigenvalue exceeds −τ‖P‖∞ (‖P‖∞ ≥ λmax). Data rounded to a few
 * significant digits has negative eigenvalues at that level (VALUES in Maros–Meszaros: λmin ≈ −1.3e-5
 * against λmax ≈ 10.8), which OSQP and interior-point solvers solve; a matrix with a genuinely
 * negative curvature is refused. One Cholesky (dense) or one LDLᵀ under AMD (CSC) decides.
 */
import { isCsc, symToDense, type QpMatrix } from './matrix';
import type { Csc } from './types';
import { choleskyFactor, isCholeskyFailure } from '../linalg/cholesky';
import { symmetricEigenvalues } from '../linalg/eigen';
import { FactorizationError } from '../linalg/linsys';
import { assembleKktUpper } from '../linalg/sparse/kkt';
import { cscAlloc } from '../linalg/sparse/csc';
import { SparseLdl } from '../linalg/sparse/factor';
import { NO_DEADLINE, type Deadline } from '../deadline';

/** τ: eigenvalues down to −τ‖P‖∞ count as rounding of a PSD matrix. */
export const PSD_TOL = 1e-5;

/** Up to this order a sparse P is tested densely (no ordering to set up; n³/3 is nothing). */
const DENSE_TEST_MAX_N = 40;
/** Up to this order a refused P gets its smallest eigenvalue in the message (Jacobi, O(n³)). */
const EIGEN_MESSAGE_MAX_N = 300;

export interface ConvexityTest {
  psd: boolean;
  /** ‖P‖∞ (max row sum of |P|), the scale of the test. */
  scale: number;
  /** The shift τ‖P‖∞. */
  shift: number;
  /** Why P was refused, for the 'non_convex' status. */
  message: string;
}

/** ‖P‖∞ of the symmetric P (dense: stored in full; CSC: its upper triangle). */
export function symNormInf(P: QpMatrix): number {
  const n = P.cols;
  const rows = new Float64Array(n);
  if (isCsc(P)) {
    for (let j = 0; j < n; j++) {
      for (let k = P.indptr[j]; k < P.indptr[j + 1]; k++) {
        const i = P.indices[k];
        const v = Math.abs(P.data[k]);
        rows[i] += v;
        if (i !== j) rows[j] += v;
      }
    }
  } else {
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) rows[i] += Math.abs(P.data[i * n + j]);
  }
  let s = 0;
  for (let i = 0; i < n; i++) s = Math.max(s, rows[i]);
  return s;
}

/** Whether P + shift·I is positive definite, by LDLᵀ of its upper triangle under AMD. */
function sparsePositiveDefinite(P: Csc, shift: number, deadline: Deadline): boolean {
  const { K } = assembleKktUpper(P, cscAlloc(0, P.cols, 0), shift, []);
  const ldl = SparseLdl.analyze(K, { amd: { deadline } });
  try {
    return ldl.factor(undefined, deadline) === P.cols;
  } catch (e) {
    if (e instanceof FactorizationError) return false;
    throw e;
  }
}

/** The test (see the file comment); DeadlineError past the deadline. */
export function convexityTest(
  P: QpMatrix,
  relTol = PSD_TOL,
  deadline: Deadline = NO_DEADLINE,
): ConvexityTest {
  const scale = symNormInf(P);
  const shift = relTol * scale;
  if (scale === 0) return { psd: true, scale, shift, message: '' };
  const psd =
    isCsc(P) && P.cols > DENSE_TEST_MAX_N
      ? sparsePositiveDefinite(P, shift, deadline)
      : !isCholeskyFailure(choleskyFactor(isCsc(P) ? symToDense(P) : P, shift, deadline));
  if (psd) return { psd, scale, shift, message: '' };
  const bound = `−${relTol}·‖P‖∞ = ${(-shift).toPrecision(3)}`;
  let detail = `an eigenvalue below ${bound}`;
  if (P.cols <= EIGEN_MESSAGE_MAX_N) {
    const dense = isCsc(P) ? symToDense(P) : P;
    detail = `smallest eigenvalue ${symmetricEigenvalues(dense)[0].toPrecision(4)}, below ${bound}`;
  }
  return {
    psd,
    scale,
    shift,
    message: `P is not positive semidefinite (${detail}); the problem is not convex`,
  };
}
