/**
 * The QP layer and its batched estimators against independent references: the one-problem
 * implementations of src/solvers/grad (LPGD, blackbox, SPO+, perturbed optimizer, each solving from
 * scratch at eps 1e-9), central finite differences of the solution map, and Algorithm 1 of
 * You Shall Pass written out literally.
 */
import { describe, expect, it } from 'vitest';
import { CpuEngine } from '../../cpu-engine';
import { solveQp } from '../../qp';
import type { QpProblem } from '../../qp/types';
import { lpgdBackward } from '../../grad/lpgd';
import { blackboxGradient, lpOracle, perturbedOptimizer, spoPlus } from '../../grad/linear';
import { algorithm1Update } from '../../grad/smoothed';
import { relError } from '../../grad/vec';
import { Rng } from '../../grad/rng';
import { portfolioDataset } from '../data/portfolio';
import { knapsackDataset } from '../data/knapsack';
import { sampleProblem } from '../data/dataset';
import { eye } from '../../linalg/dense';
import { QpLayer } from './layer';
import { blackboxDq, lpgdDq, perturbedSamples, spoPlusDq } from './estimators';

const cpu = new CpuEngine();
const engines = { engine: cpu, cpu };
const TIGHT = { eps_abs: 1e-9, eps_rel: 1e-9, polish: true, max_iter: 100_000 };

const portfolio = portfolioDataset({ assets: 8, samples: 30, lambda: 0.5, seed: 3 });
const knapsack = knapsackDataset({ items: 10, constraints: 6, samples: 30, seed: 4 });
const idx = Int32Array.from([0, 3, 7, 11, 19]);
const n = 8;

/** Predicted costs: the true ones, perturbed (seeded). */
function predicted(
  costs: Float64Array,
  width: number,
  ids: Int32Array,
  scale: number,
  seed: number,
) {
  const rng = new Rng(seed);
  const out = new Float64Array(ids.length * width);
  ids.forEach((i, r) => {
    for (let j = 0; j < width; j++)
      out[r * width + j] = costs[i * width + j] + scale * rng.normal();
  });
  return out;
}

/** Per-sample g: a seeded direction, not aligned with anything. */
function directions(B: number, width: number, seed: number): Float64Array[] {
  const rng = new Rng(seed);
  return Array.from({ length: B }, () => rng.normals(width));
}

describe('QP layer on the CPU engine', () => {
  it('solves each sample as solveQp does, warm-started from its own last solution', async () => {
    const layer = await QpLayer.create(engines, portfolio.structure, portfolio.size, null);
    const c = predicted(portfolio.costs, n, idx, 0.02, 1);
    const first = await layer.solve(idx, c);
    const again = await layer.solve(idx, c);
    first.forEach((r, k) => {
      const ref = solveQp({ ...portfolio.structure, q: c.subarray(k * n, (k + 1) * n) }, TIGHT);
      expect(r.status).toBe('solved');
      expect(relError(r.x, ref.x)).toBeLessThan(1e-8);
      // Started at its own solution, the second solve has nothing left to do.
      expect(again[k].iter).toBeLessThanOrEqual(r.iter);
    });
  });

  it('exact KKT through the handle equals central differences of gᵀx*(q)', async () => {
    const layer = await QpLayer.create(engines, portfolio.structure, portfolio.size, null);
    const c = predicted(portfolio.costs, n, idx, 0.05, 2);
    await layer.solve(idx, c);
    const g = directions(idx.length, n, 5);
    const out = await layer.backward(g, 'kkt');
    const h = 1e-6;
    idx.forEach((_, k) => {
      const o = out[k];
      expect(o.ok).toBe(true);
      if (!o.ok) return;
      const q = c.slice(k * n, (k + 1) * n);
      const fd = Float64Array.from({ length: n }, (_, j) => {
        const val = (s: number) => {
          const qq = q.slice();
          qq[j] += s * h;
          const x = solveQp({ ...portfolio.structure, q: qq }, TIGHT).x;
          return x.reduce((acc, v, t) => acc + v * g[k][t], 0);
        };
        return (val(1) - val(-1)) / (2 * h);
      });
      expect(relError(o.grads.dq, fd, 1e-6)).toBeLessThan(1e-5);
    });
  });

  it('smoothed QP on the QP approximation is Algorithm 1 (Δŵ = fₓ − f⁰), no equality rows', async () => {
    // Algorithm 1 smooths every binding row; with an equality row our smoothing keeps it exact
    // (App. B), so compare on the knapsack's rows (box and Wx ≤ b, all inequalities).
    const k = knapsack.structure.n;
    const approx: QpProblem = { ...knapsack.structure, P: eye(k), q: new Float64Array(k) };
    const layer = await QpLayer.create(engines, approx, knapsack.size, null);
    const w = predicted(new Float64Array(knapsack.size * k).fill(0.8), k, idx, 0.6, 7);
    const res = await layer.solve(
      idx,
      w.map((v) => -v),
    );
    const g = directions(idx.length, k, 8);
    const out = await layer.backward(g, 'smoothed-qp');
    let binding = 0;
    idx.forEach((_, r) => {
      const o = out[r];
      if (!o.ok) throw new Error(o.error);
      binding += res[r].active.filter((a) => a !== 'inactive').length;
      // Paper's ascent convention: fₓ = −g, and ∂ℓ/∂ŵ = −dq = −Δŵ.
      const { dw } = algorithm1Update(
        res[r].x,
        w.subarray(r * k, (r + 1) * k),
        g[r].map((v) => -v),
      );
      expect(relError(o.grads.dq, dw, 1e-9)).toBeLessThan(1e-6);
    });
    expect(binding).toBeGreaterThan(idx.length); // several rows bind: the smoothing is exercised
  });
});

describe('batched estimators equal their one-problem references', () => {
  it('LPGD lower, upper and average: dq of lpgdBackward', async () => {
    const layer = await QpLayer.create(engines, portfolio.structure, portfolio.size, null);
    const c = predicted(portfolio.costs, n, idx, 0.03, 3);
    const res = await layer.solve(idx, c);
    const g = directions(idx.length, n, 9);
    const tau = 0.05;
    for (const [kind, variant] of [
      ['lpgd', 'average'],
      ['lpgd-lower', 'lower'],
      ['lpgd-upper', 'upper'],
    ] as const) {
      const dq = await lpgdDq(layer, idx, c, res, g, tau, kind);
      idx.forEach((i, k) => {
        const p = sampleProblem(portfolio, i, c.slice(k * n, (k + 1) * n));
        const ref = lpgdBackward(p, res[k], g[k], variant, { tau }).dq;
        expect(dq[k]).not.toBeNull();
        expect(relError(dq[k]!, ref, 1e-8)).toBeLessThan(1e-6);
      });
    }
  });

  it('blackbox and SPO+ on the knapsack LP: blackboxGradient and spoPlus', async () => {
    const k = knapsack.structure.n;
    const layer = await QpLayer.create(engines, knapsack.structure, knapsack.size, null);
    const c = predicted(knapsack.costs, k, idx, 1, 4);
    const res = await layer.solve(idx, c);
    const g = directions(idx.length, k, 10);
    const oracle = lpOracle({
      A: knapsack.structure.A,
      l: knapsack.structure.l,
      u: knapsack.structure.u,
    });
    const bb = await blackboxDq(layer, idx, c, res, g, 2);
    const cTrue = Array.from(idx, (i) => knapsack.costs.slice(i * k, (i + 1) * k));
    const xTrue = cTrue.map((ct) => oracle(ct));
    const spo = await spoPlusDq(layer, idx, c, cTrue, xTrue, res);
    idx.forEach((_, r) => {
      const cr = c.slice(r * k, (r + 1) * k);
      expect(relError(bb[r]!, blackboxGradient(cr, g[r], 2, oracle), 1e-8)).toBeLessThan(1e-6);
      const ref = spoPlus(cr, cTrue[r], oracle, xTrue[r]);
      expect(spo[r]!.loss).toBeCloseTo(ref.loss, 6);
      expect(relError(spo[r]!.dq, ref.grad, 1e-8)).toBeLessThan(1e-6);
    });
  });

  it('perturbed optimizer: y_σ and Jᵀv of perturbedOptimizer with the same noise', async () => {
    const k = knapsack.structure.n;
    const layer = await QpLayer.create(engines, knapsack.structure, knapsack.size, null);
    const c = predicted(knapsack.costs, k, idx, 1, 6);
    const res = await layer.solve(idx, c);
    const seeds = Array.from(idx, (_, r) => 100 + r);
    const out = await perturbedSamples(layer, idx, c, res, 0.7, 4, seeds);
    const oracle = lpOracle({
      A: knapsack.structure.A,
      l: knapsack.structure.l,
      u: knapsack.structure.u,
    });
    const v = directions(1, k, 12)[0];
    idx.forEach((_, r) => {
      const ref = perturbedOptimizer(c.slice(r * k, (r + 1) * k), oracle, {
        sigma: 0.7,
        samples: 4,
        seed: seeds[r],
      });
      expect(relError(out[r]!.y, ref.y, 1e-9)).toBeLessThan(1e-6);
      expect(relError(out[r]!.vjp(v), ref.vjp(v), 1e-9)).toBeLessThan(1e-6);
    });
  });
});
