import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gaussian, loadMarosMeszaros, marosMeszarosNames, rng } from '../../qp/testutil';
import { matVec, maxAbs, normInf } from '../dense';
import { assembleKkt } from '../ldl';
import { factorLinSys } from '../linsys';
import { cscNnz, type Csc } from './csc';
import { SparseKktLinSys, assembleKktUpper } from './kkt';
import { FactorTooLargeError } from './ldl';
import { cscColNormInf, cscSymMatVecUpper, cscSymColNormInfUpper } from './ops';
import { loadSparseMaros, marosNames, type MarosSet, type SparseQp } from './testutil';

/** nnz(K) and nnz(L) of QDLDL + SuiteSparse AMD, from fixtures/qdldl-amd.py. */
const reference = JSON.parse(
  readFileSync(new URL('./fixtures/qdldl-amd.json', import.meta.url), 'utf8'),
) as {
  problems: Record<string, { set: MarosSet; n: number; m: number; nnzK: number; nnzL: number }>;
};

const gauss = gaussian(rng(5));

/** OSQP's ρ vector: 1e3·ρ on equality rows, ρ elsewhere (1e-6·ρ would be its loose rows). */
function rhoVector(l: Float64Array, u: Float64Array, rho: number): Float64Array {
  return Float64Array.from(l, (li, i) => (li === u[i] ? 1e3 * rho : rho));
}

/** ‖K v − b‖∞ / (‖K‖∞‖v‖∞ + ‖b‖∞) for K given by its upper triangle. */
function relResidual(K: Csc, v: Float64Array, b: Float64Array): number {
  const r = cscSymMatVecUpper(K, v).map((x, i) => x - b[i]);
  const normK = Math.max(...cscSymColNormInfUpper(K));
  return normInf(r) / (normK * normInf(v) + normInf(b));
}

describe('sparse KKT on the 12 small Maros–Meszaros problems', () => {
  it.each(marosMeszarosNames())('%s: solves as the dense KktLdlLinSys on the same data', (name) => {
    // Two loaders: the app's dense JSON reader for the reference, the CSC reader for the sparse.
    const dense = loadMarosMeszaros(name);
    const qp = loadSparseMaros('maros-meszaros', name);
    const rho = rhoVector(qp.l, qp.u, 0.1);
    const sys = SparseKktLinSys.create(qp.P, qp.A, 1e-6, rho);
    expect(sys.positivePivots).toBe(qp.n);
    const b = Float64Array.from({ length: qp.n + qp.m }, gauss);
    // [x̃; ν] has a residual at rounding level against K assembled densely from the app's data.
    const K = assembleKkt(
      dense.P,
      dense.A,
      1e-6,
      rho.map((r) => 1 / r),
    );
    const v = new Float64Array(b);
    sys.ldl.solve(v);
    const r = matVec(K, v).map((x, i) => x - b[i]);
    expect(normInf(r)).toBeLessThan(1e-13 * (maxAbs(K) * normInf(v) + normInf(b)));
    // The LinSys outputs [x̃; z̃] agree with the dense path's up to K's conditioning (σ = 1e-6).
    const ref = factorLinSys('kkt-ldl', dense.P, dense.A, 1e-6, rho);
    const x = new Float64Array(b);
    const y = new Float64Array(b);
    sys.solve(x);
    ref.solve(y);
    expect(normInf(x.map((v, i) => v - y[i]))).toBeLessThan(1e-5 * Math.max(1, normInf(y)));
  });
});

describe('AMD fill on Maros–Meszaros KKT matrices against QDLDL + SuiteSparse AMD', () => {
  const names = [...marosNames('maros-meszaros'), ...marosNames('maros-meszaros-benchmark')];

  it('covers all 44 problems', () => {
    expect(names).toHaveLength(44);
    expect(Object.keys(reference.problems).sort()).toEqual([...names].sort());
  });

  it('every problem: same nnz(K), nnz(L) within 10% of the reference, 2% on the geometric mean', () => {
    let logRatio = 0;
    for (const name of names) {
      const ref = reference.problems[name];
      const qp = loadSparseMaros(ref.set, name);
      const a = SparseKktLinSys.analyze(qp.P, qp.A);
      expect({ name, nnzK: a.nnzK }).toEqual({ name, nnzK: ref.nnzK });
      expect(a.nnzL, name).toBeLessThanOrEqual(1.1 * ref.nnzL + 2);
      logRatio += Math.log(a.nnzL / ref.nnzL);
    }
    expect(Math.exp(logRatio / names.length)).toBeLessThan(1.02);
  });

  it.each(['CVXQP1_M', 'QSHIP04S', 'CONT-050', 'STCQP1'])(
    '%s: AMD cuts nnz(L) at least fivefold from the natural order',
    (name) => {
      const qp = loadSparseMaros('maros-meszaros-benchmark', name);
      const amd = SparseKktLinSys.analyze(qp.P, qp.A).nnzL;
      const natural = SparseKktLinSys.analyze(qp.P, qp.A, { ordering: 'natural' }).nnzL;
      expect(amd * 5).toBeLessThan(natural);
    },
  );
});

describe('large Maros–Meszaros KKT systems factor and solve accurately', () => {
  const large = ['QSHIP04S', 'CVXQP1_M', 'CONT-050', 'AUG3DCQP', 'STCQP1', 'DTOC3', 'AUG2DC'];

  it.each(large)('%s: n positive pivots, tiny residual, before and after a ρ update', (name) => {
    const qp: SparseQp = loadSparseMaros('maros-meszaros-benchmark', name);
    let rho = rhoVector(qp.l, qp.u, 0.1);
    const sys = SparseKktLinSys.create(qp.P, qp.A, 1e-6, rho);
    expect(sys.positivePivots).toBe(qp.n);
    const b = Float64Array.from({ length: qp.n + qp.m }, gauss);
    for (const step of [0, 1]) {
      if (step === 1) {
        rho = rho.map((r) => 13 * r);
        sys.updateRho(rho);
        expect(sys.positivePivots).toBe(qp.n);
      }
      const { K } = assembleKktUpper(qp.P, qp.A, 1e-6, rho);
      expect(cscNnz(K)).toBe(sys.nnzK);
      const v = new Float64Array(b);
      sys.ldl.solve(v);
      expect(relResidual(K, v, b)).toBeLessThan(1e-13);
      // The LinSys mapping: z̃ = A x̃ (the second block of K v = b, rearranged).
      const out = new Float64Array(b);
      sys.solve(out);
      expect(normInf(out.subarray(0, qp.n).map((x, i) => x - v[i]))).toBe(0);
      const scale = Math.max(...cscColNormInf(qp.A), 1) * normInf(out.subarray(0, qp.n));
      const Ax = new Float64Array(qp.m);
      for (let j = 0; j < qp.n; j++)
        for (let k = qp.A.indptr[j]; k < qp.A.indptr[j + 1]; k++)
          Ax[qp.A.indices[k]] += qp.A.data[k] * out[j];
      expect(normInf(Ax.map((x, i) => x - out[qp.n + i]))).toBeLessThan(1e-9 * Math.max(1, scale));
    }
  });
});

describe('memory estimates before allocation', () => {
  it('AUG2DC: the natural order is refused early and cheaply, AMD fits in 256 MiB', () => {
    const qp = loadSparseMaros('maros-meszaros-benchmark', 'AUG2DC');
    const limit = 256 * 2 ** 20;
    const amd = SparseKktLinSys.analyze(qp.P, qp.A, { maxFactorBytes: limit });
    expect(amd.factorBytes).toBeLessThan(limit);
    // The natural order's L has 306,570,249 entries (3.4 GiB); the analysis stops past the limit.
    const t = performance.now();
    let error: unknown;
    try {
      SparseKktLinSys.analyze(qp.P, qp.A, { ordering: 'natural', maxFactorBytes: limit });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FactorTooLargeError);
    const e = error as FactorTooLargeError;
    expect(e.exact).toBe(false);
    expect(e.bytes).toBeGreaterThan(limit);
    expect(e.message).toMatch(/more than .* MiB .*over the limit of 256\.0 MiB/);
    expect(performance.now() - t).toBeLessThan(2000);
  });
});
