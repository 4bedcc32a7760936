/**
 * The cost Hessian of a problem file as the engine stores it, the upper triangle of a symmetric P:
 * a symmetric P is kept (averaged with Pᵀ to remove round-off); a P with only its upper (OSQP's
 * convention) or only its lower triangle filled is mirrored; anything else is not a valid Hessian.
 */
import type { Csc } from '../qp/types';
import { cscAlloc, cscTranspose } from '../linalg/sparse/csc';
import { cscUpperTriangle } from '../linalg/sparse/ops';

/** Relative tolerance under which P and Pᵀ count as equal (then averaged). */
export const SYMMETRY_TOL = 1e-10;

/** The worst pair of mirrored entries of a P that is not symmetric. */
export interface Asymmetry {
  i: number;
  j: number;
  /** P[i][j] and P[j][i]. */
  pij: number;
  pji: number;
}

/** Upper triangle of the symmetric P given by a canonical CSC P (see the file comment). */
export function symmetricUpper(P: Csc): Csc | Asymmetry {
  let lower = false;
  let upper = false;
  let maxAbs = 0;
  for (let j = 0; j < P.cols; j++) {
    for (let k = P.indptr[j]; k < P.indptr[j + 1]; k++) {
      const v = P.data[k];
      maxAbs = Math.max(maxAbs, Math.abs(v));
      if (v === 0) continue;
      if (P.indices[k] > j) lower = true;
      else if (P.indices[k] < j) upper = true;
    }
  }
  if (!lower) return cscUpperTriangle(P);
  const T = cscTranspose(P);
  if (!upper) return cscUpperTriangle(T);
  // Both triangles: merge column j of P (rows ≤ j) with column j of Pᵀ (row j of P).
  const U = cscAlloc(P.rows, P.cols, P.data.length);
  let q = 0;
  let worst: Asymmetry | null = null;
  let worstGap = 0;
  for (let j = 0; j < P.cols; j++) {
    let a = P.indptr[j];
    let b = T.indptr[j];
    const aEnd = P.indptr[j + 1];
    const bEnd = T.indptr[j + 1];
    while ((a < aEnd && P.indices[a] <= j) || (b < bEnd && T.indices[b] <= j)) {
      const ia = a < aEnd && P.indices[a] <= j ? P.indices[a] : Infinity;
      const ib = b < bEnd && T.indices[b] <= j ? T.indices[b] : Infinity;
      const i = Math.min(ia, ib);
      const pij = ia === i ? P.data[a++] : 0;
      const pji = ib === i ? T.data[b++] : 0;
      const gap = Math.abs(pij - pji);
      if (gap > worstGap) [worstGap, worst] = [gap, { i, j, pij, pji }];
      U.indices[q] = i;
      U.data[q++] = (pij + pji) / 2;
    }
    U.indptr[j + 1] = q;
  }
  if (worst && worstGap > SYMMETRY_TOL * maxAbs) return worst;
  return { ...U, indices: U.indices.slice(0, q), data: U.data.slice(0, q) };
}
