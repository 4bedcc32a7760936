import type { CscMatrix, DenseMatrix } from '../qp/types';

/** An all-zero rows×cols matrix. */
export function zeros(rows: number, cols: number): DenseMatrix {
  return { rows, cols, data: new Float64Array(rows * cols) };
}

/** Dense matrix from an array of rows (all rows must have the same length). */
export function fromRows(rowsData: ArrayLike<number>[], cols?: number): DenseMatrix {
  const rows = rowsData.length;
  const c = cols ?? (rows > 0 ? rowsData[0].length : 0);
  const M = zeros(rows, c);
  for (let i = 0; i < rows; i++) {
    if (rowsData[i].length !== c) {
      throw new Error(`row ${i} has ${rowsData[i].length} entries, expected ${c}`);
    }
    for (let j = 0; j < c; j++) M.data[i * c + j] = rowsData[i][j];
  }
  return M;
}

/** Array of rows from a dense matrix (for JSON output). */
export function toRows(M: DenseMatrix): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < M.rows; i++)
    out.push(Array.from(M.data.subarray(i * M.cols, (i + 1) * M.cols)));
  return out;
}

/** Dense copy of a CSC matrix. Duplicate entries are summed, as in CSC convention. */
export function cscToDense(A: CscMatrix): DenseMatrix {
  const [rows, cols] = A.shape;
  const M = zeros(rows, cols);
  for (let j = 0; j < cols; j++) {
    for (let k = A.indptr[j]; k < A.indptr[j + 1]; k++) {
      M.data[A.indices[k] * cols + j] += A.data[k];
    }
  }
  return M;
}

/** Identity matrix of size n. */
export function eye(n: number): DenseMatrix {
  const M = zeros(n, n);
  for (let i = 0; i < n; i++) M.data[i * n + i] = 1;
  return M;
}

/**
 * Σₖ a[oa + k]·b[ob + k] for k < len, in four interleaved sums: V8 does not vectorize, and four
 * independent accumulators keep the multiply-adds from waiting on each other (~1.5× on n = 500).
 */
export function dotAt(
  a: ArrayLike<number>,
  oa: number,
  b: ArrayLike<number>,
  ob: number,
  len: number,
): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < len; k += 4) {
    s0 += a[oa + k] * b[ob + k];
    s1 += a[oa + k + 1] * b[ob + k + 1];
    s2 += a[oa + k + 2] * b[ob + k + 2];
    s3 += a[oa + k + 3] * b[ob + k + 3];
  }
  for (; k < len; k++) s0 += a[oa + k] * b[ob + k];
  return s0 + s1 + (s2 + s3);
}

/** y = M x. */
export function matVec(
  M: DenseMatrix,
  x: ArrayLike<number>,
  y = new Float64Array(M.rows),
): Float64Array {
  const { rows, cols, data } = M;
  for (let i = 0; i < rows; i++) y[i] = dotAt(data, i * cols, x, 0, cols);
  return y;
}

/** y = Mᵀ x. */
export function matTVec(
  M: DenseMatrix,
  x: ArrayLike<number>,
  y = new Float64Array(M.cols),
): Float64Array {
  const { rows, cols, data } = M;
  y.fill(0);
  for (let i = 0; i < rows; i++) {
    const xi = x[i];
    if (xi === 0) continue;
    const o = i * cols;
    for (let j = 0; j < cols; j++) y[j] += data[o + j] * xi;
  }
  return y;
}

/** Deep copy of a matrix. */
export function copyMatrix(M: DenseMatrix): DenseMatrix {
  return { rows: M.rows, cols: M.cols, data: new Float64Array(M.data) };
}

/** Mᵀ. */
export function transpose(M: DenseMatrix): DenseMatrix {
  const T = zeros(M.cols, M.rows);
  for (let i = 0; i < M.rows; i++) {
    for (let j = 0; j < M.cols; j++) T.data[j * M.rows + i] = M.data[i * M.cols + j];
  }
  return T;
}

/** C = A B. */
export function matMul(A: DenseMatrix, B: DenseMatrix): DenseMatrix {
  if (A.cols !== B.rows) throw new Error(`matMul: ${A.rows}×${A.cols} times ${B.rows}×${B.cols}`);
  const C = zeros(A.rows, B.cols);
  const n = B.cols;
  for (let i = 0; i < A.rows; i++) {
    const ci = i * n;
    for (let k = 0; k < A.cols; k++) {
      const a = A.data[i * A.cols + k];
      if (a === 0) continue;
      const bk = k * n;
      for (let j = 0; j < n; j++) C.data[ci + j] += a * B.data[bk + j];
    }
  }
  return C;
}

/** max |M_ij| (0 for an empty matrix). */
export function maxAbs(M: DenseMatrix): number {
  let s = 0;
  for (let k = 0; k < M.data.length; k++) s = Math.max(s, Math.abs(M.data[k]));
  return s;
}

/**
 * Relative asymmetry max|M_ij − M_ji| / max(max|M|, tiny) of a square matrix; 0 when symmetric.
 * Relative so that a matrix assembled in floating point (e.g. BᵀB) still counts as symmetric.
 */
export function asymmetry(M: DenseMatrix): number {
  if (M.rows !== M.cols) return Infinity;
  const n = M.rows;
  let d = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++)
      d = Math.max(d, Math.abs(M.data[i * n + j] - M.data[j * n + i]));
  }
  return d === 0 ? 0 : d / Math.max(maxAbs(M), Number.MIN_VALUE);
}

/** True when M is square and symmetric up to a relative tolerance. */
export function isSymmetric(M: DenseMatrix, relTol = 1e-10): boolean {
  return asymmetry(M) <= relTol;
}

/** ‖v‖∞ (0 for an empty vector). */
export function normInf(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s = Math.max(s, Math.abs(v[i]));
  return s;
}

/** vᵀw. */
export function dot(v: ArrayLike<number>, w: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * w[i];
  return s;
}
