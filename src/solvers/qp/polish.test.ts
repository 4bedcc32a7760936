import { describe, expect, it } from 'vitest';
import { fromRows } from '../linalg/dense';
import { mul, symMul, tMul } from './matrix';
import { polish, type PolishData } from './polish';
import { DEFAULT_SETTINGS, type QpSettings } from './types';

/** ‖Ax − z‖∞ and ‖Px + q + Aᵀy‖∞ of the polished point, computed independently of the solver. */
function residualsOf(w: PolishData) {
  return (x: Float64Array, z: Float64Array, y: Float64Array) => {
    const Ax = mul(w.A, x);
    const g = symMul(w.P, x);
    const Aty = tMul(w.A, y);
    let prim = 0;
    let dual = 0;
    for (let i = 0; i < w.m; i++) prim = Math.max(prim, Math.abs(Ax[i] - z[i]));
    for (let j = 0; j < w.n; j++) dual = Math.max(dual, Math.abs(g[j] + w.q[j] + Aty[j]));
    return { prim, dual };
  };
}

/**
 * min ½‖x − (1, 0.5)‖² s.t. x₁ ≤ 1 + 10⁻⁴, x₂ ≤ 0.3. By hand: x* = (1, 0.3), y* = (0, 0.2); row 0 is
 * inactive with slack 10⁻⁴. An inexact iterate (f32, or a loose eps) that puts a spurious multiplier
 * on that nearly active row makes OSQP's rule guess it active.
 */
function nearlyDegenerate(settings: Partial<QpSettings>): PolishData {
  const A = fromRows([
    [1, 0],
    [0, 1],
  ]);
  return {
    n: 2,
    m: 2,
    P: fromRows([
      [1, 0],
      [0, 1],
    ]),
    A,
    q: Float64Array.from([-1, -0.5]),
    l: Float64Array.from([-Infinity, -Infinity]),
    u: Float64Array.from([1 + 1e-4, 0.3]),
    z: Float64Array.from([1, 0.3]),
    y: Float64Array.from([0.5, 0.2]),
    settings: { ...DEFAULT_SETTINGS, ...settings },
  };
}

describe('polish with active-set corrections', () => {
  const admm = { prim: 1e-3, dual: 1e-3 };

  it('drops a nearly active row with a spurious multiplier and lands on the exact optimum', () => {
    const w = nearlyDegenerate({});
    const r = polish(w, admm, residualsOf(w));
    expect(r.status).toBe('success');
    expect(Math.abs(r.x![0] - 1)).toBeLessThan(1e-9);
    expect(Math.abs(r.x![1] - 0.3)).toBeLessThan(1e-9);
    expect(r.y![0]).toBe(0);
    expect(Math.abs(r.y![1] - 0.2)).toBeLessThan(1e-9);
    expect(r.residuals!.dual).toBeLessThan(1e-9);
  });

  it("one pass (OSQP's polish) keeps the wrong guess: x₁ is pinned 10⁻⁴ off", () => {
    const w = nearlyDegenerate({ polish_passes: 1 });
    const r = polish(w, admm, residualsOf(w));
    // The clamped wrong-sign multiplier leaves a 10⁻⁴ dual residual: better than ADMM's 10⁻³, so
    // accepted, but x₁ = 1 + 10⁻⁴ is not the optimum.
    expect(r.status).toBe('success');
    expect(Math.abs(r.x![0] - (1 + 1e-4))).toBeLessThan(1e-9);
    expect(r.residuals!.dual).toBeGreaterThan(5e-5);
  });

  it('adds a row the guess left out when the polished point violates it', () => {
    // Same problem, but the iterate misses the active row 1 (y₁ = 0, z₂ well inside).
    const w = {
      ...nearlyDegenerate({}),
      z: Float64Array.from([0.5, 0.1]),
      y: Float64Array.from([0, 0]),
    };
    const r = polish(w, admm, residualsOf(w));
    expect(r.status).toBe('success');
    expect(Math.abs(r.x![1] - 0.3)).toBeLessThan(1e-9);
    expect(Math.abs(r.y![1] - 0.2)).toBeLessThan(1e-9);
  });
});
