/**
 * The two ways the envelope sweep gets its argmins over the box, and LPGD's slope along the cut.
 *
 * `engineArgmin` is what the app uses: every cost of a redraw goes to the QP engine as one
 * shared-structure batch (P = ρI and A = I fixed, only q changes). `exactBoxArgmin` is the closed
 * form, the independent reference of the tests.
 */
import type { QpEngine, QpSettings } from '../qp/types';
import { solveQp } from '../qp';
import { lpgdBackward, type LpgdVariant } from '../grad/lpgd';
import type { CutProblem } from './cut';
import { boxProblem, checkCut, costAt, lossGradient } from './cut';
import type { BoxArgmin, Variants } from './envelope';

/**
 * Tight tolerances and polishing: the envelopes divide differences of optimal values by τ, so
 * the solves must land on the exact vertex (LP) or face (ρ > 0), not 10⁻³ from it.
 */
export const ENVELOPE_SETTINGS: Partial<QpSettings> = Object.freeze({
  eps_abs: 1e-9,
  eps_rel: 1e-9,
  polish: true,
  max_iter: 50_000,
});

/** Argmins by the QP engine, one shared batch per call. */
export function engineArgmin(
  engine: QpEngine,
  settings: Partial<QpSettings> = ENVELOPE_SETTINGS,
): BoxArgmin {
  return async (costs, rho, center) => {
    if (costs.length === 0) return [];
    const n = costs[0].length;
    const structure = boxProblem(n, rho, new Float64Array(n));
    const params = costs.map((c) => ({ q: c.map((ci, i) => ci - rho * center[i]) }));
    const results = await engine.solveBatch({ kind: 'shared', structure, params }, settings);
    return results.map((r, k) => {
      if (r.status !== 'solved')
        throw new Error(
          `envelope: box solve ${k} (ρ = ${rho}) ended with status '${r.status}'${r.message ? `: ${r.message}` : ''}`,
        );
      return r.x;
    });
  };
}

/**
 * Closed form: the objective separates over coordinates, so x_i = clip(x̂_i − c_i/ρ, 0, 1) for ρ > 0,
 * and x_i = 1 if c_i < 0 else 0 for the LP (at c_i = 0 every x_i ∈ [0, 1] is optimal; 0 is returned).
 */
export function exactBoxArgmin(
  c: ArrayLike<number>,
  rho: number,
  center: ArrayLike<number>,
): Float64Array {
  return Float64Array.from({ length: c.length }, (_, i) =>
    rho > 0 ? Math.min(1, Math.max(0, center[i] - c[i] / rho)) : c[i] < 0 ? 1 : 0,
  );
}

export const exactArgmin: BoxArgmin = async (costs, rho, center) =>
  costs.map((c) => exactBoxArgmin(c, rho, center));

export interface LpgdSlopes {
  /** ⟨LPGD update, d⟩ for each variant: the predicted slope of the envelope along the cut at t₀. */
  slope: Variants;
  /** The LPGD updates ∂ℓ/∂c themselves (lower, upper, average). */
  dc: Record<keyof Variants, Float64Array>;
}

const VARIANTS: [keyof Variants, LpgdVariant][] = [
  ['lower', 'lower'],
  ['upper', 'upper'],
  ['average', 'average'],
];

/** LPGD's updates (src/solvers/grad, Eq. 16 and 22) at ĉ = c(t₀), projected on the cut direction d. */
export function lpgdSlopes(cut: CutProblem, t0: number, tau: number, rho: number): LpgdSlopes {
  checkCut(cut);
  const problem = boxProblem(cut.n, 0, costAt(cut, t0));
  const result = solveQp(problem, ENVELOPE_SETTINGS);
  if (result.status !== 'solved')
    throw new Error(`envelope: the LP at t₀ = ${t0} ended with status '${result.status}'`);
  const g = lossGradient(cut, result.x);
  const dc = {} as Record<keyof Variants, Float64Array>;
  const slope = {} as Variants;
  for (const [key, variant] of VARIANTS) {
    dc[key] = lpgdBackward(problem, result, g, variant, {
      tau,
      rho,
      settings: ENVELOPE_SETTINGS,
    }).dq;
    slope[key] = dc[key].reduce((s, v, i) => s + v * cut.d[i], 0);
  }
  return { slope, dc };
}
