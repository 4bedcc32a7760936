/**
 * Compressed sparse column storage on typed arrays, the form the sparse engine computes with.
 * The JSON/OSQP form `CscMatrix` (plain arrays) converts to and from it at the boundary.
 */
import type { Csc, CscMatrix, DenseMatrix } from '../../qp/types';

/** A matrix in CSC form (defined with the engine's types; see there). */
export type { Csc };

/** A matrix whose CSC arrays are inconsistent; the message names the first defect. */
export class CscFormatError extends Error {
  override name = 'CscFormatError';
}

/** Number of stored entries. */
export function cscNnz(A: Csc): number {
  return A.indptr[A.cols];
}

/** An all-zero rows×cols matrix with room for nnz entries. */
export function cscAlloc(rows: number, cols: number, nnz: number): Csc {
  return {
    rows,
    cols,
    indptr: new Int32Array(cols + 1),
    indices: new Int32Array(nnz),
    data: new Float64Array(nnz),
  };
}

/**
 * The first structural defect of A, or undefined when it is canonical: shape and array lengths,
 * monotone pointers, row indices in range, and strictly increasing rows within each column.
 */
export function cscDefect(A: Csc | CscMatrix, name = 'matrix'): string | undefined {
  const [rows, cols] = 'shape' in A ? A.shape : [A.rows, A.cols];
  const { indptr, indices, data } = A;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0)
    return `${name}: shape ${rows}×${cols} is not a pair of non-negative integers`;
  if (indptr.length !== cols + 1)
    return `${name}: indptr has length ${indptr.length}, expected cols + 1 = ${cols + 1}`;
  if (indptr[0] !== 0) return `${name}: indptr[0] is ${indptr[0]}, expected 0`;
  const nnz = indptr[cols];
  if (indices.length !== nnz || data.length !== nnz)
    return `${name}: indptr[${cols}] = ${nnz} but indices and data have ${indices.length} and ${data.length} entries`;
  for (let j = 0; j < cols; j++) {
    const end = indptr[j + 1];
    if (!Number.isInteger(end) || end < indptr[j] || end > nnz)
      return `${name}: indptr decreases at column ${j} (${indptr[j]} then ${end}) or passes nnz = ${nnz}`;
  }
  for (let j = 0; j < cols; j++) {
    let prev = -1;
    for (let k = indptr[j]; k < indptr[j + 1]; k++) {
      const i = indices[k];
      if (!Number.isInteger(i) || i < 0 || i >= rows)
        return `${name}: row index ${i} in column ${j} is outside 0..${rows - 1}`;
      if (i === prev) return `${name}: duplicate entry (${i}, ${j})`;
      if (i < prev) return `${name}: row indices of column ${j} are not sorted (${prev} then ${i})`;
      prev = i;
    }
  }
  return undefined;
}

/** Throws a CscFormatError unless A is canonical (see cscDefect). */
export function cscCheck(A: Csc | CscMatrix, name = 'matrix'): void {
  const defect = cscDefect(A, name);
  if (defect !== undefined) throw new CscFormatError(defect);
}

/**
 * Canonical typed copy of a CSC matrix in either form: rows sorted within each column and duplicate
 * entries summed (the CSC convention). Shape, pointers and indices must still be valid.
 */
export function cscFromMatrix(A: Csc | CscMatrix, name = 'matrix'): Csc {
  const [rows, cols] = 'shape' in A ? A.shape : [A.rows, A.cols];
  const { indptr, indices, data } = A;
  if (indptr.length !== cols + 1 || indptr[0] !== 0)
    throw new CscFormatError(`${name}: indptr must have length cols + 1 and start at 0`);
  const nnz = indptr[cols];
  if (indices.length !== nnz || data.length !== nnz)
    throw new CscFormatError(`${name}: indices and data must have indptr[cols] = ${nnz} entries`);
  for (let j = 0; j < cols; j++) {
    if (!(indptr[j + 1] >= indptr[j]))
      throw new CscFormatError(`${name}: indptr decreases at column ${j}`);
  }
  for (let k = 0; k < nnz; k++) {
    const i = indices[k];
    if (!Number.isInteger(i) || i < 0 || i >= rows)
      throw new CscFormatError(`${name}: row index ${i} is outside 0..${rows - 1}`);
  }
  // Sorting and summing by a double transpose: two counting sorts, each stable.
  const T = transposeRaw(rows, cols, indptr, indices, data);
  const S = transposeRaw(cols, rows, T.indptr, T.indices, T.data);
  return sumDuplicates(S);
}

/** Plain-array form (for JSON and the dense helpers). */
export function cscToMatrix(A: Csc): CscMatrix {
  return {
    shape: [A.rows, A.cols],
    indptr: Array.from(A.indptr),
    indices: Array.from(A.indices),
    data: Array.from(A.data),
  };
}

/** CSC copy of a dense matrix; zeros dropped unless keepZeros. */
export function cscFromDense(M: DenseMatrix, keepZeros = false): Csc {
  const { rows, cols, data } = M;
  let nnz = 0;
  for (let k = 0; k < data.length; k++) if (keepZeros || data[k] !== 0) nnz++;
  const A = cscAlloc(rows, cols, nnz);
  let p = 0;
  for (let j = 0; j < cols; j++) {
    for (let i = 0; i < rows; i++) {
      const v = data[i * cols + j];
      if (keepZeros || v !== 0) {
        A.indices[p] = i;
        A.data[p++] = v;
      }
    }
    A.indptr[j + 1] = p;
  }
  return A;
}

/** Dense row-major copy; duplicate entries are summed. */
export function cscToDenseMatrix(A: Csc): DenseMatrix {
  const out = new Float64Array(A.rows * A.cols);
  for (let j = 0; j < A.cols; j++) {
    for (let k = A.indptr[j]; k < A.indptr[j + 1]; k++) out[A.indices[k] * A.cols + j] += A.data[k];
  }
  return { rows: A.rows, cols: A.cols, data: out };
}

/** Aᵀ; its columns come out sorted whatever the order within A's columns. */
export function cscTranspose(A: Csc): Csc {
  return transposeRaw(A.rows, A.cols, A.indptr, A.indices, A.data);
}

/**
 * Aᵀ and, for each entry k of A, the position of the same entry in Aᵀ (so values of a matrix with
 * A's pattern can be scattered into Aᵀ's without redoing the sort).
 */
export function cscTransposeWithMap(A: Csc): { T: Csc; map: Int32Array } {
  const map = new Int32Array(cscNnz(A));
  return { T: transposeRaw(A.rows, A.cols, A.indptr, A.indices, A.data, map), map };
}

function transposeRaw(
  rows: number,
  cols: number,
  indptr: ArrayLike<number>,
  indices: ArrayLike<number>,
  data: ArrayLike<number>,
  map?: Int32Array,
): Csc {
  const nnz = indptr[cols];
  const T = cscAlloc(cols, rows, nnz);
  const next = new Int32Array(rows + 1);
  for (let k = 0; k < nnz; k++) next[indices[k] + 1]++;
  for (let i = 0; i < rows; i++) next[i + 1] += next[i];
  T.indptr.set(next);
  for (let j = 0; j < cols; j++) {
    for (let k = indptr[j]; k < indptr[j + 1]; k++) {
      const q = next[indices[k]]++;
      T.indices[q] = j;
      T.data[q] = data[k];
      if (map) map[k] = q;
    }
  }
  return T;
}

/** Sums runs of equal row indices in a matrix whose columns are sorted. */
function sumDuplicates(A: Csc): Csc {
  let dup = 0;
  for (let j = 0; j < A.cols; j++) {
    for (let k = A.indptr[j] + 1; k < A.indptr[j + 1]; k++) {
      if (A.indices[k] === A.indices[k - 1]) dup++;
    }
  }
  if (dup === 0) return A;
  const B = cscAlloc(A.rows, A.cols, cscNnz(A) - dup);
  let p = 0;
  for (let j = 0; j < A.cols; j++) {
    const start = p;
    for (let k = A.indptr[j]; k < A.indptr[j + 1]; k++) {
      if (p > start && B.indices[p - 1] === A.indices[k]) B.data[p - 1] += A.data[k];
      else {
        B.indices[p] = A.indices[k];
        B.data[p++] = A.data[k];
      }
    }
    B.indptr[j + 1] = p;
  }
  return B;
}

/**
 * Canonical CSC from triplets (row I[k], column J[k], value V[k]); duplicates are summed, as in
 * scipy's coo → csc.
 */
export function cscFromTriplets(
  rows: number,
  cols: number,
  I: ArrayLike<number>,
  J: ArrayLike<number>,
  V: ArrayLike<number>,
): Csc {
  const nnz = V.length;
  const byCol = cscAlloc(rows, cols, nnz);
  for (let k = 0; k < nnz; k++) byCol.indptr[J[k] + 1]++;
  for (let j = 0; j < cols; j++) byCol.indptr[j + 1] += byCol.indptr[j];
  const next = byCol.indptr.slice(0, cols);
  for (let k = 0; k < nnz; k++) {
    const q = next[J[k]]++;
    byCol.indices[q] = I[k];
    byCol.data[q] = V[k];
  }
  return cscFromMatrix(byCol);
}
