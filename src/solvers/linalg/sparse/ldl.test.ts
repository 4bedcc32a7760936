import { describe, expect, it } from 'vitest';
import type { DenseMatrix } from '../../qp/types';
import { gaussian, rng } from '../../qp/testutil';
import { choleskyFactor, isCholeskyFailure } from '../cholesky';
import { matVec } from '../dense';
import { ldlFactor, ldlInertia, ldlSolve } from '../ldl';
import { FactorizationError } from '../linsys';
import { cscFromDense, type Csc } from './csc';
import { SparseLdl } from './factor';
import { LdlNumeric, ldlNumericBytes, ldlSymbolic } from './ldl';
import { cscUpperTriangle } from './ops';
import { randomSparseDense } from './testutil';

const rand = rng(23);
const gauss = gaussian(rand);

function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return d / Math.max(s, 1e-300);
}

/** Symmetric positive definite BᵀB + shift·I with a sparse B. */
function sparseSpd(n: number, density: number, shift: number): DenseMatrix {
  const B = randomSparseDense(n, n, density, rand, gauss);
  const data = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let r = 0; r < n; r++) s += B.data[r * n + i] * B.data[r * n + j];
      data[i * n + j] = s;
    }
    data[i * n + i] += shift;
  }
  return { rows: n, cols: n, data };
}

/** Quasi-definite [[H, Bᵀ], [B, −G]], H SPD and G positive diagonal, all sparse; full storage. */
function quasiDefinite(nh: number, ng: number, density: number): DenseMatrix {
  const N = nh + ng;
  const H = sparseSpd(nh, density, 0.5);
  const B = randomSparseDense(ng, nh, density, rand, gauss);
  const data = new Float64Array(N * N);
  for (let i = 0; i < nh; i++) for (let j = 0; j < nh; j++) data[i * N + j] = H.data[i * nh + j];
  for (let r = 0; r < ng; r++) {
    for (let j = 0; j < nh; j++) {
      data[(nh + r) * N + j] = B.data[r * nh + j];
      data[j * N + nh + r] = B.data[r * nh + j];
    }
    data[(nh + r) * N + nh + r] = -(0.1 + rand());
  }
  return { rows: N, cols: N, data };
}

const upper = (M: DenseMatrix): Csc => cscUpperTriangle(cscFromDense(M));
const signsOf = (nh: number, ng: number) => [...Array(nh).fill(1), ...Array(ng).fill(-1)];

const cases: [number, number, number][] = [
  [1, 0, 1],
  [3, 2, 0.5],
  [12, 8, 0.2],
  [30, 40, 0.05],
  [60, 25, 0.08],
];

describe('sparse LDLᵀ: symbolic analysis', () => {
  it.each([
    [5, 0.4],
    [40, 0.06],
    [90, 0.03],
  ])('n = %i: elimination tree and column counts match a boolean elimination', (n, d) => {
    const M = randomSparseDense(n, n, d, rand, gauss);
    for (let i = 0; i < n; i++) M.data[i * n + i] = 1;
    // Boolean Gaussian elimination on the symmetric pattern (lower triangle).
    const pat = new Uint8Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < i; j++) pat[i * n + j] = M.data[i * n + j] || M.data[j * n + i] ? 1 : 0;
    for (let k = 0; k < n; k++)
      for (let i = k + 1; i < n; i++)
        if (pat[i * n + k]) for (let j = k + 1; j < i; j++) if (pat[j * n + k]) pat[i * n + j] = 1;
    const sym = M.data.map((v, idx) => v || M.data[(idx % n) * n + Math.floor(idx / n)]);
    const s = ldlSymbolic(upper({ rows: n, cols: n, data: sym }));
    for (let k = 0; k < n; k++) {
      let count = 0;
      let parent = -1;
      for (let i = n - 1; i > k; i--) {
        if (pat[i * n + k]) {
          count++;
          parent = i;
        }
      }
      expect(s.colCounts[k]).toBe(count);
      expect(s.etree[k]).toBe(parent);
    }
    expect(s.nnzL).toBe(pat.reduce((a, b) => a + b, 0));
    expect(ldlNumericBytes(s)).toBe(12 * s.nnzL + 40 * n);
  });

  it('rejects entries below the diagonal', () => {
    const full = cscFromDense({ rows: 2, cols: 2, data: Float64Array.from([1, 2, 2, 1]) });
    expect(() => ldlSymbolic(full)).toThrow(/below the diagonal/);
  });
});

describe('sparse LDLᵀ: numeric factorization against the dense references', () => {
  it.each(cases)(
    '%i + %i quasi-definite, natural order: L and D equal dense ldlFactor',
    (nh, ng, d) => {
      const K = quasiDefinite(nh, ng, d);
      const N = nh + ng;
      const U = upper(K);
      const num = new LdlNumeric(ldlSymbolic(U));
      num.factor(U, signsOf(nh, ng));
      const ref = ldlFactor(K);
      expect(relDiff(num.D, ref.d)).toBeLessThan(1e-12);
      expect(num.positive).toBe(nh);
      const Ldense = new Float64Array(N * N);
      const { Lp } = num.symbolic;
      for (let j = 0; j < N; j++)
        for (let p = Lp[j]; p < Lp[j + 1]; p++) Ldense[num.Li[p] * N + j] = num.Lx[p];
      expect(relDiff(Ldense, ref.L)).toBeLessThan(1e-11);
    },
  );

  it.each([5, 30, 80])(
    'n = %i positive definite: D and L are the Cholesky factor rescaled',
    (n) => {
      const M = sparseSpd(n, 0.08, 0.3);
      const U = upper(M);
      const num = new LdlNumeric(ldlSymbolic(U));
      num.factor(U);
      expect(num.positive).toBe(n);
      const c = choleskyFactor(M);
      if (isCholeskyFailure(c)) throw new Error('SPD matrix rejected by Cholesky');
      const { Lp } = num.symbolic;
      for (let j = 0; j < n; j++) {
        const ljj = c.L[j * n + j];
        expect(num.D[j]).toBeCloseTo(ljj * ljj, 10);
        for (let p = Lp[j]; p < Lp[j + 1]; p++)
          expect(num.Lx[p]).toBeCloseTo(c.L[num.Li[p] * n + j] / ljj, 10);
      }
    },
  );

  it.each(cases)('%i + %i with AMD: solves as the dense LDLᵀ does', (nh, ng, d) => {
    const K = quasiDefinite(nh, ng, d);
    const ldl = SparseLdl.analyze(upper(K));
    expect(ldl.factor(signsOf(nh, ng))).toBe(nh);
    const b = Float64Array.from({ length: nh + ng }, gauss);
    const x = new Float64Array(b);
    ldl.solve(x);
    expect(relDiff(x, ldlSolve(ldlFactor(K), new Float64Array(b)))).toBeLessThan(1e-10);
    expect(relDiff(matVec(K, x), b)).toBeLessThan(1e-12);
  });
});

describe('sparse LDLᵀ: refactoring with the same analysis', () => {
  it('new values in the same pattern give what a fresh analysis gives, and the dense answer', () => {
    const [nh, ng] = [40, 30];
    const K = quasiDefinite(nh, ng, 0.08);
    const N = nh + ng;
    const U = upper(K);
    const ldl = SparseLdl.analyze(U);
    ldl.factor(signsOf(nh, ng));
    // As a ρ update: new −G diagonal; also rescale the H block.
    const K2 = { ...K, data: new Float64Array(K.data) };
    for (let r = 0; r < ng; r++) K2.data[(nh + r) * N + nh + r] *= 3 + rand();
    for (let i = 0; i < nh; i++) for (let j = 0; j < nh; j++) K2.data[i * N + j] *= 2;
    const U2 = upper(K2);
    expect(Array.from(U2.indices)).toEqual(Array.from(U.indices));
    ldl.setValues(U2.data);
    expect(ldl.factor(signsOf(nh, ng))).toBe(nh);
    const fresh = SparseLdl.analyze(U2);
    fresh.factor(signsOf(nh, ng));
    const b = Float64Array.from({ length: N }, gauss);
    const x = new Float64Array(b);
    const y = new Float64Array(b);
    ldl.solve(x);
    fresh.solve(y);
    expect(Array.from(x)).toEqual(Array.from(y));
    expect(relDiff(x, ldlSolve(ldlFactor(K2), new Float64Array(b)))).toBeLessThan(1e-10);
  });
});

describe('sparse LDLᵀ: matrices that are not quasi-definite', () => {
  it('a wrong-sign pivot throws FactorizationError when signs are given', () => {
    const [nh, ng] = [10, 6];
    const K = quasiDefinite(nh, ng, 0.3);
    // Make H indefinite: a negative diagonal entry far larger than the rest of its row.
    K.data[3 * (nh + ng) + 3] = -100;
    const ldl = SparseLdl.analyze(upper(K), { ordering: 'natural' });
    expect(() => ldl.factor(signsOf(nh, ng))).toThrow(FactorizationError);
    expect(() => ldl.factor(signsOf(nh, ng))).toThrow(/pivot 3 .*expected positive/);
    expect(ldl.factored).toBe(false);
    expect(() => ldl.solve(new Float64Array(nh + ng))).toThrow(/successful factor/);
    // Without signs it factors and reports the inertia, as Sylvester's law gives it densely.
    ldl.factor();
    expect(ldl.positivePivots).toBe(ldlInertia(ldlFactor(K)).positive);
    expect(ldl.positivePivots).toBeLessThan(nh);
  });

  it('a zero pivot throws FactorizationError, and a later good factorization is unharmed', () => {
    // [[0, 1], [1, 0]] with its zero diagonal stored.
    const U = cscUpperTriangle(
      cscFromDense({ rows: 2, cols: 2, data: Float64Array.from([0, 1, 1, 0]) }, true),
    );
    const ldl = SparseLdl.analyze(U, { ordering: 'natural' });
    expect(() => ldl.factor()).toThrow(FactorizationError);
    expect(() => ldl.factor()).toThrow(/pivot 0 is 0/);
    // Same pattern, quasi-definite values: [[2, 1], [1, −3]] (upper entries (0,0), (0,1), (1,1)).
    const good = new Float64Array([2, 1, 1, -3]);
    ldl.setValues([2, 1, -3]);
    expect(ldl.factor([1, -1])).toBe(1);
    const x = new Float64Array([1, 2]);
    ldl.solve(x);
    expect(relDiff(matVec({ rows: 2, cols: 2, data: good }, x), [1, 2])).toBeLessThan(1e-15);
  });
});
