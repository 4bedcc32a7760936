import { describe, expect, it } from 'vitest';
import { AdmmTrace } from './trace';
import { solveQp } from './solve';
import { makeProblem } from './problem';
import { gaussian, rng } from './testutil';
import type { QpProblem, QpSettings } from './types';

/** The Geometry panel's pentagon projection: argmin ‖x − ŵ‖² over a regular pentagon. */
function pentagon(what: [number, number]): QpProblem {
  const h = Math.cos(Math.PI / 5);
  const A = Array.from({ length: 5 }, (_, k) => {
    const t = ((126 + 72 * k) * Math.PI) / 180;
    return [Math.cos(t), Math.sin(t)];
  });
  return makeProblem({
    P: [
      [2, 0],
      [0, 2],
    ],
    q: [-2 * what[0], -2 * what[1]],
    A,
    u: [h, h, h, h, h],
  });
}

/** A random strictly convex QP with box and equality rows. */
function randomQp(seed: number, n: number, m: number): QpProblem {
  const g = gaussian(rng(seed));
  const M = Array.from({ length: n }, () => Array.from({ length: n }, g));
  const P = M.map((_, i) =>
    M.map((__, j) => M.reduce((s, row) => s + row[i] * row[j], 0) + (i === j ? 0.1 : 0)),
  );
  const A = Array.from({ length: m }, () => Array.from({ length: n }, g));
  const l = A.map((_, i) => (i === 0 ? 0.3 : -1 - Math.abs(g())));
  const u = A.map((_, i) => (i === 0 ? 0.3 : 1 + Math.abs(g())));
  return makeProblem({ P, q: Array.from({ length: n }, g), A, l, u });
}

const GEOMETRY: Partial<QpSettings> = { eps_abs: 1e-9, eps_rel: 1e-9, polish: true };

const CASES: { name: string; problem: QpProblem; settings: Partial<QpSettings> }[] = [
  { name: 'pentagon, ŵ at a vertex', problem: pentagon([1.2, 0.4]), settings: GEOMETRY },
  { name: 'pentagon, ŵ inside', problem: pentagon([0.1, -0.2]), settings: GEOMETRY },
  {
    name: 'pentagon, user ρ = 5, σ = 1e-3',
    problem: pentagon([0, 1.3]),
    settings: { ...GEOMETRY, rho: 5, sigma: 1e-3 },
  },
  {
    name: 'pentagon, fixed ρ = 0.01 (no adaptation)',
    problem: pentagon([1.5, -1]),
    settings: { ...GEOMETRY, rho: 0.01, adaptive_rho: false },
  },
  { name: 'random 6×4 QP, defaults', problem: randomQp(3, 6, 4), settings: {} },
  { name: 'random 8×5 QP, polished', problem: randomQp(11, 8, 5), settings: { polish: true } },
];

describe('AdmmTrace: the driver walked one iteration at a time', () => {
  for (const { name, problem, settings } of CASES) {
    it(`${name}: ends at solveQp's answer, bit for bit, and records every iterate`, () => {
      const ref = solveQp(problem, settings);
      const trace = new AdmmTrace(problem, settings);
      trace.finish();
      const r = trace.result!;
      expect(r.status).toBe(ref.status);
      expect(Array.from(r.x)).toEqual(Array.from(ref.x));
      expect(Array.from(r.y)).toEqual(Array.from(ref.y));
      expect(r.iter).toBe(ref.iter);
      expect(r.rho).toBe(ref.rho);
      expect(r.rho_updates).toBe(ref.rho_updates);
      expect(r.polish).toBe(ref.polish);
      // One record per iteration, the start included; the last is the driver's final iterate.
      expect(trace.steps.length).toBe(r.iter + 1);
      trace.steps.forEach((s, k) => expect(s.k).toBe(k));
      const last = trace.steps[trace.steps.length - 1];
      expect(r.status).toMatch(/^solved/);
      expect(last.prim).toBeLessThanOrEqual(last.epsPrim);
      expect(last.dual).toBeLessThanOrEqual(last.epsDual);
      // Unpolished, the result is the last iterate itself.
      if (r.polish !== 'success')
        for (let j = 0; j < problem.n; j++) expect(last.x[j]).toBeCloseTo(r.x[j], 12);
    });
  }

  it('ρ in the records changes exactly where the driver changed it', () => {
    const trace = new AdmmTrace(pentagon([1.5, -1]), { ...GEOMETRY, rho: 1e-3 });
    trace.finish();
    const r = trace.result!;
    expect(r.rho_updates).toBeGreaterThan(0);
    expect(trace.rhoChanges.length).toBe(r.rho_updates);
    expect(trace.steps[0].rho).toBeCloseTo(1e-3, 15);
    for (const c of trace.rhoChanges) {
      expect(trace.steps[c.k].rho).toBe(c.from);
      expect(trace.steps[c.k + 1].rho).toBe(c.to);
    }
    // Between changes ρ is constant.
    const at = new Set(trace.rhoChanges.map((c) => c.k));
    for (let k = 1; k < trace.steps.length; k++)
      if (!at.has(k - 1)) expect(trace.steps[k].rho).toBe(trace.steps[k - 1].rho);
    expect(trace.steps[trace.steps.length - 1].rho).toBe(r.rho);
  });

  it('advances lazily: a few iterations at a time, never the whole solve at once', () => {
    const trace = new AdmmTrace(pentagon([1.2, 0.4]), GEOMETRY);
    expect(trace.steps.length).toBe(1);
    expect(Array.from(trace.steps[0].x)).toEqual([0, 0]);
    trace.advance(3);
    expect(trace.steps.length).toBeGreaterThanOrEqual(4);
    expect(trace.done).toBe(false);
    const n = trace.steps.length;
    trace.advance(1);
    expect(trace.steps.length).toBeGreaterThan(n);
    trace.finish();
    expect(trace.done).toBe(true);
  });

  it('a problem with no feasible point ends as the solver says, with its certificate', () => {
    const p = makeProblem({
      P: [
        [2, 0],
        [0, 2],
      ],
      q: [0, 0],
      A: [
        [1, 0],
        [-1, 0],
      ],
      u: [-2, 1],
    });
    const ref = solveQp(p, GEOMETRY);
    const trace = new AdmmTrace(p, GEOMETRY);
    trace.finish();
    expect(ref.status).toBe('primal_infeasible');
    expect(trace.result!.status).toBe('primal_infeasible');
    expect(trace.steps.length).toBe(trace.result!.iter + 1);
  });

  it('refuses bad input before iterating, with the solver’s message', () => {
    const p = pentagon([0, 0]);
    const trace = new AdmmTrace(p, { rho: -1 });
    expect(trace.done).toBe(true);
    expect(trace.result!.status).toBe('invalid_input');
    expect(trace.steps.length).toBe(0);
  });
});
