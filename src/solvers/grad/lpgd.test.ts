import { describe, expect, it } from 'vitest';
import { knownQp } from './testing';
import { kktBackward } from './kkt';
import { lagrangianGradient, lpgdBackward, type LpgdVariant } from './lpgd';
import { flattenGradients as flat, relError } from './vec';
import type { QpProblem } from '../qp/types';

const TAUS = [1e-1, 1e-2, 1e-3, 1e-4, 1e-5];
const VARIANTS: LpgdVariant[] = ['lower', 'upper', 'average'];

describe('LPGD (Theorem 3.1): the envelope gradient tends to the true gradient as τ → 0', () => {
  const { problem, result } = knownQp(51, {
    n: 6,
    roles: ['equality', 'upper', 'lower', 'upper', 'inactive', 'inactive'],
  });
  const lossGrad = (scale: number) =>
    Float64Array.from({ length: 6 }, (_, i) => scale * Math.cos(2 * i + 1));
  const g = lossGrad(20);
  const exact = flat(kktBackward(problem, result, g));

  it.each(VARIANTS)('%s: error falls monotonically over τ = 1e-1 … 1e-5', (variant) => {
    // The average update is exact while the active set stays fixed (x* is affine in τ and ∇_w𝓛 is
    // quadratic in x), so for it g is scaled up until the largest steps τg change the active set.
    const g = lossGrad(variant === 'average' ? 300 : 20);
    const exact = flat(kktBackward(problem, result, g));
    const errors = TAUS.map((tau) =>
      relError(flat(lpgdBackward(problem, result, g, variant, { tau })), exact),
    );
    for (let k = 1; k < errors.length; k++) {
      // Non-increasing, up to the forward solver's noise once the error is at the 1e-8 floor.
      expect(errors[k]).toBeLessThanOrEqual(Math.max(errors[k - 1], 1e-8));
    }
    expect(errors[0]).toBeGreaterThan(1e-3);
    expect(errors[errors.length - 1]).toBeLessThan(variant === 'average' ? 1e-7 : 1e-4);
  });

  it('lower/upper converge at first order, average at second order (where the active set is fixed)', () => {
    const err = (v: LpgdVariant, tau: number) =>
      relError(flat(lpgdBackward(problem, result, g, v, { tau })), exact);
    for (const v of ['lower', 'upper'] as const)
      expect(err(v, 1e-4) / err(v, 1e-5)).toBeCloseTo(10, 0);
  });
});

describe('LPGD with augmentation ρ (Eq. 28)', () => {
  it('tends to the exact gradient of the augmented problem P + ρI, q − ρx* (same x*, same y*)', () => {
    const { problem, result } = knownQp(52, {
      n: 5,
      roles: ['upper', 'lower', 'inactive', 'equality'],
    });
    const g = Float64Array.from({ length: 5 }, (_, i) => Math.sin(i) + 0.5);
    const rho = 2;
    const P = { ...problem.P, data: Float64Array.from(problem.P.data) };
    for (let i = 0; i < 5; i++) P.data[i * 5 + i] += rho;
    const augmented: QpProblem = {
      ...problem,
      P,
      q: problem.q.map((v, j) => v - rho * result.x[j]),
    };
    const target = flat(kktBackward(augmented, result, g));
    const lpgd = flat(lpgdBackward(problem, result, g, 'average', { tau: 1e-4, rho }));
    // ∇_w𝓛 does not see the augmentation, so dP/dA/dl/du carry over with the augmented x̃.
    expect(relError(lpgd, target)).toBeLessThan(1e-6);
    expect(relError(lpgd, flat(kktBackward(problem, result, g)))).toBeGreaterThan(1e-2);
  });
});

describe('∇_w𝓛', () => {
  it('is (x, ½xxᵀ, yxᵀ, y₋, −y₊) in (q, P, A, l, u)', () => {
    const { problem } = knownQp(53, { n: 2, roles: ['upper', 'lower'] });
    const grad = lagrangianGradient(problem, [1, 2], [3, -4]);
    expect(Array.from(grad.dq)).toEqual([1, 2]);
    expect(Array.from(grad.dP.data)).toEqual([0.5, 1, 1, 2]);
    expect(Array.from(grad.dA.data)).toEqual([3, 6, -4, -8]);
    expect(Array.from(grad.du)).toEqual([-3, -0]);
    expect(Array.from(grad.dl)).toEqual([0, 4]);
  });

  it('rejects τ ≤ 0 and ρ < 0', () => {
    const { problem, result } = knownQp(54, { n: 2, roles: ['upper'] });
    expect(() => lpgdBackward(problem, result, [1, 1], 'average', { tau: 0 })).toThrow(
      /tau must be a positive number/,
    );
    expect(() => lpgdBackward(problem, result, [1, 1], 'average', { rho: -1 })).toThrow(
      /rho must be a non-negative/,
    );
  });
});
