import { describe, expect, it } from 'vitest';
import type { CscMatrix, DenseMatrix } from '../../qp/types';
import { cscToDense, matTVec, matVec, transpose } from '../dense';
import { gaussian, rng } from '../../qp/testutil';
import {
  CscFormatError,
  cscCheck,
  cscDefect,
  cscFromDense,
  cscFromMatrix,
  cscToDenseMatrix,
  cscToMatrix,
  cscTranspose,
  cscTransposeWithMap,
} from './csc';
import {
  checkUpperTriangular,
  cscColNormInf,
  cscMatTVec,
  cscMatVec,
  cscRowNormInf,
  cscSymColNormInfUpper,
  cscSymMatVecUpper,
  cscSymPermUpper,
  cscUpperTriangle,
  invertPermutation,
} from './ops';
import { randomSparseDense } from './testutil';

const rand = rng(7);
const gauss = gaussian(rand);

function randomSymmetric(n: number, density: number): DenseMatrix {
  const M = randomSparseDense(n, n, density, rand, gauss);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) M.data[j * n + i] = M.data[i * n + j];
  }
  return M;
}

function randomPermutation(n: number): Int32Array {
  const p = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

/** Upper triangle (i ≤ j) of a dense matrix, the rest zeroed. */
function denseUpper(M: DenseMatrix): DenseMatrix {
  const out = new Float64Array(M.data.length);
  for (let i = 0; i < M.rows; i++)
    for (let j = i; j < M.cols; j++) out[i * M.cols + j] = M.data[i * M.cols + j];
  return { ...M, data: out };
}

const shapes: [number, number, number][] = [
  [0, 0, 0.5],
  [1, 5, 0.5],
  [7, 3, 0.4],
  [20, 30, 0.1],
  [40, 25, 0.05],
];

describe('CSC storage', () => {
  it.each(shapes)('%i×%i dense → CSC → dense is exact, and agrees with cscToDense', (r, c, d) => {
    const M = randomSparseDense(r, c, d, rand, gauss);
    const A = cscFromDense(M);
    expect(cscDefect(A)).toBeUndefined();
    expect(Array.from(cscToDenseMatrix(A).data)).toEqual(Array.from(M.data));
    expect(Array.from(cscToDense(cscToMatrix(A)).data)).toEqual(Array.from(M.data));
    expect(A.indptr[c]).toBe(M.data.filter((v) => v !== 0).length);
  });

  it('canonicalizes unsorted columns and sums duplicates like cscToDense', () => {
    const raw: CscMatrix = {
      shape: [4, 3],
      indptr: [0, 4, 4, 7],
      indices: [3, 1, 3, 0, 2, 2, 0],
      data: [1, 2, 3, 4, 5, 6, 7],
    };
    expect(cscDefect(raw)).toMatch(/not sorted/);
    const A = cscFromMatrix(raw);
    expect(cscDefect(A)).toBeUndefined();
    expect(Array.from(A.indptr)).toEqual([0, 3, 3, 5]);
    expect(Array.from(A.indices)).toEqual([0, 1, 3, 0, 2]);
    expect(Array.from(cscToDenseMatrix(A).data)).toEqual(Array.from(cscToDense(raw).data));
  });

  it.each<[string, CscMatrix, RegExp]>([
    ['short indptr', { shape: [2, 2], indptr: [0, 1], indices: [0], data: [1] }, /length 2/],
    ['indptr[0]', { shape: [2, 1], indptr: [1, 1], indices: [], data: [] }, /indptr\[0\]/],
    [
      'decreasing indptr',
      { shape: [2, 2], indptr: [0, 2, 1], indices: [0], data: [1] },
      /indptr\[2\] = 1|decreases/,
    ],
    ['nnz', { shape: [2, 1], indptr: [0, 2], indices: [0], data: [1] }, /indptr\[1\] = 2/],
    ['range', { shape: [2, 1], indptr: [0, 1], indices: [2], data: [1] }, /outside/],
    ['negative', { shape: [2, 1], indptr: [0, 1], indices: [-1], data: [1] }, /outside/],
    ['duplicate', { shape: [2, 1], indptr: [0, 2], indices: [1, 1], data: [1, 1] }, /duplicate/],
    ['unsorted', { shape: [2, 1], indptr: [0, 2], indices: [1, 0], data: [1, 1] }, /not sorted/],
  ])('names the defect: %s', (_, A, message) => {
    expect(cscDefect(A, 'A')).toMatch(message);
    expect(() => cscCheck(A, 'A')).toThrow(CscFormatError);
  });

  it('cscFromMatrix rejects out-of-range indices rather than reading past arrays', () => {
    expect(() => cscFromMatrix({ shape: [2, 1], indptr: [0, 1], indices: [5], data: [1] })).toThrow(
      CscFormatError,
    );
  });
});

describe('CSC operations against dense references', () => {
  it.each(shapes)('%i×%i: transpose, products and norms', (r, c, d) => {
    const M = randomSparseDense(r, c, d, rand, gauss);
    const A = cscFromDense(M);
    const { T, map } = cscTransposeWithMap(A);
    expect(cscDefect(T)).toBeUndefined();
    expect(Array.from(cscToDenseMatrix(T).data)).toEqual(Array.from(transpose(M).data));
    expect(cscTranspose(A)).toEqual(T);
    for (let k = 0; k < map.length; k++) expect(T.data[map[k]]).toBe(A.data[k]);

    const x = Float64Array.from({ length: c }, gauss);
    const y = Float64Array.from({ length: r }, gauss);
    const near = (a: Float64Array, b: Float64Array) =>
      a.forEach((v, i) => expect(v).toBeCloseTo(b[i], 12));
    near(cscMatVec(A, x), matVec(M, x));
    near(cscMatTVec(A, y), matTVec(M, y));

    const colMax = new Float64Array(c);
    const rowMax = new Float64Array(r);
    for (let i = 0; i < r; i++) {
      for (let j = 0; j < c; j++) {
        const v = Math.abs(M.data[i * c + j]);
        colMax[j] = Math.max(colMax[j], v);
        rowMax[i] = Math.max(rowMax[i], v);
      }
    }
    expect(Array.from(cscColNormInf(A))).toEqual(Array.from(colMax));
    expect(Array.from(cscRowNormInf(A))).toEqual(Array.from(rowMax));
  });

  it.each([1, 5, 30, 60])('n = %i: upper triangle, symmetric product and norms', (n) => {
    const S = randomSymmetric(n, 0.15);
    const U = cscUpperTriangle(cscFromDense(S));
    expect(Array.from(cscToDenseMatrix(U).data)).toEqual(Array.from(denseUpper(S).data));
    expect(() => checkUpperTriangular(U)).not.toThrow();
    const x = Float64Array.from({ length: n }, gauss);
    const ref = matVec(S, x);
    cscSymMatVecUpper(U, x).forEach((v, i) => expect(v).toBeCloseTo(ref[i], 12));
    expect(Array.from(cscSymColNormInfUpper(U))).toEqual(
      Array.from(cscColNormInf(cscFromDense(S))),
    );
  });

  it.each([1, 6, 40])('n = %i: symmetric permutation of an upper triangle', (n) => {
    const S = randomSymmetric(n, 0.2);
    for (let i = 0; i < n; i++) S.data[i * n + i] = i + 1;
    const U = cscUpperTriangle(cscFromDense(S));
    const perm = randomPermutation(n);
    const { C, map } = cscSymPermUpper(U, perm);
    expect(cscDefect(C)).toBeUndefined();
    // Reference: S(perm, perm) densely, then its upper triangle.
    const SP = new Float64Array(n * n);
    for (let a = 0; a < n; a++)
      for (let b = 0; b < n; b++) SP[a * n + b] = S.data[perm[a] * n + perm[b]];
    expect(Array.from(cscToDenseMatrix(C).data)).toEqual(
      Array.from(denseUpper({ rows: n, cols: n, data: SP }).data),
    );
    for (let k = 0; k < map.length; k++) expect(C.data[map[k]]).toBe(U.data[k]);
  });

  it('refuses lower entries and non-permutations', () => {
    const L = cscFromDense({ rows: 2, cols: 2, data: Float64Array.from([1, 0, 1, 1]) });
    expect(() => checkUpperTriangular(L)).toThrow(/below the diagonal/);
    expect(() => invertPermutation([0, 0])).toThrow(/not a permutation/);
    expect(() => invertPermutation([0, 2])).toThrow(/not a permutation/);
    expect(Array.from(invertPermutation([2, 0, 1]))).toEqual([1, 2, 0]);
  });
});
