/**
 * Helpers for the sparse tests and the sparse benchmark (Node only): Maros–Meszaros problems read
 * in CSC form, without the dense engine's n×n storage, and seeded random sparse matrices.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CscMatrix, DenseMatrix } from '../../qp/types';
import { cscFromMatrix, type Csc } from './csc';
import { cscUpperTriangle } from './ops';

/** ../shared/data beside the repository, or $ARGMIN_SHARED/data. */
export const SHARED_DATA = join(
  process.env.ARGMIN_SHARED ??
    resolve(fileURLToPath(new URL('../../../../', import.meta.url)), '../shared'),
  'data',
);

/** The two Maros–Meszaros folders: the 12 small test problems and the 32 benchmark ones. */
export type MarosSet = 'maros-meszaros' | 'maros-meszaros-benchmark';

/** A QP as the sparse engine takes it: P as its upper triangle, A as CSC. */
export interface SparseQp {
  name: string;
  n: number;
  m: number;
  /** Upper triangle of P. */
  P: Csc;
  q: Float64Array;
  A: Csc;
  l: Float64Array;
  u: Float64Array;
}

export function marosNames(set: MarosSet): string[] {
  return readdirSync(join(SHARED_DATA, set))
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

/** One problem file (CSC JSON; P stored in full symmetric form is cut to its upper triangle). */
export function loadSparseMaros(set: MarosSet, name: string): SparseQp {
  const obj = JSON.parse(readFileSync(join(SHARED_DATA, set, `${name}.json`), 'utf8')) as {
    P: CscMatrix;
    A: CscMatrix;
    q: number[];
    l: (number | null)[];
    u: (number | null)[];
  };
  const P = cscUpperTriangle(cscFromMatrix(obj.P, 'P'));
  const A = cscFromMatrix(obj.A, 'A');
  const bound = (v: number | null, inf: number) => (v === null || Math.abs(v) >= 1e19 ? inf : v);
  return {
    name,
    n: P.cols,
    m: A.rows,
    P,
    q: Float64Array.from(obj.q),
    A,
    l: Float64Array.from(obj.l, (v) => bound(v, -Infinity)),
    u: Float64Array.from(obj.u, (v) => bound(v, Infinity)),
  };
}

/** Dense rows×cols matrix with about density·rows·cols standard-normal entries, others zero. */
export function randomSparseDense(
  rows: number,
  cols: number,
  density: number,
  rand: () => number,
  gauss: () => number,
): DenseMatrix {
  const data = new Float64Array(rows * cols);
  for (let k = 0; k < data.length; k++) if (rand() < density) data[k] = gauss();
  return { rows, cols, data };
}

/** Upper triangle of the Laplacian of a k₁×k₂(×k₃) grid graph plus shift·I (SPD for shift > 0). */
export function gridLaplacian(dims: number[], shift = 0): Csc {
  const n = dims.reduce((a, b) => a * b, 1);
  const strides = dims.map((_, d) => dims.slice(0, d).reduce((a, b) => a * b, 1));
  const indptr = new Int32Array(n + 1);
  const indices: number[] = [];
  const data: number[] = [];
  for (let v = 0; v < n; v++) {
    // Neighbours above the diagonal in column v: v − stride, largest stride (smallest row) first.
    for (let d = dims.length - 1; d >= 0; d--) {
      if (Math.floor(v / strides[d]) % dims[d] > 0) {
        indices.push(v - strides[d]);
        data.push(-1);
      }
    }
    indices.push(v);
    data.push(2 * dims.length + shift);
    indptr[v + 1] = indices.length;
  }
  return {
    rows: n,
    cols: n,
    indptr,
    indices: Int32Array.from(indices),
    data: Float64Array.from(data),
  };
}
