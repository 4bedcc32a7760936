import { describe, expect, it } from 'vitest';
import { makeProblem, solveQp, validateProblem, type QpProblem } from './index';
import { matTVec, matVec, normInf } from '../linalg/dense';
import { gaussian, rng } from './testutil';

/** min ½‖x − c‖² s.t. box and one coupling row; solution known by hand. */
const simple = () =>
  makeProblem({
    P: [
      [1, 0],
      [0, 1],
    ],
    q: [-2, -2], // unconstrained minimizer (2, 2)
    A: [
      [1, 1],
      [1, 0],
      [0, 1],
    ],
    l: [-Infinity, 0, 0],
    u: [1, 5, 5],
  });

/** A random feasible strictly convex QP, big enough that ADMM needs many iterations. */
function randomQp(seed: number, n = 30, m = 40): QpProblem {
  const g = gaussian(rng(seed));
  const B = Array.from({ length: n }, () => Array.from({ length: n }, g));
  const P = Array.from({ length: n }, (_, i) =>
    Array.from(
      { length: n },
      (_, j) => B.reduce((s, row) => s + row[i] * row[j], 0) + (i === j ? 0.01 : 0),
    ),
  );
  const A = Array.from({ length: m }, () => Array.from({ length: n }, g));
  const x0 = Array.from({ length: n }, g);
  const Ax0 = A.map((row) => row.reduce((s, a, j) => s + a * x0[j], 0));
  return makeProblem({
    P,
    q: Array.from({ length: n }, () => 10 * g()),
    A,
    l: Ax0.map((v, i) => (i % 4 === 0 ? v : v - 0.1)),
    u: Ax0.map((v, i) => (i % 4 === 0 ? v : v + 0.1)),
  });
}

describe('statuses', () => {
  it('solved: hand-computed optimum x = (0.5, 0.5), y = (1.5, 0, 0)', () => {
    const r = solveQp(simple(), { eps_abs: 1e-8, eps_rel: 1e-8, polish: true });
    expect(r.status).toBe('solved');
    expect(r.x[0]).toBeCloseTo(0.5, 7);
    expect(r.x[1]).toBeCloseTo(0.5, 7);
    // Px + q + Aᵀy = 0 ⇒ y₀ = 1.5 at the active upper bound (OSQP sign: positive).
    expect(r.y[0]).toBeCloseTo(1.5, 7);
    expect(r.active).toEqual(['upper', 'inactive', 'inactive']);
    expect(r.obj).toBeCloseTo(0.5 * 0.5 - 2, 7);
    expect(r.polish).toBe('success');
  });

  it('solved without constraints (m = 0): x = −P⁻¹q', () => {
    const r = solveQp(
      makeProblem({
        P: [
          [2, 1],
          [1, 2],
        ],
        q: [1, -1],
      }),
      { eps_abs: 1e-9, eps_rel: 1e-9 },
    );
    expect(r.status).toBe('solved');
    expect(r.x[0]).toBeCloseTo(-1, 7);
    expect(r.x[1]).toBeCloseTo(1, 7);
  });

  it('scaled_termination still reports unscaled residuals', () => {
    const p = randomQp(4);
    const r = solveQp(p, { scaled_termination: true, eps_abs: 1e-6, eps_rel: 1e-6 });
    expect(r.status).toBe('solved');
    const Ax = matVec(p.A, r.x);
    expect(r.prim_res).toBeCloseTo(normInf(Ax.map((v, i) => v - r.z[i])), 12);
  });

  it('primal_infeasible with a valid certificate δy', () => {
    const p = makeProblem({
      P: [
        [1, 0],
        [0, 1],
      ],
      q: [0, 0],
      A: [
        [1, 1],
        [1, 1],
      ],
      l: [2, -Infinity],
      u: [Infinity, 1],
    });
    const r = solveQp(p);
    expect(r.status).toBe('primal_infeasible');
    const dy = r.certificate!;
    expect(normInf(matTVec(p.A, dy))).toBeLessThan(1e-4);
    // uᵀ(δy)₊ + lᵀ(δy)₋ < 0 proves {l ≤ Ax ≤ u} empty (Farkas).
    let support = 0;
    for (let i = 0; i < p.m; i++)
      support += dy[i] > 0 ? p.u[i] * dy[i] : dy[i] < 0 ? p.l[i] * dy[i] : 0;
    expect(support).toBeLessThan(0);
    expect(r.obj).toBeNaN();
  });

  it('dual_infeasible for an unbounded LP, with a valid certificate δx', () => {
    // min −x₀ s.t. x₀ ≥ 0, x₁ ∈ [−1, 1].
    const p = makeProblem({
      P: [
        [0, 0],
        [0, 0],
      ],
      q: [-1, 0],
      A: [
        [1, 0],
        [0, 1],
      ],
      l: [0, -1],
      u: [Infinity, 1],
    });
    const r = solveQp(p);
    expect(r.status).toBe('dual_infeasible');
    const dx = r.certificate!;
    let qdx = 0;
    for (let j = 0; j < p.n; j++) qdx += p.q[j] * dx[j];
    expect(qdx).toBeLessThan(0);
    const Adx = matVec(p.A, dx);
    expect(Adx[0]).toBeGreaterThan(-1e-4);
    expect(Math.abs(Adx[1])).toBeLessThan(1e-4);
  });

  it('non_convex when P has a negative eigenvalue', () => {
    const r = solveQp(
      makeProblem({
        P: [
          [1, 0],
          [0, -0.5],
        ],
        q: [0, 0],
        A: [[1, 1]],
        l: [0],
        u: [1],
      }),
    );
    expect(r.status).toBe('non_convex');
    expect(r.message).toMatch(/positive semidefinite.*-0\.5/);
  });

  it('max_iter_reached returns the last iterate', () => {
    const r = solveQp(randomQp(1), { max_iter: 10, eps_abs: 1e-10, eps_rel: 1e-10 });
    expect(r.status).toBe('max_iter_reached');
    expect(r.iter).toBe(10);
    expect(r.x.every(Number.isFinite)).toBe(true);
    expect(r.prim_res).toBeGreaterThan(0);
  });

  it('solved_inaccurate when the limit is hit within 10× the tolerances', () => {
    const p = randomQp(2);
    const base = { check_termination: 1, adaptive_rho: false } as const;
    const coarse = solveQp(p, { ...base, eps_abs: 1e-4, eps_rel: 1e-4 });
    expect(coarse.status).toBe('solved');
    // Same deterministic trajectory, 10× tighter tolerance, stopped where the coarse one converged.
    const r = solveQp(p, { ...base, eps_abs: 1e-5, eps_rel: 1e-5, max_iter: coarse.iter });
    expect(r.status).toBe('solved_inaccurate');
    expect(r.prim_res).toBe(coarse.prim_res);
  });

  it('time_limit_reached in setup: no iterate, a message that says where it stopped', () => {
    const r = solveQp(randomQp(3, 60, 80), { time_limit: 1e-9, eps_abs: 1e-12, eps_rel: 1e-12 });
    expect(r.status).toBe('time_limit_reached');
    expect(r.iter).toBe(0);
    expect(r.x.every(Number.isNaN)).toBe(true);
    expect(r.message).toMatch(/^the time limit ran out during .* \(setup\), before any iterate$/);
  });

  it('time_limit_reached while iterating keeps the last iterate', () => {
    // eps 1e-300 is never met: only the time limit ends the iteration.
    const p = randomQp(3, 60, 80);
    const r = solveQp(p, { time_limit: 0.2, eps_abs: 0, eps_rel: 1e-300, max_iter: 1e9 });
    expect(r.status).toBe('time_limit_reached');
    expect(r.iter).toBeGreaterThan(0);
    expect(r.x.every(Number.isFinite)).toBe(true);
  });
});

describe('invalid input', () => {
  const cases: [string, (p: QpProblem) => void, RegExp][] = [
    ['NaN in q', (p) => (p.q[1] = NaN), /q\[1\] is NaN/],
    ['NaN in l', (p) => (p.l[0] = NaN), /l\[0\] is NaN/],
    ['Infinity in P', (p) => (p.P.data[0] = Infinity), /P\[0\]\[0\] is Infinity/],
    ['Infinity in A', (p) => (p.A.data[3] = -Infinity), /A\[1\]\[1\] is -Infinity/],
    ['Infinity in q', (p) => (p.q[0] = Infinity), /q\[0\] is Infinity/],
    ['l > u', (p) => (p.l[1] = 6), /l\[1\] = 6 > u\[1\] = 5/],
    ['asymmetric P', (p) => (p.P.data[1] = 0.3), /not symmetric/],
    ['wrong q length', (p) => (p.q = new Float64Array(3)), /q has length 3, expected 2/],
    [
      'wrong A shape',
      (p) => (p.A = { rows: 3, cols: 3, data: new Float64Array(9) }),
      /A is 3×3, expected 3×2/,
    ],
    ['wrong u length', (p) => (p.u = new Float64Array(2)), /u has length 2, expected 3/],
    ['non-finite r', (p) => (p.r = NaN), /r is NaN/],
  ];
  it.each(cases)('%s', (_name, mutate, message) => {
    const p = simple();
    mutate(p);
    const r = solveQp(p);
    expect(r.status).toBe('invalid_input');
    expect(r.message).toMatch(message);
    expect(validateProblem(p)?.message).toMatch(message);
    expect(r.obj).toBeNaN();
  });

  it('bad settings', () => {
    expect(solveQp(simple(), { alpha: 2.5 }).message).toMatch(/alpha/);
    expect(solveQp(simple(), { rho: 0 }).message).toMatch(/rho/);
    expect(solveQp(simple(), { max_iter: 1.5 }).status).toBe('invalid_input');
  });

  it('bad warm start', () => {
    const r = solveQp(simple(), {}, { x: new Float64Array(5) });
    expect(r.status).toBe('invalid_input');
    expect(r.message).toMatch(/warm start x/);
  });
});
