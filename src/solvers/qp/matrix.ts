/**
 * The two storages of the engine's matrices behind one set of verbs: dense (row-major, P in full)
 * or CSC (P as its upper triangle, as OSQP). Everything in the engine that multiplies by P or A
 * (residuals, certificates, scaling, polishing) goes through these, so it is written once.
 */
import type { AnyQpProblem, Csc, DenseMatrix, QpProblem, SparseQpProblem } from './types';
import { isSparseProblem } from './types';
import { matTVec, matVec } from '../linalg/dense';
import {
  cscFromDense,
  cscMatTVec,
  cscMatVec,
  cscNnz,
  cscSymMatVecUpper,
  cscToDenseMatrix,
  cscUpperTriangle,
} from '../linalg/sparse';

/** A matrix of the engine: dense or CSC. */
export type QpMatrix = DenseMatrix | Csc;

export function isCsc(M: QpMatrix): M is Csc {
  return 'indptr' in M;
}

/** y = P x for the symmetric P (dense: stored in full; CSC: its upper triangle). */
export function symMul(P: QpMatrix, x: ArrayLike<number>, y?: Float64Array): Float64Array {
  return isCsc(P) ? cscSymMatVecUpper(P, x, y) : matVec(P, x, y);
}

/** y = A x. */
export function mul(A: QpMatrix, x: ArrayLike<number>, y?: Float64Array): Float64Array {
  return isCsc(A) ? cscMatVec(A, x, y) : matVec(A, x, y);
}

/** y = Aᵀ x. */
export function tMul(A: QpMatrix, x: ArrayLike<number>, y?: Float64Array): Float64Array {
  return isCsc(A) ? cscMatTVec(A, x, y) : matTVec(A, x, y);
}

/** Stored entries (all rows·cols of a dense matrix). */
export function storedEntries(M: QpMatrix): number {
  return isCsc(M) ? cscNnz(M) : M.data.length;
}

/** Nonzero entries (of the upper triangle for a symmetric P when `upper`). */
export function nonzeros(M: QpMatrix, upper = false): number {
  if (isCsc(M)) {
    let k = 0;
    for (let p = 0; p < M.data.length; p++) if (M.data[p] !== 0) k++;
    return k;
  }
  let k = 0;
  const { rows, cols, data } = M;
  for (let i = 0; i < rows; i++)
    for (let j = upper ? i : 0; j < cols; j++) if (data[i * cols + j] !== 0) k++;
  return k;
}

/** A copy with the same pattern (CSC index arrays are shared: they are never written). */
export function copyValues<M extends QpMatrix>(M: M): M {
  return { ...M, data: new Float64Array(M.data) };
}

/** Bytes a dense copy of an n-variable, m-row problem's P and A takes. */
export function denseBytes(n: number, m: number): number {
  return 8 * (n * n + m * n);
}

/** The problem with CSC storage (P cut to its upper triangle), zeros of dense input dropped. */
export function toSparseProblem(p: AnyQpProblem): SparseQpProblem {
  if (isSparseProblem(p)) return p;
  return { ...p, P: cscUpperTriangle(cscFromDense(p.P)), A: cscFromDense(p.A) };
}

/** A problem too large to store densely for an engine that needs dense matrices. */
export class DenseLimitError extends Error {
  override name = 'DenseLimitError';
}

/**
 * The problem with dense storage (P mirrored to full), for the engines and methods that need it
 * (the WebGPU engine, the dense gradient methods). Throws DenseLimitError, before allocating, when
 * the dense P and A would take more than maxBytes.
 */
export function toDenseProblem(p: AnyQpProblem, maxBytes = Infinity): QpProblem {
  if (!isSparseProblem(p)) return p;
  const bytes = denseBytes(p.n, p.m);
  if (bytes > maxBytes) {
    const mb = (b: number) => `${Math.ceil(b / 2 ** 20)} MB`;
    throw new DenseLimitError(
      `n = ${p.n} variables and m = ${p.m} rows stored densely take ${mb(bytes)}, ` +
        `above the limit of ${mb(maxBytes)}`,
    );
  }
  return { ...p, P: symToDense(p.P), A: cscToDenseMatrix(p.A) };
}

/** The symmetric matrix in full dense storage, from its upper triangle in CSC. */
export function symToDense(U: Csc): DenseMatrix {
  const P = cscToDenseMatrix(U);
  const n = U.cols;
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) P.data[i * n + j] = P.data[j * n + i];
  return P;
}
