/**
 * Small dense subspace tools for the zero-gradient analysis: orthonormal bases, projections,
 * symmetric eigen-decomposition (cyclic Jacobi, with vectors) and left null spaces.
 * Meant for n up to a few hundred.
 */
import type { DenseMatrix } from '../qp/types';
import { zeros } from '../linalg/dense';
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

/** Symmetric M = V diag(λ) Vᵀ by cyclic Jacobi rotations; vectors[k] is the eigenvector of values[k]. */
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
