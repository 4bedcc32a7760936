/** Operations on CSC matrices: triangles, symmetric permutation, products and norms. */
import { CscFormatError, cscAlloc, cscNnz, type Csc } from './csc';

/** The upper triangle (i ≤ j) of A, e.g. of a symmetric matrix stored in full. */
export function cscUpperTriangle(A: Csc): Csc {
  let nnz = 0;
  for (let j = 0; j < A.cols; j++) {
    for (let k = A.indptr[j]; k < A.indptr[j + 1]; k++) if (A.indices[k] <= j) nnz++;
  }
  const U = cscAlloc(A.rows, A.cols, nnz);
  let p = 0;
  for (let j = 0; j < A.cols; j++) {
    for (let k = A.indptr[j]; k < A.indptr[j + 1]; k++) {
      if (A.indices[k] <= j) {
        U.indices[p] = A.indices[k];
        U.data[p++] = A.data[k];
      }
    }
    U.indptr[j + 1] = p;
  }
  return U;
}

/** Throws unless A is square with no entry below the diagonal. */
export function checkUpperTriangular(A: Csc, name = 'matrix'): void {
  if (A.rows !== A.cols) throw new CscFormatError(`${name} is ${A.rows}×${A.cols}, not square`);
  for (let j = 0; j < A.cols; j++) {
    for (let k = A.indptr[j]; k < A.indptr[j + 1]; k++) {
      if (A.indices[k] > j)
        throw new CscFormatError(
          `${name}: entry (${A.indices[k]}, ${j}) lies below the diagonal; store the upper triangle`,
        );
    }
  }
}

/** Inverse of a permutation: pinv[perm[k]] = k. Throws if perm is not a permutation of 0..n-1. */
export function invertPermutation(perm: ArrayLike<number>): Int32Array {
  const n = perm.length;
  const pinv = new Int32Array(n).fill(-1);
  for (let k = 0; k < n; k++) {
    const i = perm[k];
    if (!Number.isInteger(i) || i < 0 || i >= n || pinv[i] !== -1)
      throw new Error(`not a permutation of 0..${n - 1}: entry ${k} is ${i}`);
    pinv[i] = k;
  }
  return pinv;
}

/**
 * Upper triangle of C = A(perm, perm) (that is Pₘ A Pₘᵀ with row k of Pₘ = e_perm[k]) from the upper
 * triangle of a symmetric A, with sorted columns, and map[k] = position in C of A's entry k, so new
 * values with A's pattern can be written straight into C.
 */
export function cscSymPermUpper(A: Csc, perm: ArrayLike<number>): { C: Csc; map: Int32Array } {
  checkUpperTriangular(A);
  const n = A.cols;
  if (perm.length !== n) throw new Error(`permutation has length ${perm.length}, expected ${n}`);
  const pinv = invertPermutation(perm);
  const nnz = cscNnz(A);
  // New (row, col) of each entry; sorting by row, then stably by column, sorts each column.
  const row = new Int32Array(nnz);
  const col = new Int32Array(nnz);
  for (let j = 0; j < n; j++) {
    const b = pinv[j];
    for (let k = A.indptr[j]; k < A.indptr[j + 1]; k++) {
      const a = pinv[A.indices[k]];
      row[k] = a < b ? a : b;
      col[k] = a < b ? b : a;
    }
  }
  const next = new Int32Array(n + 1);
  for (let k = 0; k < nnz; k++) next[row[k] + 1]++;
  for (let i = 0; i < n; i++) next[i + 1] += next[i];
  const byRow = new Int32Array(nnz);
  for (let k = 0; k < nnz; k++) byRow[next[row[k]]++] = k;

  const C = cscAlloc(n, n, nnz);
  next.fill(0);
  for (let k = 0; k < nnz; k++) next[col[k] + 1]++;
  for (let j = 0; j < n; j++) next[j + 1] += next[j];
  C.indptr.set(next);
  const map = new Int32Array(nnz);
  for (let t = 0; t < nnz; t++) {
    const k = byRow[t];
    const q = next[col[k]]++;
    C.indices[q] = row[k];
    C.data[q] = A.data[k];
    map[k] = q;
  }
  return { C, map };
}

/** y = A x (y is overwritten). */
export function cscMatVec(
  A: Csc,
  x: ArrayLike<number>,
  y: Float64Array = new Float64Array(A.rows),
): Float64Array {
  const { indptr, indices, data } = A;
  y.fill(0, 0, A.rows);
  for (let j = 0; j < A.cols; j++) {
    const xj = x[j];
    if (xj === 0) continue;
    for (let k = indptr[j]; k < indptr[j + 1]; k++) y[indices[k]] += data[k] * xj;
  }
  return y;
}

/** y = Aᵀ x (y is overwritten). */
export function cscMatTVec(
  A: Csc,
  x: ArrayLike<number>,
  y: Float64Array = new Float64Array(A.cols),
): Float64Array {
  const { indptr, indices, data } = A;
  for (let j = 0; j < A.cols; j++) {
    let s = 0;
    for (let k = indptr[j]; k < indptr[j + 1]; k++) s += data[k] * x[indices[k]];
    y[j] = s;
  }
  return y;
}

/** y = S x for the symmetric S whose upper triangle U is given (y is overwritten). */
export function cscSymMatVecUpper(
  U: Csc,
  x: ArrayLike<number>,
  y: Float64Array = new Float64Array(U.cols),
): Float64Array {
  const { indptr, indices, data } = U;
  y.fill(0, 0, U.cols);
  for (let j = 0; j < U.cols; j++) {
    const xj = x[j];
    let s = 0;
    for (let k = indptr[j]; k < indptr[j + 1]; k++) {
      const i = indices[k];
      const v = data[k];
      if (i === j) s += v * xj;
      else {
        s += v * x[i];
        y[i] += v * xj;
      }
    }
    y[j] += s;
  }
  return y;
}

/** out[j] = max_i |A_ij| (0 for an empty column). */
export function cscColNormInf(A: Csc, out: Float64Array = new Float64Array(A.cols)): Float64Array {
  for (let j = 0; j < A.cols; j++) {
    let s = 0;
    for (let k = A.indptr[j]; k < A.indptr[j + 1]; k++) s = Math.max(s, Math.abs(A.data[k]));
    out[j] = s;
  }
  return out;
}

/** out[i] = max_j |A_ij| (0 for an empty row). */
export function cscRowNormInf(A: Csc, out: Float64Array = new Float64Array(A.rows)): Float64Array {
  out.fill(0, 0, A.rows);
  const nnz = cscNnz(A);
  for (let k = 0; k < nnz; k++) {
    const i = A.indices[k];
    const v = Math.abs(A.data[k]);
    if (v > out[i]) out[i] = v;
  }
  return out;
}

/**
 * Column ∞-norms of the symmetric S whose upper triangle U is given (= its row ∞-norms), as Ruiz
 * equilibration of P needs.
 */
export function cscSymColNormInfUpper(
  U: Csc,
  out: Float64Array = new Float64Array(U.cols),
): Float64Array {
  out.fill(0, 0, U.cols);
  for (let j = 0; j < U.cols; j++) {
    for (let k = U.indptr[j]; k < U.indptr[j + 1]; k++) {
      const v = Math.abs(U.data[k]);
      const i = U.indices[k];
      if (v > out[j]) out[j] = v;
      if (v > out[i]) out[i] = v;
    }
  }
  return out;
}

/**
 * Adjacency lists of the graph of the symmetric pattern of the square A (upper, lower or full
 * storage): the neighbours of i are adj[start[i] .. start[i+1]), without i itself or duplicates.
 */
export function cscSymmetricAdjacency(A: Csc): { start: Int32Array; adj: Int32Array } {
  const n = A.cols;
  const { indptr, indices } = A;
  const count = new Int32Array(n + 1);
  for (let j = 0; j < n; j++) {
    for (let p = indptr[j]; p < indptr[j + 1]; p++) {
      const i = indices[p];
      if (i === j) continue;
      count[i + 1]++;
      count[j + 1]++;
    }
  }
  for (let i = 0; i < n; i++) count[i + 1] += count[i];
  const fill = count.slice(0, n);
  const raw = new Int32Array(count[n]);
  for (let j = 0; j < n; j++) {
    for (let p = indptr[j]; p < indptr[j + 1]; p++) {
      const i = indices[p];
      if (i === j) continue;
      raw[fill[i]++] = j;
      raw[fill[j]++] = i;
    }
  }
  // Drop duplicates (a full symmetric A lists each edge twice per row).
  const mark = new Int32Array(n).fill(-1);
  const start = new Int32Array(n + 1);
  let q = 0;
  for (let i = 0; i < n; i++) {
    for (let p = count[i]; p < count[i + 1]; p++) {
      const j = raw[p];
      if (mark[j] === i) continue;
      mark[j] = i;
      raw[q++] = j;
    }
    start[i + 1] = q;
  }
  return { start, adj: raw.subarray(0, q) };
}
