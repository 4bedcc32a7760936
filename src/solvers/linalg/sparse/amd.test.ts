import { describe, expect, it } from 'vitest';
import { gaussian, rng } from '../../qp/testutil';
import { amdOrder, type AmdInfo } from './amd';
import { cscFromDense, type Csc } from './csc';
import { SparseLdl } from './factor';
import { ldlSymbolic } from './ldl';
import { cscSymPermUpper, cscUpperTriangle, invertPermutation } from './ops';
import { gridLaplacian, randomSparseDense } from './testutil';

const rand = rng(11);
const gauss = gaussian(rand);

/** nnz(L) strictly below the diagonal when the upper triangle U is factored in the order perm. */
function fill(U: Csc, perm: ArrayLike<number>): number {
  return ldlSymbolic(cscSymPermUpper(U, perm).C).nnzL;
}

const natural = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

function expectPermutation(perm: Int32Array, n: number): void {
  expect(perm).toHaveLength(n);
  expect(() => invertPermutation(perm)).not.toThrow();
}

/** Upper triangle of a random symmetric pattern (with a diagonal). */
function randomPattern(n: number, density: number): Csc {
  const M = randomSparseDense(n, n, density, rand, gauss);
  for (let i = 0; i < n; i++) M.data[i * n + i] = 1;
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) M.data[j * n + i] = M.data[i * n + j];
  return cscUpperTriangle(cscFromDense(M));
}

describe('approximate minimum degree', () => {
  it.each([
    [0, 0.5],
    [1, 0.5],
    [2, 1],
    [50, 0.02],
    [120, 0.05],
    [200, 0.3],
  ])('n = %i, density %f: a valid permutation, no worse than the natural order', (n, d) => {
    const U = randomPattern(n, d);
    for (const aggressive of [true, false]) {
      const perm = amdOrder(U, { aggressive });
      expectPermutation(perm, n);
      // A heuristic: on a few thousand random patterns it lost to the natural order 8 times, by 1 entry.
      if (n > 0) expect(fill(U, perm)).toBeLessThanOrEqual(fill(U, natural(n)) + 1);
    }
  });

  it('reads upper, lower or full storage of the same pattern alike', () => {
    const U = randomPattern(80, 0.05);
    const M = randomSparseDense(80, 80, 0, rand, gauss);
    for (let j = 0; j < 80; j++)
      for (let k = U.indptr[j]; k < U.indptr[j + 1]; k++) {
        M.data[U.indices[k] * 80 + j] = 1;
        M.data[j * 80 + U.indices[k]] = 1;
      }
    const full = cscFromDense(M);
    expect(Array.from(amdOrder(full))).toEqual(Array.from(amdOrder(U)));
  });

  it('2-D grid 30×30: under 40% of the natural order fill', () => {
    const U = gridLaplacian([30, 30], 1);
    const perm = amdOrder(U);
    expectPermutation(perm, 900);
    const amd = fill(U, perm);
    const nat = fill(U, natural(900));
    // Banded natural order: about n·k = 26,100 entries; nested-dissection-like orders O(n log n).
    expect(nat).toBe(26129);
    expect(amd).toBeLessThan(0.4 * nat);
  });

  it('3-D grid 10×10×10: under half the natural order fill', () => {
    const U = gridLaplacian([10, 10, 10], 1);
    const perm = amdOrder(U);
    expectPermutation(perm, 1000);
    expect(fill(U, perm)).toBeLessThan(0.5 * fill(U, natural(1000)));
  });

  // A tree has a perfect elimination order (leaves first); minimum degree finds one.
  it.each([10, 100, 1000])('random tree of %i nodes: no fill at all', (n) => {
    const M = { rows: n, cols: n, data: new Float64Array(n * n) };
    for (let i = 0; i < n; i++) M.data[i * n + i] = 1;
    for (let i = 1; i < n; i++) {
      const p = Math.floor(rand() * i);
      M.data[p * n + i] = 1;
    }
    const U = cscFromDense(M);
    expect(fill(U, amdOrder(U))).toBe(n - 1);
  });

  it('arrow matrix: the dense row goes last, so L has no fill', () => {
    const n = 400;
    const M = { rows: n, cols: n, data: new Float64Array(n * n) };
    for (let i = 0; i < n; i++) {
      M.data[i * n + i] = 1;
      M.data[i] = 1; // row 0 couples to everything
    }
    const U = cscFromDense(M);
    expect(fill(U, natural(n))).toBe((n * (n - 1)) / 2);
    const info: AmdInfo = { denseRows: 0, compressions: 0, merges: 0 };
    const perm = amdOrder(U, {}, info);
    expect(info.denseRows).toBe(1);
    expect(perm[n - 1]).toBe(0);
    expect(fill(U, perm)).toBe(n - 1);
    // Without dense-row detection the degree alone also puts the hub last.
    const kept = amdOrder(U, { dense: -1 }, info);
    expect(info.denseRows).toBe(0);
    expect(fill(U, kept)).toBe(n - 1);
  });

  it('merges indistinguishable variables: a grid with 3 unknowns per node', () => {
    // Laplacian ⊗ ones(3, 3): the 3 unknowns of a node have equal neighbourhoods.
    const G = gridLaplacian([10, 10]);
    const n = 300;
    const M = { rows: n, cols: n, data: new Float64Array(n * n) };
    for (let j = 0; j < 100; j++)
      for (let k = G.indptr[j]; k < G.indptr[j + 1]; k++)
        for (let a = 0; a < 3; a++)
          for (let b = 0; b < 3; b++) {
            M.data[(3 * G.indices[k] + a) * n + 3 * j + b] = 1;
            M.data[(3 * j + b) * n + 3 * G.indices[k] + a] = 1;
          }
    const U = cscUpperTriangle(cscFromDense(M));
    const info: AmdInfo = { denseRows: 0, compressions: 0, merges: 0 };
    const perm = amdOrder(U, {}, info);
    expect(info.merges).toBeGreaterThan(100);
    // As good as the scalar grid's own order with each node blown up to its 3 unknowns.
    const scalar = amdOrder(G);
    const blown = Int32Array.from({ length: n }, (_, k) => 3 * scalar[Math.floor(k / 3)] + (k % 3));
    expect(fill(U, perm)).toBeLessThanOrEqual(1.05 * fill(U, blown));
    expect(fill(U, perm)).toBeLessThan(0.7 * fill(U, natural(n)));
  });

  it('SparseLdl uses AMD by default and an explicit permutation as given', () => {
    const U = gridLaplacian([12, 12], 1);
    expect(SparseLdl.analyze(U).nnzL).toBe(fill(U, amdOrder(U)));
    const rev = Int32Array.from({ length: 144 }, (_, i) => 143 - i);
    expect(Array.from(SparseLdl.analyze(U, { ordering: rev }).perm)).toEqual(Array.from(rev));
  });
});
