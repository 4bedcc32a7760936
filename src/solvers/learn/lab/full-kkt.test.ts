/** BPQP's "Exact" baseline (the full KKT system of Eq. 3 by LU) gives the reduced system's gradient. */
import { describe, expect, it } from 'vitest';
import { solveQp } from '../../qp';
import { kktBackward } from '../../grad/kkt';
import { relError } from '../../grad/vec';
import { Rng } from '../../grad/rng';
import { portfolioDataset } from '../data/portfolio';
import { knapsackDataset } from '../data/knapsack';
import { sampleProblem } from '../data/dataset';
import { fullKktDq, luSolve } from './full-kkt';

const TIGHT = { eps_abs: 1e-9, eps_rel: 1e-9, polish: true, max_iter: 100_000 };

describe('full KKT system of BPQP Eq. 3', () => {
  it('LU with partial pivoting solves a system that needs pivoting', () => {
    const M = Float64Array.from([0, 2, 1, 1, 1, 0, 3, 0, 1]);
    const x = luSolve(M.slice(), Float64Array.from([5, 3, 7]), 3);
    // Residual against the original matrix.
    for (let i = 0; i < 3; i++)
      expect(M[3 * i] * x[0] + M[3 * i + 1] * x[1] + M[3 * i + 2] * x[2]).toBeCloseTo(
        [5, 3, 7][i],
        12,
      );
  });

  it('equals exact KKT on portfolios (an equality row and bounds) and on a QP over the knapsack rows', () => {
    const rng = new Rng(4);
    const port = portfolioDataset({ assets: 12, samples: 10, lambda: 0.5, seed: 2 });
    const knap = knapsackDataset({ items: 10, constraints: 5, samples: 10, seed: 3 });
    for (const ds of [port, knap]) {
      for (let i = 0; i < 5; i++) {
        const base = sampleProblem(ds, i);
        // The knapsack is an LP: make it a QP (P = I) so that the gradient exists.
        const P =
          ds === knap
            ? { ...base.P, data: base.P.data.map((_, k) => (k % 11 === 0 ? 1 : 0)) }
            : base.P;
        const p = { ...base, P, q: base.q.map((v) => v + 0.1 * rng.normal()) };
        const res = solveQp(p, TIGHT);
        const g = rng.normals(p.n);
        const ref = kktBackward(p, res, g).dq;
        // At a vertex both are zero: compare on the scale of g (relError's floor).
        expect(relError(fullKktDq(p, res, g), ref, 1)).toBeLessThan(1e-9);
      }
    }
  });
});
