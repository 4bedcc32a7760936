import { beforeAll, describe, expect, it } from 'vitest';
import highsLoader from 'highs';
import type { QpProblem } from '../qp/types';
import { solveQp } from '../qp';
import { eye, zeros } from '../linalg/dense';
import {
  blackboxGradient,
  identityWithProjection,
  lpOracle,
  perturbedOptimizer,
  spoPlus,
  type LpOracle,
} from './linear';
import { lpgdBackward } from './lpgd';
import type { FeasibleSet } from './smoothed';
import { Rng } from './rng';
import { relError } from './vec';

type Highs = Awaited<ReturnType<typeof highsLoader>>;
let highs: Highs;
beforeAll(async () => {
  highs = await highsLoader();
});

/** Independent LP oracle: HiGHS (simplex) on the same polytope, via CPLEX LP text. */
function highsOracle(C: FeasibleSet): LpOracle {
  const { A, l, u } = C;
  const n = A.cols;
  const term = (a: number, j: number) => `${a < 0 ? '-' : '+'} ${Math.abs(a)} x${j}`;
  const rowExpr = (i: number) =>
    Array.from({ length: n }, (_, j) => term(A.data[i * n + j], j)).join(' ');
  const rows: string[] = [];
  for (let i = 0; i < A.rows; i++) {
    if (Number.isFinite(u[i])) rows.push(` u${i}: ${rowExpr(i)} <= ${u[i]}`);
    if (Number.isFinite(l[i])) rows.push(` l${i}: ${rowExpr(i)} >= ${l[i]}`);
  }
  const bounds = Array.from({ length: n }, (_, j) => ` x${j} free`).join('\n');
  return (c) => {
    const lp = `Minimize\n obj: ${Array.from(c, (v, j) => term(v, j)).join(' ')}\nSubject To\n${rows.join('\n')}\nBounds\n${bounds}\nEnd`;
    const res = highs.solve(lp, { output_flag: false });
    if (res.Status !== 'Optimal') throw new Error(`HiGHS: ${res.Status}`);
    return Float64Array.from(
      { length: n },
      (_, j) => (res.Columns[`x${j}`] as { Primal: number }).Primal,
    );
  };
}

const box = (n: number): FeasibleSet => ({
  A: eye(n),
  l: new Float64Array(n),
  u: new Float64Array(n).fill(1),
});
/** Closed-form argmin over the box [0, 1]ⁿ: x_i = 1 exactly where c_i < 0. */
const boxOracle: LpOracle = (c) => c.map((v) => (v < 0 ? 1 : 0));

/** A random bounded polytope: random half-spaces around the origin plus the box [−2, 2]ⁿ. */
function polytope(seed: number, n: number): FeasibleSet {
  const rng = new Rng(seed);
  const m = 3 * n;
  const A = zeros(m, n);
  for (let k = 0; k < 2 * n * n; k++) A.data[k] = rng.normal();
  for (let i = 0; i < n; i++) A.data[(2 * n + i) * n + i] = 1;
  const u = Float64Array.from({ length: m }, (_, i) => (i < 2 * n ? 0.5 + rng.uniform() : 2));
  const l = Float64Array.from({ length: m }, (_, i) => (i < 2 * n ? -Infinity : -2));
  return { A, l, u };
}

describe('LP oracle on the ADMM engine', () => {
  it('lands on the same vertex as HiGHS', () => {
    const C = polytope(80, 4);
    const ours = lpOracle(C);
    const ref = highsOracle(C);
    const rng = new Rng(81);
    for (let k = 0; k < 5; k++) {
      const c = rng.normals(4);
      expect(relError(ours(c), ref(c))).toBeLessThan(1e-6);
    }
  });
});

describe('SPO+ (Elmachtoub & Grigas)', () => {
  it('matches the closed form on the box [0,1]ⁿ', () => {
    const c = Float64Array.from([1, -2, 0.5, -0.3]);
    const cHat = Float64Array.from([-0.4, -1, 1, 0.2]);
    const { loss, grad } = spoPlus(cHat, c, lpOracle(box(4)));
    // max_x (c − 2ĉ)ᵀx over the box = Σ max(0, c_i − 2ĉ_i); x*(c) = [c < 0].
    let expected = 0;
    for (let i = 0; i < 4; i++) {
      const xc = c[i] < 0 ? 1 : 0;
      expected += Math.max(0, c[i] - 2 * cHat[i]) + 2 * cHat[i] * xc - c[i] * xc;
      expect(grad[i]).toBeCloseTo(2 * (xc - (2 * cHat[i] - c[i] < 0 ? 1 : 0)), 6);
    }
    expect(loss).toBeCloseTo(expected, 6);
  });

  it('is zero at ĉ = c, non-negative, and its subgradient satisfies the convexity inequality', () => {
    const C = polytope(82, 3);
    const oracle = highsOracle(C);
    const rng = new Rng(83);
    const c = rng.normals(3);
    expect(spoPlus(c, c, oracle).loss).toBeCloseTo(0, 9);
    for (let k = 0; k < 5; k++) {
      const cHat = rng.normals(3);
      const { loss, grad } = spoPlus(cHat, c, oracle);
      expect(loss).toBeGreaterThanOrEqual(-1e-9);
      const other = rng.normals(3);
      const lossOther = spoPlus(other, c, oracle).loss;
      const linear = loss + grad.reduce((s, gi, j) => s + gi * (other[j] - cHat[j]), 0);
      expect(lossOther).toBeGreaterThanOrEqual(linear - 1e-9);
    }
  });
});

describe('perturbed optimizers (Berthet et al.)', () => {
  const Phi = (t: number) => 0.5 * (1 + erf(t / Math.SQRT2));
  const phi = (t: number) => Math.exp(-0.5 * t * t) / Math.sqrt(2 * Math.PI);

  it('box: E[x*(θ + σZ)]_i = Φ(−θ_i/σ) and ∂/∂θ is diag(−φ(θ_i/σ)/σ)', () => {
    const theta = Float64Array.from([0.3, -0.5, 1.2]);
    const sigma = 0.8;
    const { y, jacobian } = perturbedOptimizer(theta, boxOracle, {
      sigma,
      samples: 40_000,
      seed: 1,
    });
    for (let i = 0; i < 3; i++) {
      expect(y[i]).toBeCloseTo(Phi(-theta[i] / sigma), 2);
      for (let j = 0; j < 3; j++) {
        const expected = i === j ? -phi(theta[i] / sigma) / sigma : 0;
        expect(Math.abs(jacobian[i][j] - expected)).toBeLessThan(0.03);
      }
    }
  });

  it('two-point simplex: P(x* = e₁) = Φ((θ₂ − θ₁)/(σ√2)); the VJP equals Jᵀg', () => {
    // {x ≥ 0, x₁ + x₂ = 1}: rows x₁ + x₂, x₁, x₂.
    const C: FeasibleSet = {
      A: zeros(3, 2),
      l: Float64Array.from([1, 0, 0]),
      u: Float64Array.from([1, Infinity, Infinity]),
    };
    C.A.data.set([1, 1, 1, 0, 0, 1]);
    const simplexOracle: LpOracle = (c) =>
      c[0] < c[1] ? Float64Array.from([1, 0]) : Float64Array.from([0, 1]);
    const theta = Float64Array.from([0.2, -0.1]);
    const sigma = 0.5;
    const est = perturbedOptimizer(theta, simplexOracle, { sigma, samples: 40_000, seed: 2 });
    expect(est.y[0]).toBeCloseTo(Phi((theta[1] - theta[0]) / (sigma * Math.SQRT2)), 2);
    const d = phi((theta[1] - theta[0]) / (sigma * Math.SQRT2)) / (sigma * Math.SQRT2);
    expect(Math.abs(est.jacobian[0][0] + d)).toBeLessThan(0.03);
    expect(Math.abs(est.jacobian[0][1] - d)).toBeLessThan(0.03);
    const g = [1.5, -0.5];
    const v = est.vjp(g);
    for (let j = 0; j < 2; j++)
      expect(v[j]).toBeCloseTo(g[0] * est.jacobian[0][j] + g[1] * est.jacobian[1][j], 12);
    // Same seed, our LP engine as the oracle: the same samples give the same estimate.
    const viaEngine = perturbedOptimizer(theta, lpOracle(C), { sigma, samples: 300, seed: 3 });
    const viaClosedForm = perturbedOptimizer(theta, simplexOracle, {
      sigma,
      samples: 300,
      seed: 3,
    });
    expect(relError(viaEngine.y, viaClosedForm.y)).toBeLessThan(1e-6);
  });

  it('rejects σ ≤ 0 and a non-integer sample count', () => {
    expect(() =>
      perturbedOptimizer(Float64Array.from([1]), boxOracle, { sigma: 0, samples: 5, seed: 1 }),
    ).toThrow(/sigma/);
    expect(() =>
      perturbedOptimizer(Float64Array.from([1]), boxOracle, { sigma: 1, samples: 2.5, seed: 1 }),
    ).toThrow(/samples/);
  });
});

describe('identity with projection (Sahoo et al.)', () => {
  it('returns −g, with the mean or the ĉ direction projected out', () => {
    const g = [1, -2, 4];
    expect(Array.from(identityWithProjection(g))).toEqual([-1, 2, -4]);
    const mean = identityWithProjection(g, ['mean']);
    expect(mean.reduce((s, v) => s + v, 0)).toBeCloseTo(0, 14);
    const cHat = [0.5, 1, -1];
    const sphere = identityWithProjection(g, ['sphere'], cHat);
    expect(sphere.reduce((s, v, j) => s + v * cHat[j], 0)).toBeCloseTo(0, 14);
    expect(() => identityWithProjection(g, ['sphere'])).toThrow(/needs ĉ/);
  });
});

describe('blackbox differentiation (Vlastelica et al.) = LPGD lower on an LP (LPGD Eq. 25)', () => {
  it('the HiGHS-based blackbox gradient equals LPGD-lower dq from our engine with P = 0', () => {
    const C = polytope(84, 3);
    const c = Float64Array.from([0.7, -1.1, 0.4]);
    const g = Float64Array.from([2, 1, -3]);
    const lambda = 0.5;
    const bb = blackboxGradient(c, g, lambda, highsOracle(C));
    const lp: QpProblem = { n: 3, m: C.A.rows, P: zeros(3, 3), q: c, r: 0, A: C.A, l: C.l, u: C.u };
    const result = solveQp(lp, { eps_abs: 1e-9, eps_rel: 1e-9, polish: true, max_iter: 100_000 });
    expect(result.status).toBe('solved');
    const lpgd = lpgdBackward(lp, result, g, 'lower', { tau: lambda });
    expect(relError(lpgd.dq, bb)).toBeLessThan(1e-6);
    expect(Math.max(...Array.from(bb, Math.abs))).toBeGreaterThan(0.1); // the step crossed a vertex
  });
});

/** erf by Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7), enough for the tolerances above. */
function erf(x: number): number {
  const s = Math.sign(x);
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-x * x);
  return s * y;
}
