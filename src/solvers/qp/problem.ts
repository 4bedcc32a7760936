import type { DenseMatrix, QpProblem } from './types';
import { fromRows } from '../linalg/dense';

type MatrixLike = DenseMatrix | ArrayLike<number>[];
type VectorLike = ArrayLike<number>;

/** Input of makeProblem: matrices as DenseMatrix or arrays of rows, vectors as plain arrays. */
export interface ProblemSpec {
  P: MatrixLike;
  q: VectorLike;
  /** Omitted or empty: no constraints. */
  A?: MatrixLike;
  l?: VectorLike;
  u?: VectorLike;
  r?: number;
  meta?: Record<string, unknown>;
}

function toMatrix(M: MatrixLike, cols: number): DenseMatrix {
  if (!Array.isArray(M)) {
    const D = M as DenseMatrix;
    return { rows: D.rows, cols: D.cols, data: new Float64Array(D.data) };
  }
  return M.length === 0 ? { rows: 0, cols, data: new Float64Array(0) } : fromRows(M);
}

/**
 * Builds a QpProblem from friendly input. Bounds may use ±Infinity (or null, read as unbounded);
 * l defaults to −∞ and u to +∞. Dimensions are not checked here: solveQp validates.
 */
export function makeProblem(spec: ProblemSpec): QpProblem {
  const n = spec.q.length;
  const P = toMatrix(spec.P, n);
  const A = spec.A ? toMatrix(spec.A, n) : { rows: 0, cols: n, data: new Float64Array(0) };
  const m = A.rows;
  const bound = (v: VectorLike | undefined, inf: number): Float64Array => {
    if (!v) return new Float64Array(m).fill(inf);
    return Float64Array.from(
      Array.from(v as ArrayLike<number | null>, (x) => (x === null ? inf : x)),
    );
  };
  return {
    n,
    m,
    P,
    q: Float64Array.from(spec.q),
    r: spec.r ?? 0,
    A,
    l: bound(spec.l, -Infinity),
    u: bound(spec.u, Infinity),
    ...(spec.meta ? { meta: spec.meta } : {}),
  };
}
