import { describe, expect, it } from 'vitest';
import { CpuEngine } from '../cpu-engine';
import {
  boxProblem,
  breakpoints,
  costAt,
  engineArgmin,
  exactArgmin,
  exactBoxArgmin,
  loss,
  lossGradient,
  lpgdSlopes,
  makeCut,
  sweepEnvelopes,
  type CutProblem,
  type EnvelopeSweep,
} from '.';

const engine = engineArgmin(new CpuEngine());
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
const CURVES = ['loss', 'linearized', 'augmented', 'lower', 'upper', 'average'] as const;

/** A t₀ just past the k-th breakpoint, so that τ-shifted solves cross it and the slope is nonzero. */
function nearStep(cut: CutProblem, k: number, offset = 0.15): number {
  return breakpoints(cut)[k] + offset;
}

describe('envelope sweep: the QP engine (one shared batch) against the closed form on the box', () => {
  it.each([
    [1, 4, 0],
    [1, 4, 0.7],
    [5, 3, 0],
    [5, 3, 2.5],
  ])('seed %i, n = %i, ρ = %f: all curves agree to 1e-8', async (seed, n, rho) => {
    const cut = makeCut(seed, n);
    const params = { tau: 0.8, rho, t0: nearStep(cut, 1), samples: 61 };
    const a = await sweepEnvelopes(cut, params, engine);
    const b = await sweepEnvelopes(cut, params, exactArgmin);
    for (const k of CURVES) expect(maxDiff(a[k], b[k])).toBeLessThan(1e-8);
    expect(maxDiff(Object.values(a.at.slope), Object.values(b.at.slope))).toBeLessThan(1e-6);
  });
});

/**
 * Eq. 8, 10, 12 evaluated literally by brute force over a grid of the square [0,1]² (which holds
 * the vertices, so the LP's minimum is exact): no shifted solve, no closed form.
 */
function bruteForce(cut: CutProblem, t: number, tau: number, rho: number, xHat: Float64Array) {
  const c = costAt(cut, t);
  const g = lossGradient(cut, xHat);
  const G = 400;
  const Lrho = (x0: number, x1: number) =>
    c[0] * x0 + c[1] * x1 + (rho / 2) * ((x0 - xHat[0]) ** 2 + (x1 - xHat[1]) ** 2);
  const lin = (x0: number, x1: number) =>
    loss(cut, xHat) + (x0 - xHat[0]) * g[0] + (x1 - xHat[1]) * g[1];
  let Lstar = Infinity;
  for (let i = 0; i <= G; i++)
    for (let j = 0; j <= G; j++) Lstar = Math.min(Lstar, Lrho(i / G, j / G));
  let lower = Infinity;
  let upper = -Infinity;
  for (let i = 0; i <= G; i++)
    for (let j = 0; j <= G; j++) {
      const D = Lrho(i / G, j / G) - Lstar; // Lagrangian divergence, Eq. 8
      lower = Math.min(lower, lin(i / G, j / G) + D / tau); // Eq. 10
      upper = Math.max(upper, lin(i / G, j / G) - D / tau); // Eq. 12
    }
  return { lower, upper };
}

describe('envelopes match their definitions (Eq. 10, 12) by brute force over [0,1]²', () => {
  it.each([0, 1.5])('ρ = %f', async (rho) => {
    const cut = makeCut(11, 2);
    const tau = 0.6;
    const sweep = await sweepEnvelopes(cut, { tau, rho, t0: nearStep(cut, 0), samples: 9 }, engine);
    for (let k = 0; k < sweep.t.length; k++) {
      const ref = bruteForce(cut, sweep.t[k], tau, rho, sweep.at.xHat);
      // Grid spacing 1/400: the minimizer of a ρ-strongly convex function is off by ≤ 1/800.
      const tol = rho > 0 ? ((rho / tau) * 4) / 800 ** 2 + 1e-9 : 1e-9;
      expect(Math.abs(sweep.lower[k] - ref.lower)).toBeLessThan(tol);
      expect(Math.abs(sweep.upper[k] - ref.upper)).toBeLessThan(tol);
    }
  });
});

describe('ordering and limits the paper states', () => {
  const cut = makeCut(3, 5);
  const t0 = nearStep(cut, 2, 0.1);
  const run = (tau: number, rho: number, samples = 201) =>
    sweepEnvelopes(cut, { tau, rho, t0, samples }, exactArgmin);

  it.each([0, 0.4, 3])(
    'ρ = %f: lower ≤ ℓ̃(x_ρ(c)) ≤ upper (D ≥ 0 vanishes at x_ρ), average in between',
    async (rho) => {
      const s = await run(0.9, rho);
      for (let k = 0; k < s.t.length; k++) {
        expect(s.lower[k]).toBeLessThanOrEqual(s.augmented[k] + 1e-12);
        expect(s.upper[k]).toBeGreaterThanOrEqual(s.augmented[k] - 1e-12);
        expect(s.average[k]).toBeGreaterThanOrEqual(s.lower[k] - 1e-12);
        expect(s.average[k]).toBeLessThanOrEqual(s.upper[k] + 1e-12);
      }
      if (rho === 0) expect(maxDiff(s.augmented, s.linearized)).toBe(0);
    },
  );

  it('the envelopes are the loss at x̂ on the segment of t₀, and the black curve is ℓ there', async () => {
    const s = await run(0.9, 0.4);
    const bps = breakpoints(cut);
    for (let k = 0; k < s.t.length; k++) {
      const sameSegment = bps.every((b) => (b - s.t[k]) * (b - t0) > 0);
      if (sameSegment) expect(Math.abs(s.linearized[k] - s.loss[k])).toBeLessThan(1e-12);
    }
    expect(s.at.loss).toBeCloseTo(loss(cut, exactBoxArgmin(costAt(cut, t0), 0, s.at.xHat)), 12);
  });

  it('lower decreases and upper increases with τ (inf / sup of ℓ̃ ± D/τ)', async () => {
    const taus = [0.05, 0.3, 1, 3];
    const sweeps = await Promise.all(taus.map((tau) => run(tau, 0.4)));
    for (let j = 1; j < sweeps.length; j++)
      for (let k = 0; k < sweeps[j].t.length; k++) {
        expect(sweeps[j].lower[k]).toBeLessThanOrEqual(sweeps[j - 1].lower[k] + 1e-12);
        expect(sweeps[j].upper[k]).toBeGreaterThanOrEqual(sweeps[j - 1].upper[k] - 1e-12);
      }
    // …and strictly somewhere: the smoothing is real.
    expect(maxDiff(sweeps[0].lower, sweeps[3].lower)).toBeGreaterThan(0.05);
  });

  it('ρ = 0: as τ → 0 the envelopes become the loss, exactly away from the steps', async () => {
    const bps = breakpoints(cut);
    const gMax = 1.5; // |g_i| = |x̂_i − x_target,i| ≤ 1.5 for targets in [−0.5, 1.5]
    const dMin = Math.min(...Array.from(cut.d, Math.abs));
    const errs: number[] = [];
    for (const tau of [1, 0.1, 0.01, 0.001]) {
      const s = await run(tau, 0);
      const reach = (tau * gMax) / dMin; // a τ-shifted solve can only flip x_i within this of b_i
      let far = 0;
      for (let k = 0; k < s.t.length; k++) {
        const e = Math.max(s.linearized[k] - s.lower[k], s.upper[k] - s.linearized[k]);
        if (bps.every((b) => Math.abs(s.t[k] - b) > reach)) far = Math.max(far, e);
      }
      expect(far).toBeLessThan(1e-12);
      // The L¹ gap shrinks like τ: only a band of width O(τ) around each step is smoothed.
      errs.push(s.t.reduce((acc, _, k) => acc + (s.upper[k] - s.lower[k]), 0) / s.t.length);
    }
    for (let j = 1; j < errs.length; j++) expect(errs[j]).toBeLessThan(errs[j - 1]);
    expect(errs[0]).toBeGreaterThan(1e-2);
    expect(errs[3]).toBeLessThan(1e-2 * errs[0]);
  });

  it('ρ > 0: as τ → 0 the envelopes tend to ℓ̃(x_ρ(c)) at first order', async () => {
    const gap = async (tau: number) => {
      const s = await run(tau, 0.5);
      return Math.max(maxDiff(s.lower, s.augmented), maxDiff(s.upper, s.augmented));
    };
    const [a, b] = [await gap(1e-2), await gap(1e-3)];
    expect(a).toBeGreaterThan(1e-4);
    expect(a / b).toBeGreaterThan(8);
    expect(a / b).toBeLessThan(12);
  });
});

describe("LPGD's update is the envelope's slope (Eq. 16, 22): src/solvers/grad vs the plotted curve", () => {
  const cases: [number, number, number][] = [];
  for (const seed of [1, 2, 4])
    for (const rho of [0, 1]) for (const tau of [0.5, 1.2]) cases.push([seed, rho, tau]);
  it.each(cases)('seed %i, ρ = %f, τ = %f, t₀ just past each step', async (seed, rho, tau) => {
    const cut = makeCut(seed, 4);
    let largest = 0;
    for (let k = 0; k < cut.n; k++) {
      const t0 = nearStep(cut, k, 0.1);
      const s: EnvelopeSweep = await sweepEnvelopes(cut, { tau, rho, t0, samples: 11 }, engine);
      const lp = lpgdSlopes(cut, t0, tau, rho);
      for (const v of ['lower', 'upper', 'average'] as const)
        expect(Math.abs(lp.slope[v] - s.at.slope[v])).toBeLessThan(
          1e-6 * (1 + Math.abs(lp.slope[v])),
        );
      // Eq. 22: the average update is the mean of the lower and upper ones.
      expect(lp.slope.average).toBeCloseTo((lp.slope.lower + lp.slope.upper) / 2, 10);
      largest = Math.max(largest, Math.abs(lp.slope.lower), Math.abs(lp.slope.upper));
    }
    // Not vacuous: some step is within reach of a shifted solve, so some slope is far from 0.
    expect(largest).toBeGreaterThan(1e-2);
  });
});

describe('inputs', () => {
  it('the generator is seeded and puts every step inside the window', () => {
    const a = makeCut(7, 5);
    expect(makeCut(7, 5)).toEqual(a);
    expect(makeCut(8, 5).c0).not.toEqual(a.c0);
    for (const b of breakpoints(a)) expect(b > a.tMin && b < a.tMax).toBe(true);
    expect(boxProblem(3, 2, [1, 2, 3]).P.data[4]).toBe(2);
  });

  it('bad input gives a clear error', async () => {
    const cut = makeCut(1, 3);
    const ok = { tau: 1, rho: 0, t0: 0, samples: 5 };
    expect(() => makeCut(1, 0)).toThrow(/dimension n/);
    expect(() => makeCut(1, 2.5)).toThrow(/dimension n/);
    await expect(sweepEnvelopes(cut, { ...ok, tau: 0 }, exactArgmin)).rejects.toThrow(/τ must be/);
    await expect(sweepEnvelopes(cut, { ...ok, rho: -1 }, exactArgmin)).rejects.toThrow(/ρ must be/);
    await expect(sweepEnvelopes(cut, { ...ok, t0: NaN }, exactArgmin)).rejects.toThrow(/t₀/);
    await expect(sweepEnvelopes(cut, { ...ok, samples: 1 }, exactArgmin)).rejects.toThrow(
      /samples/,
    );
    const broken = { ...cut, d: new Float64Array(2) };
    await expect(sweepEnvelopes(broken, ok, exactArgmin)).rejects.toThrow(/cut.d has length 2/);
    expect(() => lpgdSlopes(cut, 0, -1, 0)).toThrow(/tau must be/);
  });
});
