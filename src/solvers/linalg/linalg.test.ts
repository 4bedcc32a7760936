import { describe, expect, it } from 'vitest';
import type { DenseMatrix } from '../qp/types';
import {
  asymmetry,
  eye,
  fromRows,
  isSymmetric,
  matMul,
  matTVec,
  matVec,
  transpose,
  zeros,
} from './dense';
import { choleskyFactor, choleskySolve, isCholeskyFailure } from './cholesky';
import { assembleKkt, ldlFactor, ldlInertia, ldlSolve } from './ldl';
import { symmetricEigenvalues, testPositiveSemidefinite } from './eigen';
import { factorLinSys } from './linsys';
import { gaussian, rng } from '../qp/testutil';

function randomMatrix(rows: number, cols: number, g: () => number): DenseMatrix {
  const M = zeros(rows, cols);
  for (let k = 0; k < M.data.length; k++) M.data[k] = g();
  return M;
}

/** BᵀB + shift·I: symmetric positive definite for shift > 0. */
function randomSpd(n: number, g: () => number, shift = 0.1): DenseMatrix {
  const B = randomMatrix(n, n, g);
  const M = matMul(transpose(B), B);
  for (let i = 0; i < n; i++) M.data[i * n + i] += shift;
  return M;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

describe('dense helpers', () => {
  it('matMul, transpose and matVec agree with hand computation', () => {
    const A = fromRows([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const B = fromRows([
      [1, 0],
      [0, 1],
      [1, 1],
    ]);
    expect(Array.from(matMul(A, B).data)).toEqual([4, 5, 10, 11]);
    expect(Array.from(transpose(A).data)).toEqual([1, 4, 2, 5, 3, 6]);
    expect(Array.from(matVec(A, [1, 1, 1]))).toEqual([6, 15]);
    expect(Array.from(matTVec(A, [1, -1]))).toEqual([-3, -3, -3]);
  });

  it('symmetry check is relative', () => {
    const S = fromRows([
      [1e6, 2e6],
      [2e6 + 1e-5, 3e6],
    ]);
    expect(isSymmetric(S)).toBe(true);
    const N = fromRows([
      [1, 2],
      [2.1, 3],
    ]);
    expect(isSymmetric(N)).toBe(false);
    expect(asymmetry(N)).toBeCloseTo(0.1 / 3, 12);
  });
});

describe('Cholesky', () => {
  it('solves random SPD systems (multiply back)', () => {
    const g = gaussian(rng(1));
    for (const n of [1, 2, 5, 17, 40]) {
      const M = randomSpd(n, g);
      const f = choleskyFactor(M);
      if (isCholeskyFailure(f)) throw new Error('SPD matrix rejected');
      const b = Float64Array.from({ length: n }, g);
      const x = choleskySolve(f, new Float64Array(b));
      expect(maxDiff(matVec(M, x), b)).toBeLessThan(1e-9);
    }
  });

  it('reports the failing pivot of an indefinite matrix', () => {
    const f = choleskyFactor(
      fromRows([
        [1, 2],
        [2, 1],
      ]),
    );
    expect(isCholeskyFailure(f)).toBe(true);
    if (isCholeskyFailure(f)) {
      expect(f.index).toBe(1);
      expect(f.pivot).toBeCloseTo(-3, 12);
    }
  });
});

describe('LDLᵀ of quasi-definite KKT matrices', () => {
  it('solves [[P+σI, Aᵀ],[A, −δI]] and has inertia (n, m)', () => {
    const g = gaussian(rng(2));
    for (const [n, m] of [
      [3, 2],
      [8, 12],
      [20, 5],
    ]) {
      const P = randomSpd(n, g, 0);
      const A = randomMatrix(m, n, g);
      const K = assembleKkt(P, A, 1e-6, new Float64Array(m).fill(1e-3));
      const f = ldlFactor(K);
      expect(ldlInertia(f)).toEqual({ positive: n, negative: m, zero: 0 });
      const b = Float64Array.from({ length: n + m }, g);
      const x = ldlSolve(f, new Float64Array(b));
      expect(maxDiff(matVec(K, x), b)).toBeLessThan(
        1e-8 * Math.max(1, Math.max(...x.map(Math.abs))),
      );
    }
  });

  it('rejects a singular matrix with a clear message', () => {
    expect(() =>
      ldlFactor(
        fromRows([
          [0, 1],
          [1, 0],
        ]),
      ),
    ).toThrow(/pivot 0/);
  });
});

describe('eigenvalues and PSD test', () => {
  it('Jacobi eigenvalues of a matrix with known spectrum', () => {
    // Q diag(λ) Qᵀ with Q a Householder reflection I − 2vvᵀ/vᵀv.
    const lam = [-2, 0.5, 1, 3, 7];
    const v = [1, -2, 0.5, 3, 1];
    const vv = v.reduce((s, t) => s + t * t, 0);
    const Q = eye(5);
    for (let i = 0; i < 5; i++)
      for (let j = 0; j < 5; j++) Q.data[i * 5 + j] -= (2 * v[i] * v[j]) / vv;
    const L = zeros(5, 5);
    lam.forEach((l, i) => (L.data[i * 5 + i] = l));
    const M = matMul(matMul(Q, L), transpose(Q));
    expect(maxDiff(symmetricEigenvalues(M), lam)).toBeLessThan(1e-10);
  });

  it('accepts PSD (even singular, rounded) matrices and rejects indefinite ones', () => {
    const g = gaussian(rng(3));
    const B = randomMatrix(3, 8, g); // rank 3: BᵀB is 8×8 PSD and singular
    const P = matMul(transpose(B), B);
    expect(testPositiveSemidefinite(P).psd).toBe(true);
    expect(testPositiveSemidefinite(zeros(4, 4)).psd).toBe(true);
    const N = fromRows([
      [1, 0],
      [0, -1e-3],
    ]);
    const t = testPositiveSemidefinite(N);
    expect(t.psd).toBe(false);
    expect(t.minEigenvalue).toBeCloseTo(-1e-3, 12);
  });
});

describe('linear-system table', () => {
  it('reduced Cholesky and KKT LDLᵀ give the same (x̃, z̃) and follow updateRho', () => {
    const g = gaussian(rng(4));
    const n = 7;
    const m = 9;
    const P = randomSpd(n, g, 0);
    const A = randomMatrix(m, n, g);
    const rho = Float64Array.from({ length: m }, (_, i) => (i % 3 === 0 ? 100 : 0.1));
    const red = factorLinSys('reduced-cholesky', P, A, 1e-6, rho);
    const kkt = factorLinSys('kkt-ldl', P, A, 1e-6, rho);
    const check = (r: Float64Array) => {
      const b = Float64Array.from({ length: n + m }, g);
      const b1 = new Float64Array(b);
      const b2 = new Float64Array(b);
      red.solve(b1);
      kkt.solve(b2);
      expect(maxDiff(b1, b2)).toBeLessThan(1e-8);
      // Independent check of the reduced equation (P + σI + Aᵀ diag(ρ) A) x̃ = b_x + Aᵀ ρ b_z.
      const x = b1.subarray(0, n);
      const lhs = matVec(P, x);
      const Ax = matVec(A, x);
      const At = matTVec(
        A,
        Ax.map((v, i) => r[i] * v),
      );
      const rhs = matTVec(
        A,
        b.subarray(n).map((v, i) => r[i] * v),
      );
      for (let j = 0; j < n; j++)
        expect(lhs[j] + 1e-6 * x[j] + At[j]).toBeCloseTo(b[j] + rhs[j], 8);
      expect(maxDiff(b1.subarray(n), Ax)).toBeLessThan(1e-10);
    };
    check(rho);
    const rho2 = rho.map((v) => v * 7);
    red.updateRho(rho2);
    kkt.updateRho(rho2);
    check(rho2);
  });
});
