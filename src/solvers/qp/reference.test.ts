import { beforeAll, describe, expect, it } from 'vitest';
import { CpuEngine } from '../cpu-engine';
import { makeProblem, solveBatch, solveQp, type QpProblem, type QpResult } from './index';
import { matTVec, matVec, normInf } from '../linalg/dense';
import { gaussian, rng } from './testutil';
import { loadHighs, solveWithHighs, solveWithQuadprog, type Highs } from './references';

/**
 * Random strictly convex QP with equality rows, two-sided and one-sided inequality rows (some
 * active at the optimum, some not) and rows with both bounds infinite.
 */
function randomQp(seed: number): QpProblem {
  const rand = rng(seed);
  const g = gaussian(rand);
  const n = 3 + Math.floor(rand() * 10);
  const m = 2 + Math.floor(rand() * 12);
  const B = Array.from({ length: n + 2 }, () => Array.from({ length: n }, g));
  const P = Array.from({ length: n }, (_, i) =>
    Array.from(
      { length: n },
      (_, j) => B.reduce((s, row) => s + row[i] * row[j], 0) + (i === j ? 0.05 : 0),
    ),
  );
  const A = Array.from({ length: m }, () => Array.from({ length: n }, g));
  const x0 = Array.from({ length: n }, g);
  const l: number[] = [];
  const u: number[] = [];
  const nEq = Math.min(Math.floor(rand() * 3), n - 1);
  A.forEach((row, i) => {
    const v = row.reduce((s, a, j) => s + a * x0[j], 0);
    const kind = i < nEq ? 0 : 1 + Math.floor(rand() * 4);
    // Draw order matters for reproducibility: lower offset first, then upper.
    const lo = kind === 1 || kind === 2 ? v - rand() : kind === 0 ? v : -Infinity;
    const hi = kind === 1 || kind === 3 ? v + rand() : kind === 0 ? v : Infinity;
    l.push(lo);
    u.push(hi);
  });
  return makeProblem({ P, q: Array.from({ length: n }, () => 3 * g()), A, l, u, r: g() });
}

/** KKT residuals of (x, y): stationarity, primal feasibility, complementarity (OSQP sign). */
function kkt(p: QpProblem, r: QpResult): { stat: number; feas: number; comp: number } {
  const Ax = matVec(p.A, r.x);
  const g = matVec(p.P, r.x);
  const Aty = matTVec(p.A, r.y);
  for (let j = 0; j < p.n; j++) g[j] += p.q[j] + Aty[j];
  let feas = 0;
  let comp = 0;
  for (let i = 0; i < p.m; i++) {
    feas = Math.max(feas, p.l[i] - Ax[i], Ax[i] - p.u[i]);
    // y⁺ pairs with u − Ax, y⁻ with Ax − l.
    const yp = Math.max(r.y[i], 0);
    const ym = Math.max(-r.y[i], 0);
    if (yp > 0) comp = Math.max(comp, yp * Math.abs(p.u[i] - Ax[i]));
    if (ym > 0) comp = Math.max(comp, ym * Math.abs(Ax[i] - p.l[i]));
  }
  return { stat: normInf(g), feas, comp };
}

const tight = { eps_abs: 1e-8, eps_rel: 1e-8, polish: true, max_iter: 20000 };

describe('agreement with independent solvers on random QPs', () => {
  let highs: Highs;
  beforeAll(async () => {
    highs = await loadHighs();
  });
  const seeds = Array.from({ length: 24 }, (_, i) => 100 + i);

  it.each(seeds)('seed %i: quadprog and HiGHS', (seed) => {
    const p = randomQp(seed);
    const r = solveQp(p, tight);
    expect(r.status).toBe('solved');
    const scale = Math.max(1, normInf(r.x));
    const qp = solveWithQuadprog(p);
    expect(normInf(r.x.map((v, j) => v - qp.x[j])) / scale).toBeLessThan(1e-6);
    const h = solveWithHighs(highs, p);
    expect(h.status).toBe('Optimal');
    expect(normInf(r.x.map((v, j) => v - h.x[j])) / scale).toBeLessThan(1e-5);
    expect(Math.abs(r.obj - h.obj) / Math.max(1, Math.abs(h.obj))).toBeLessThan(1e-6);
    // Multipliers, OSQP sign, against HiGHS's (negated) row duals.
    expect(normInf(r.y.map((v, i) => v - h.y[i])) / Math.max(1, normInf(h.y))).toBeLessThan(1e-5);
    const k = kkt(p, r);
    expect(k.stat).toBeLessThan(1e-7);
    expect(k.feas).toBeLessThan(1e-7);
    expect(k.comp).toBeLessThan(1e-7);
    // Equality rows report 'equality'; rows with |y| > 0 are on the matching bound.
    r.active.forEach((a, i) => {
      if (p.l[i] === p.u[i]) expect(a).toBe('equality');
      else if (Math.abs(h.y[i]) > 1e-5) expect(a).toBe(h.y[i] > 0 ? 'upper' : 'lower');
      else if (p.l[i] === -Infinity && p.u[i] === Infinity) expect(a).toBe('inactive');
    });
  });

  it.each([1, 2, 3, 4, 5, 6])('LP / singular-P problem %i agrees with HiGHS', (seed) => {
    const rand = rng(1000 + seed);
    const g = gaussian(rand);
    const n = 4 + seed;
    const m = 2 * n;
    // P = bbᵀ (rank one, PSD and singular) or 0 for the odd seeds (an LP); a box keeps it bounded.
    const b = Array.from({ length: n }, g);
    const P = Array.from({ length: n }, (_, i) =>
      Array.from({ length: n }, (_, j) => (seed % 2 ? 0 : b[i] * b[j])),
    );
    const A = Array.from({ length: m }, (_, i) =>
      i < n ? Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)) : Array.from({ length: n }, g),
    );
    const l = A.map((_, i) => (i < n ? -1 : -1 - rand()));
    const u = A.map((_, i) => (i < n ? 1 : i % 3 === 0 ? Infinity : 1 + rand()));
    const p = makeProblem({ P, q: Array.from({ length: n }, g), A, l, u });
    const r = solveQp(p, { ...tight, max_iter: 50000 });
    expect(r.status).toBe('solved');
    const h = solveWithHighs(highs, p);
    expect(h.status).toBe('Optimal');
    expect(Math.abs(r.obj - h.obj) / Math.max(1, Math.abs(h.obj))).toBeLessThan(1e-6);
    const k = kkt(p, r);
    expect(Math.max(k.stat, k.feas, k.comp)).toBeLessThan(1e-6);
  });

  it('KKT residuals within tolerance at default settings (no polish)', () => {
    for (const seed of seeds.slice(0, 8)) {
      const p = randomQp(seed);
      const r = solveQp(p, { eps_abs: 1e-5, eps_rel: 1e-5 });
      expect(r.status).toBe('solved');
      // The solver's own residual claims must be true of the unscaled data.
      const k = kkt(p, r);
      expect(k.stat).toBeCloseTo(r.dual_res, 10);
      const Ax = matVec(p.A, r.x);
      expect(normInf(Ax.map((v, i) => v - r.z[i]))).toBeCloseTo(r.prim_res, 10);
      expect(r.prim_res).toBeLessThan(1e-5 * (1 + Math.max(normInf(Ax), normInf(r.z))) * 1.0001);
    }
  });
});

describe('warm start and batches', () => {
  it('warm start from a nearby solution reduces iterations', () => {
    let fewer = 0;
    for (const seed of [7, 8, 9, 10]) {
      const p = randomQp(seed);
      const s = { eps_abs: 1e-6, eps_rel: 1e-6, check_termination: 5 };
      const first = solveQp(p, s);
      const p2 = { ...p, q: p.q.map((v) => v * 1.001) };
      const cold = solveQp(p2, s);
      const warm = solveQp(p2, s, { x: first.x, y: first.y });
      expect(warm.status).toBe('solved');
      expect(Math.abs(warm.obj - cold.obj)).toBeLessThan(1e-4 * Math.max(1, Math.abs(cold.obj)));
      if (warm.iter < cold.iter) fewer++;
      // warm_start: false ignores the warm start entirely.
      expect(solveQp(p2, { ...s, warm_start: false }, { x: first.x, y: first.y }).iter).toBe(
        cold.iter,
      );
    }
    expect(fewer).toBe(4);
  });

  it('shared batch matches independent solves and flags its invalid member', async () => {
    const base = randomQp(42);
    const g = gaussian(rng(5));
    const params = Array.from({ length: 6 }, () => ({ q: base.q.map((v) => v + 0.3 * g()) }));
    params.push({ q: new Float64Array(base.n).fill(NaN) });
    const s = { eps_abs: 1e-8, eps_rel: 1e-8, polish: true };
    const out = await new CpuEngine().solveBatch({ kind: 'shared', structure: base, params }, s);
    expect(out).toHaveLength(7);
    for (let k = 0; k < 6; k++) {
      const single = solveQp({ ...base, q: params[k].q }, s);
      expect(out[k].status).toBe('solved');
      expect(normInf(out[k].x.map((v, j) => v - single.x[j]))).toBeLessThan(1e-6);
    }
    expect(out[6].status).toBe('invalid_input');
    expect(out[6].message).toMatch(/q\[0\] is NaN/);
    const independent = solveBatch({ kind: 'problems', problems: [base, randomQp(43)] }, s);
    expect(independent.map((r) => r.status)).toEqual(['solved', 'solved']);
  });
});
