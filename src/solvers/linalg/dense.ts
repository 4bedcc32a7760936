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
  for (let i = 0; i < M.rows; i++) out.push(Array.from(M.data.subarray(i * M.cols, (i + 1) * M.cols)));
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

/** y = M x. */
export function matVec(M: DenseMatrix, x: ArrayLike<number>, y = new Float64Array(M.rows)): Float64Array {
  const { rows, cols, data } = M;
  for (let i = 0; i < rows; i++) {
    let s = 0;
    const o = i * cols;
    for (let j = 0; j < cols; j++) s += data[o + j] * x[j];
    y[i] = s;
  }
  return y;
}

/** y = Mᵀ x. */
export function matTVec(M: DenseMatrix, x: ArrayLike<number>, y = new Float64Array(M.cols)): Float64Array {
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
