/**
 * Small dense subspace tools for the zero-gradient analysis: orthonormal bases, projections,
 * and left null spaces (through the Jacobi eigen-decomposition of src/solvers/linalg).
 * Meant for n up to a few hundred.
 */
import type { DenseMatrix } from '../qp/types';
import { zeros } from '../linalg/dense';
import { symmetricEigen } from '../linalg/eigen';
import { norm2 } from './vec';

/**
 * Orthonormal basis of span(vectors) by modified Gram–Schmidt, applied twice for stability;
 * a vector whose remainder is below relTol·‖v‖ is linearly dependent and skipped.
 */
export function orthonormalBasis(vectors: ArrayLike<number>[], relTol = 1e-10): Float64Array[] {
  const basis: Float64Array[] = [];
  for (const v of vectors) {
    const w = Float64Array.from(v);
    const n0 = norm2(w);
    if (n0 === 0) continue;
    for (let pass = 0; pass < 2; pass++) {
      for (const b of basis) {
        let c = 0;
        for (let j = 0; j < w.length; j++) c += b[j] * w[j];
        for (let j = 0; j < w.length; j++) w[j] -= c * b[j];
      }
    }
    const nw = norm2(w);
    if (nw <= relTol * n0) continue;
    for (let j = 0; j < w.length; j++) w[j] /= nw;
    basis.push(w);
  }
  return basis;
}

/** Orthogonal projection of v onto span(basis) (basis orthonormal). */
export function projectOntoSpan(basis: Float64Array[], v: ArrayLike<number>): Float64Array {
  const p = new Float64Array(v.length);
  for (const b of basis) {
    let c = 0;
    for (let j = 0; j < v.length; j++) c += b[j] * v[j];
    for (let j = 0; j < v.length; j++) p[j] += c * b[j];
  }
  return p;
}

/**
 * Orthonormal basis (rows) of the left null space {v : vᵀJ = 0} of J (n×p): the eigenvectors of
 * JJᵀ with eigenvalue ≤ relTol·λ_max (relTol on the squared singular values).
 */
export function leftNullSpace(J: DenseMatrix, relTol = 1e-14): Float64Array[] {
  const n = J.rows;
  const p = J.cols;
  const JJt = zeros(n, n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let k = 0; k < p; k++) s += J.data[i * p + k] * J.data[j * p + k];
      JJt.data[i * n + j] = s;
      JJt.data[j * n + i] = s;
    }
  }
  const { values, vectors } = symmetricEigen(JJt);
  const max = Math.max(0, ...values);
  const tol = Math.max(relTol * max, Number.MIN_VALUE);
  return vectors.filter((_, k) => values[k] <= tol);
}
