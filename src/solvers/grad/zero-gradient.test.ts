import { describe, expect, it } from 'vitest';
import type { QpProblem } from '../qp/types';
import { eye, zeros } from '../linalg/dense';
import { knownQp, quadprogSolve } from './testing';
import { kktBackward } from './kkt';
import { solutionJacobian } from './jacobian';
import { activeNormalSpan, zeroGradientReport } from './zero-gradient';
import { leftNullSpace, projectOntoSpan } from './subspace';
import {
  algorithm1Update,
  projectionDistanceRegularizer,
  qpApproximation,
  smoothedQpBackward,
  smoothedQpJacobian,
  type FeasibleSet,
} from './smoothed';
import { Rng } from './rng';
import { norm2, relError } from './vec';

describe('Lemma 3.7: N(x̂) lies in the left null space of ∂x*/∂q', () => {
  it.each([61, 62, 63])('seed %i (and with P ≻ 0 the two spaces coincide)', (seed) => {
    const { problem, result } = knownQp(seed, {
      n: 6,
      roles: ['equality', 'upper', 'lower', 'inactive', 'upper', 'inactive'],
    });
    const N = activeNormalSpan(problem, result);
    expect(N.length).toBe(4);
    const left = leftNullSpace(solutionJacobian(problem, result).dq);
    expect(left.length).toBe(N.length);
    for (const v of N) expect(relError(projectOntoSpan(left, v), v)).toBeLessThan(1e-8);
  });
});

describe('zero-gradient detector', () => {
  const { problem, result } = knownQp(64, {
    n: 5,
    roles: ['upper', 'lower', 'equality', 'inactive'],
  });
  const N = activeNormalSpan(problem, result);

  it('a loss gradient inside N(x̂) is lost entirely and the backward pass returns zero (Theorem 3.8)', () => {
    const g = N[0].map((v, j) => 2 * v - 0.5 * N[2][j]);
    const report = zeroGradientReport(problem, result, g);
    expect(report.zeroGradient).toBe(true);
    expect(report.lostFraction).toBeCloseTo(1, 12);
    expect(norm2(kktBackward(problem, result, g).dq)).toBeLessThan(1e-12 * norm2(g));
  });

  it('a random gradient: lost part = projection onto the normals; the rest passes', () => {
    const g = new Rng(5).normals(5);
    const report = zeroGradientReport(problem, result, g);
    expect(report.dimN).toBe(3);
    expect(report.zeroGradient).toBe(false);
    expect(report.lostNorm ** 2 + report.passedNorm ** 2).toBeCloseTo(report.gradNorm ** 2, 10);
    expect(report.lostFraction).toBeGreaterThan(0);
    expect(report.lostFraction).toBeLessThan(1);
  });
});

/** A random polytope around the origin: 2n random half-spaces plus a box, all with the origin inside. */
function polytope(seed: number, n: number): FeasibleSet {
  const rng = new Rng(seed);
  const m = 3 * n;
  const A = zeros(m, n);
  for (let k = 0; k < 2 * n * n; k++) A.data[k] = rng.normal();
  for (let i = 0; i < n; i++) A.data[(2 * n + i) * n + i] = 1;
  const l = new Float64Array(m).fill(-Infinity);
  const u = new Float64Array(m);
  for (let i = 0; i < m; i++) u[i] = 0.5 + rng.uniform();
  for (let i = 2 * n; i < m; i++) l[i] = -u[i];
  return { A, l, u };
}

const asProblem = (w: ArrayLike<number>, C: FeasibleSet): QpProblem => ({
  n: w.length,
  m: C.A.rows,
  P: eye(w.length),
  q: Float64Array.from(w, (v) => -v),
  r: 0,
  A: C.A,
  l: C.l,
  u: C.u,
});

describe('QP approximation and local smoothing', () => {
  it('x_QP(ŵ) is the Euclidean projection onto C (engine vs quadprog)', () => {
    const C = polytope(70, 4);
    const w = Float64Array.from([3, -2, 1, 2]);
    const { result } = qpApproximation(w, C);
    expect(relError(result.x, quadprogSolve(asProblem(w, C)).x)).toBeLessThan(1e-7);
  });

  it('Property 3.11: the smoothed Jacobian ∂x_r/∂ŵ is I − n̂n̂ᵀ with n̂ ∝ ŵ − x̂, and equals Algorithm 1', () => {
    const C = polytope(71, 4);
    const w = Float64Array.from([4, 3, -2, 1]);
    const { problem, result } = qpApproximation(w, C);
    expect(activeNormalSpan(problem, result).length).toBeGreaterThanOrEqual(2);
    const d = w.map((v, j) => v - result.x[j]);
    const nd = norm2(d);
    const Jq = smoothedQpJacobian(problem, result);
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        expect(-Jq.data[i * 4 + j]).toBeCloseTo((i === j ? 1 : 0) - (d[i] * d[j]) / (nd * nd), 6);
      }
    }
    const fx = Float64Array.from([1, -2, 0.5, 1]);
    const viaBackward = smoothedQpBackward(
      problem,
      result,
      fx.map((v) => -v),
    ).dq; // ℓ = −f
    expect(relError(viaBackward, algorithm1Update(result.x, w, fx).dw)).toBeLessThan(1e-6);
  });

  it('Theorem 3.12: the smoothed update never decreases the true objective to first order (random instances)', () => {
    const rng = new Rng(72);
    let strictlyBetter = 0;
    for (let trial = 0; trial < 20; trial++) {
      const n = 3 + (trial % 3);
      const C = polytope(100 + trial, n);
      const w = rng.normals(n).map((v) => 3 * v);
      const problem = asProblem(w, C);
      const x = quadprogSolve(problem).x;
      const { result } = qpApproximation(w, C);
      // True objective f(x) = cᵀx − ½λ‖x‖² (concave), f_x = c − λx̂.
      const c = rng.normals(n);
      const lambda = rng.uniform();
      const f = (z: ArrayLike<number>) =>
        c.reduce((s, ci, j) => s + ci * z[j] - 0.5 * lambda * z[j] * z[j], 0);
      const fx = c.map((ci, j) => ci - lambda * result.x[j]);
      const dw = smoothedQpBackward(
        problem,
        result,
        fx.map((v) => -v),
      ).dq;
      // First order with the exact QP Jacobian ∂x/∂ŵ = −∂x/∂q: f_xᵀ J Δŵ ≥ 0.
      const Jq = solutionJacobian(problem, result).dq;
      let firstOrder = 0;
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) firstOrder -= fx[i] * Jq.data[i * n + j] * dw[j];
      expect(firstOrder).toBeGreaterThanOrEqual(-1e-10);
      // A small actual step, with the independent solver.
      const t = 1e-4 / Math.max(norm2(dw), 1e-12);
      const moved = quadprogSolve(
        asProblem(
          w.map((v, j) => v + t * dw[j]),
          C,
        ),
      ).x;
      expect(f(moved) - f(x)).toBeGreaterThanOrEqual(-1e-12);
      if (firstOrder > 1e-9) strictlyBetter++;
    }
    expect(strictlyBetter).toBeGreaterThan(5); // the property is not vacuous
  });

  it('a vertex where the exact gradient is zero but the smoothed one is not', () => {
    const C: FeasibleSet = {
      A: eye(2),
      l: Float64Array.from([0, 0]),
      u: Float64Array.from([1, 1]),
    };
    const { problem, result } = qpApproximation([2, 2.5], C);
    const g = Float64Array.from([1, 0]);
    expect(zeroGradientReport(problem, result, g).zeroGradient).toBe(true);
    expect(norm2(kktBackward(problem, result, g).dq)).toBeLessThan(1e-12);
    expect(norm2(smoothedQpBackward(problem, result, g).dq)).toBeGreaterThan(0.5);
  });

  it('projection-distance regularizer α‖x_QP(ŵ) − ŵ‖²: gradient 2α(ŵ − x̂) matches FD through the projection', () => {
    const C = polytope(73, 3);
    const w = Float64Array.from([2, -1.5, 1]);
    const alpha = 0.7;
    const x = quadprogSolve(asProblem(w, C)).x;
    const { value, grad } = projectionDistanceRegularizer(x, w, alpha);
    const p = (ww: Float64Array) =>
      projectionDistanceRegularizer(quadprogSolve(asProblem(ww, C)).x, ww, alpha).value;
    expect(value).toBeCloseTo(p(w), 12);
    const h = 1e-6;
    for (let j = 0; j < 3; j++) {
      const wp = Float64Array.from(w);
      const wm = Float64Array.from(w);
      wp[j] += h;
      wm[j] -= h;
      expect(grad[j]).toBeCloseTo((p(wp) - p(wm)) / (2 * h), 6);
    }
    expect(Array.from(algorithm1Update(x, w, [0, 0, 0], alpha).dwReg)).toEqual(
      Array.from(grad, (v) => -v),
    );
  });
});
