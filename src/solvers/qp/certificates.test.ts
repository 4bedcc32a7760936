/**
 * Certificates that mean what they say (certificates.ts): exact ones survive the refinement, the
 * approximate certificates of feasible problems near the edge of infeasibility do not, and a
 * strictly convex QP is never called unbounded. References: Farkas' lemma by hand, quadprog.
 */
import { describe, expect, it } from 'vitest';
import { makeProblem, solveQp } from './index';
import {
  confirmDualInfeasible,
  confirmPrimalInfeasible,
  CERT_RADIUS,
  xScale,
} from './certificates';
import { solveWithQuadprog } from './references';
import { matTVec, normInf } from '../linalg/dense';

const I2 = [
  [1, 0],
  [0, 1],
];

describe('primal infeasibility certificates', () => {
  it('parallel rows: the exact certificate (−1, 1) is found from a noisy one, at any scale', () => {
    for (const s of [1, 300, 1e4]) {
      const a = [s, 2 * s];
      const p = makeProblem({
        P: I2,
        q: [0, 0],
        A: [a, a],
        l: [5 * s, -Infinity],
        u: [5 * s, 4 * s],
      });
      // δy as an f32 iterate carries it: the right direction plus 10⁻⁷-relative noise.
      const noisy = Float64Array.of(-0.37 * (1 + 3e-7), 0.37 * (1 - 2e-7));
      const v = confirmPrimalInfeasible(p, noisy, 1e-4);
      expect(v, `scale ${s}`).not.toBeNull();
      expect(normInf(matTVec(p.A, v!))).toBeLessThan(1e-9 * s);
      expect(v![0] + v![1]).toBeCloseTo(0, 12);
    }
  });

  it('nearly parallel rows of a feasible problem: an approximate certificate is refused', () => {
    // x₁ + x₂ = 5, x₁ + (1 + 10⁻⁶)x₂ ≤ 4.99999: feasible, e.g. at (15, −10). OSQP's test accepts
    // v = (−1, 0.99993): ‖Aᵀv‖∞ = 7e-5 < 1e-4 and support −3.5e-4 < 0; it only rules out ‖x‖∞ < 2.5.
    const p = makeProblem({
      P: I2,
      q: [0, 0],
      A: [
        [1, 1],
        [1, 1 + 1e-6],
      ],
      l: [5, -Infinity],
      u: [5, 4.99999],
    });
    const v = Float64Array.of(-1, 0.99993);
    expect(normInf(matTVec(p.A, v))).toBeLessThan(1e-4);
    expect(confirmPrimalInfeasible(p, v, 1e-4)).toBeNull();
    const x = Float64Array.of(15, -10);
    expect(1 * x[0] + 1 * x[1]).toBeCloseTo(5, 12);
    expect(x[0] + (1 + 1e-6) * x[1]).toBeLessThanOrEqual(4.99999);
    // Solved tightly it is what quadprog says, and never 'primal_infeasible'.
    const r = solveQp(p, { eps_abs: 1e-9, eps_rel: 1e-9, max_iter: 200_000, polish: true });
    expect(r.status).not.toBe('primal_infeasible');
    if (r.status === 'solved') {
      const ref = solveWithQuadprog(p).x;
      expect(Math.abs(r.x[0] - ref[0]) + Math.abs(r.x[1] - ref[1])).toBeLessThan(1e-3);
    }
  });

  it("the radius a certificate must rule out grows with the problem's own x scale", () => {
    const p = makeProblem({ P: I2, q: [0, 0], A: [[2, 0]], l: [-Infinity], u: [6e3] });
    expect(xScale(p)).toBe(3e3);
    expect(CERT_RADIUS).toBeGreaterThanOrEqual(1e6);
  });
});

describe('dual infeasibility (unboundedness) certificates', () => {
  it('a strictly convex QP is never unbounded, even with ‖Pd‖ tiny along d', () => {
    // P ≻ 0 with condition 4e7: bounded, x* = (−10⁷, 10⁷). Along d = (−1, 1), ‖Pd‖∞ = 1e-7 passes
    // even the tightened ‖Pd‖ test (ε·10⁻² = 1e-6); the objective falls only 5e6 before it rises.
    const p = makeProblem({
      P: [
        [1, 1],
        [1, 1 + 1e-7],
      ],
      q: [0, -1],
      A: [[1, 0]],
      l: [-Infinity],
      u: [Infinity],
    });
    const d = Float64Array.of(-1, 1);
    expect(normInf(Float64Array.of(0, 1e-7))).toBeLessThan(1e-6);
    expect(confirmDualInfeasible(p, d, 1e-4)).toBeNull();
    const r = solveQp(p, { max_iter: 20_000 });
    expect(r.status).not.toBe('dual_infeasible');
  });

  it('an unbounded LP direction is confirmed', () => {
    const p = makeProblem({
      P: [
        [0, 0],
        [0, 0],
      ],
      q: [-1, -1],
      A: [
        [1, -1],
        [1, 0],
        [0, 1],
      ],
      l: [0, 0, 0],
      u: [0, Infinity, Infinity],
    });
    const d = confirmDualInfeasible(p, Float64Array.of(3, 3), 1e-4);
    expect(d).not.toBeNull();
    expect(Array.from(d!)).toEqual([1, 1]);
  });
});
