import { describe, expect, it } from 'vitest';
import type { DenseMatrix } from '../../qp/types';
import { gaussian, rng } from '../../qp/testutil';
import { matVec, maxAbs, normInf } from '../dense';
import { assembleKkt } from '../ldl';
import { FactorizationError, factorLinSys, type LinSys } from '../linsys';
import { cscFromDense, cscNnz, cscToDenseMatrix, type Csc } from './csc';
import { SparseKktLinSys, assembleKktUpper } from './kkt';
import { FactorTooLargeError } from './ldl';
import { cscUpperTriangle } from './ops';
import { randomSparseDense } from './testutil';

const rand = rng(31);
const gauss = gaussian(rand);

interface RandomQp {
  n: number;
  m: number;
  /** Full symmetric P and A, dense, for the dense reference. */
  Pd: DenseMatrix;
  Ad: DenseMatrix;
  /** Upper triangle of P and A, sparse. */
  P: Csc;
  A: Csc;
}

/** P = BᵀB with B k×n sparse (so P is PSD, singular when k < n), A sparse; some diagonal gaps. */
function randomQp(n: number, m: number, density: number, rank = n): RandomQp {
  const B = randomSparseDense(rank, n, density, rand, gauss);
  const Pd: DenseMatrix = { rows: n, cols: n, data: new Float64Array(n * n) };
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let r = 0; r < rank; r++) s += B.data[r * n + i] * B.data[r * n + j];
      Pd.data[i * n + j] = s;
    }
  const Ad = randomSparseDense(m, n, density, rand, gauss);
  return { n, m, Pd, Ad, P: cscUpperTriangle(cscFromDense(Pd)), A: cscFromDense(Ad) };
}

/** OSQP's ρ vector: ρ on inequality rows, 1e3·ρ on equality rows (here every third). */
function rhoVector(m: number, rho: number): Float64Array {
  return Float64Array.from({ length: m }, (_, i) => (i % 3 === 0 ? 1e3 * rho : rho));
}

function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return d / Math.max(s, 1e-300);
}

function solveWith(sys: LinSys, b: Float64Array): Float64Array {
  const x = new Float64Array(b);
  sys.solve(x);
  return x;
}

const sizes: [number, number, number, number][] = [
  [1, 1, 1, 1],
  [5, 3, 0.6, 5],
  [20, 30, 0.15, 8],
  [40, 25, 0.1, 40],
  [60, 90, 0.05, 20],
];
const SIGMA = 1e-6;

describe('sparse KKT assembly', () => {
  it.each(sizes)('n = %i, m = %i: the upper triangle of the dense assembleKkt', (n, m, d, k) => {
    const qp = randomQp(n, m, d, k);
    const rho = rhoVector(m, 0.1);
    const { K, pPos, aPos, sigmaPos, rhoPos } = assembleKktUpper(qp.P, qp.A, SIGMA, rho);
    const dense = assembleKkt(
      qp.Pd,
      qp.Ad,
      SIGMA,
      rho.map((r) => 1 / r),
    );
    const N = n + m;
    const upper = new Float64Array(N * N);
    for (let i = 0; i < N; i++)
      for (let j = i; j < N; j++) upper[i * N + j] = dense.data[i * N + j];
    expect(relDiff(cscToDenseMatrix(K).data, upper)).toBeLessThan(1e-15);
    // Every value has its own slot: P, A, σ-diagonal and ρ positions cover K exactly once.
    const slots = new Int32Array(cscNnz(K));
    const offDiagP = pPos.filter((q) => !sigmaPos.includes(q));
    for (const q of [...offDiagP, ...aPos, ...sigmaPos, ...rhoPos]) slots[q]++;
    expect(slots.every((c) => c === 1)).toBe(true);
  });
});

describe('SparseKktLinSys against the dense KktLdlLinSys', () => {
  it.each(sizes)('n = %i, m = %i: solve, updateRho, updateMatrices', (n, m, d, k) => {
    const qp = randomQp(n, m, d, k);
    const b = Float64Array.from({ length: n + m }, gauss);
    /**
     * The sparse and dense solves agree to what K's conditioning allows (σ = 1e-6 and a singular P
     * make it large), and the sparse [x̃; ν] (before z̃ is formed) has a small residual against the dense K.
     */
    const check = (sys: SparseKktLinSys, P: DenseMatrix, A: DenseMatrix, rho: Float64Array) => {
      const x = solveWith(sys, b);
      expect(relDiff(x, solveWith(factorLinSys('kkt-ldl', P, A, SIGMA, rho), b))).toBeLessThan(
        1e-6,
      );
      const K = assembleKkt(
        P,
        A,
        SIGMA,
        rho.map((r) => 1 / r),
      );
      const xnu = new Float64Array(b);
      sys.ldl.solve(xnu);
      const r = matVec(K, xnu).map((v, i) => v - b[i]);
      // LDLᵀ without pivoting is backward stable on quasi-definite K up to a growth factor that
      // σ = 1e-6 and ρ = 3.7e3 inflate: 1e-12 relative is reached here, 1e-10 leaves a margin.
      expect(normInf(r)).toBeLessThan(1e-10 * (maxAbs(K) * normInf(xnu) + normInf(b)));
    };
    let rho = rhoVector(m, 0.1);
    const sys = SparseKktLinSys.create(qp.P, qp.A, SIGMA, rho);
    expect(sys.positivePivots).toBe(n);
    expect(sys.kind).toBe('kkt-ldl');
    check(sys, qp.Pd, qp.Ad, rho);
    // The reduced Cholesky path eliminates ν instead: a second, independent reference.
    const reduced = factorLinSys('reduced-cholesky', qp.Pd, qp.Ad, SIGMA, rho);
    expect(relDiff(solveWith(sys, b), solveWith(reduced, b))).toBeLessThan(1e-6);

    rho = rhoVector(m, 3.7);
    sys.updateRho(rho);
    check(sys, qp.Pd, qp.Ad, rho);

    // New P and A values in the same patterns (P stays PSD: scaled by a positive factor).
    const Px = qp.P.data.map((v) => 2.5 * v);
    const Ax = qp.A.data.map((v) => v * (0.5 + rand()));
    sys.updateMatrices(Px, Ax);
    const A2 = { ...qp.Ad, data: new Float64Array(qp.Ad.data.length) };
    for (let j = 0; j < n; j++)
      for (let t = qp.A.indptr[j]; t < qp.A.indptr[j + 1]; t++)
        A2.data[qp.A.indices[t] * n + j] = Ax[t];
    const P2 = { ...qp.Pd, data: qp.Pd.data.map((v) => 2.5 * v) };
    check(sys, P2, A2, rho);
    // Only P, then only A (the other keeps its last values).
    sys.updateMatrices(qp.P.data);
    check(sys, qp.Pd, A2, rho);
    sys.updateMatrices(undefined, qp.A.data);
    check(sys, qp.Pd, qp.Ad, rho);
  });

  it('z̃ = A x̃ holds for the solved system, as in the dense semantics', () => {
    const qp = randomQp(30, 45, 0.1, 10);
    const sys = SparseKktLinSys.create(qp.P, qp.A, SIGMA, rhoVector(45, 0.1));
    const x = solveWith(sys, Float64Array.from({ length: 75 }, gauss));
    for (let i = 0; i < 45; i++) {
      let ax = 0;
      for (let j = 0; j < 30; j++) ax += qp.Ad.data[i * 30 + j] * x[j];
      expect(x[30 + i]).toBeCloseTo(ax, 9);
    }
  });

  it('the same analysis serves AMD and natural orders alike', () => {
    const qp = randomQp(50, 70, 0.06, 50);
    const rho = rhoVector(70, 0.1);
    const b = Float64Array.from({ length: 120 }, gauss);
    const amd = SparseKktLinSys.create(qp.P, qp.A, SIGMA, rho);
    const nat = SparseKktLinSys.create(qp.P, qp.A, SIGMA, rho, { ordering: 'natural' });
    expect(relDiff(solveWith(amd, b), solveWith(nat, b))).toBeLessThan(1e-8);
    expect(amd.nnzL).toBeLessThan(nat.nnzL);
    const estimate = SparseKktLinSys.analyze(qp.P, qp.A);
    expect(estimate).toMatchObject({ n: 50, m: 70, nnzK: amd.nnzK, nnzL: amd.nnzL });
    expect(estimate.factorBytes).toBe(amd.ldl.factorBytes);
  });
});

describe('SparseKktLinSys refusals', () => {
  it('a P that is not PSD throws FactorizationError', () => {
    const qp = randomQp(10, 6, 0.4);
    const P = cscUpperTriangle(
      cscFromDense({ rows: 10, cols: 10, data: qp.Pd.data.map((v, k) => (k === 0 ? -50 : v)) }),
    );
    expect(() => SparseKktLinSys.create(P, qp.A, SIGMA, rhoVector(6, 0.1))).toThrow(
      FactorizationError,
    );
  });

  it('a factor over the memory limit is refused before it is allocated', () => {
    const qp = randomQp(40, 40, 0.2);
    const { factorBytes } = SparseKktLinSys.analyze(qp.P, qp.A);
    const rho = rhoVector(40, 0.1);
    expect(() =>
      SparseKktLinSys.create(qp.P, qp.A, SIGMA, rho, { maxFactorBytes: factorBytes - 1 }),
    ).toThrow(FactorTooLargeError);
    expect(() =>
      SparseKktLinSys.create(qp.P, qp.A, SIGMA, rho, { maxFactorBytes: factorBytes }),
    ).not.toThrow();
  });

  it('rejects a full (not upper) P, mismatched shapes and wrong value counts', () => {
    const qp = randomQp(6, 4, 0.8);
    const rho = rhoVector(4, 0.1);
    expect(() => SparseKktLinSys.create(cscFromDense(qp.Pd), qp.A, SIGMA, rho)).toThrow(
      /below the diagonal/,
    );
    const wide = cscFromDense(randomSparseDense(4, 7, 0.5, rand, gauss));
    expect(() => SparseKktLinSys.create(qp.P, wide, SIGMA, rho)).toThrow(/columns/);
    expect(() => SparseKktLinSys.create(qp.P, qp.A, SIGMA, rho.subarray(1))).toThrow(/rhoVec/);
    const sys = SparseKktLinSys.create(qp.P, qp.A, SIGMA, rho);
    expect(() => sys.updateMatrices([1])).toThrow(/Px/);
    expect(() => sys.updateRho([1])).toThrow(/rhoVec/);
  });
});
