/**
 * LPGD (Paulus et al., Eq. 16–22, 28): gradients of the Lagrange–Moreau envelope of the linearized
 * loss ℓ̃(x) = gᵀx, computed from forward solves at the perturbed linear cost q ± τg (Eq. 21).
 *
 * In OSQP form the Lagrangian is 𝓛(x, y; w) = ½xᵀPx + qᵀx + yᵀAx − uᵀy₊ + lᵀy₋ (y₊ = max(y, 0),
 * y₋ = max(−y, 0)), whose parameter gradient ∇_w𝓛 is (∂q, ∂P, ∂A, ∂u, ∂l) = (x, ½xxᵀ, yxᵀ, −y₊, y₋).
 * Eq. 16/22:
 *   lower   (1/τ)  [∇_w𝓛(z_τ) − ∇_w𝓛(z*)],     z_τ = z*(q + τg)
 *   upper   (1/τ)  [∇_w𝓛(z*)  − ∇_w𝓛(z^τ)],    z^τ = z*(q − τg)
 *   average (1/2τ) [∇_w𝓛(z_τ) − ∇_w𝓛(z^τ)].
 * The augmentation of Eq. 28 adds (ρ/2)‖x − x*‖² to every solve (P + ρI, q − ρx*): it keeps x* optimal
 * and smooths the envelope; it does not depend on w, so ∇_w𝓛 is unchanged. With ρ = 0 and τ → 0 the
 * update tends to the true gradient (Theorem 3.1); with ρ > 0 to the gradient of the augmented problem.
 */
import type { QpProblem, QpResult, QpSettings } from '../qp/types';
import { solveQp } from '../qp';
import type { GradOptions, QpGradients } from './types';
import { checkBackwardInput } from './kkt';
import { TIGHT_SETTINGS } from './fd';
import { symOuter, zeroGradients } from './vec';

export type LpgdVariant = 'lower' | 'upper' | 'average';
export const DEFAULT_TAU = 1e-4;

/** ∇_w𝓛(x, y; w): the Lagrangian's gradient in the data (q, P, A, l, u) at a primal–dual pair. */
export function lagrangianGradient(
  problem: QpProblem,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
): QpGradients {
  const { n, m } = problem;
  const grad = zeroGradients(n, m);
  grad.dq.set(x);
  grad.dP = symOuter(x, x);
  grad.dP.data.forEach((v, k) => (grad.dP.data[k] = v / 2));
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) grad.dA.data[i * n + j] = y[i] * x[j];
    grad.du[i] = -Math.max(y[i], 0);
    grad.dl[i] = Math.max(-y[i], 0);
  }
  return grad;
}

/** (a − b) / s, blockwise. */
function diffScaled(a: QpGradients, b: QpGradients, s: number): QpGradients {
  const d = (u: Float64Array, v: Float64Array): Float64Array => u.map((ui, k) => (ui - v[k]) / s);
  return {
    dq: d(a.dq, b.dq),
    dl: d(a.dl, b.dl),
    du: d(a.du, b.du),
    dP: { ...a.dP, data: d(a.dP.data, b.dP.data) },
    dA: { ...a.dA, data: d(a.dA.data, b.dA.data) },
  };
}

/** z*(q + s·τ·g) of the ρ-augmented problem (Eq. 21 with Eq. 28), warm-started at z*. */
function perturbedSolve(
  problem: QpProblem,
  result: QpResult,
  g: ArrayLike<number>,
  sTau: number,
  rho: number,
  settings: Partial<QpSettings>,
): QpResult {
  const { n } = problem;
  const P = { ...problem.P, data: Float64Array.from(problem.P.data) };
  for (let i = 0; i < n; i++) P.data[i * n + i] += rho;
  const q = problem.q.map((v, j) => v + sTau * g[j] - rho * result.x[j]);
  const res = solveQp({ ...problem, P, q }, settings, { x: result.x, y: result.y });
  if (res.status !== 'solved') {
    throw new Error(
      `LPGD: the forward solve at q ${sTau >= 0 ? '+' : '−'} τg ended with status '${res.status}'`,
    );
  }
  return res;
}

export function lpgdBackward(
  problem: QpProblem,
  result: QpResult,
  g: ArrayLike<number>,
  variant: LpgdVariant,
  options: GradOptions = {},
): QpGradients {
  checkBackwardInput(problem, result, g);
  const tau = options.tau ?? DEFAULT_TAU;
  const rho = options.rho ?? 0;
  if (!(tau > 0) || !Number.isFinite(tau))
    throw new Error(`tau must be a positive number, got ${tau}`);
  if (!(rho >= 0) || !Number.isFinite(rho))
    throw new Error(`rho must be a non-negative number, got ${rho}`);
  const settings = { ...TIGHT_SETTINGS, ...options.settings };
  const grad = (s: number): QpGradients => {
    const z = perturbedSolve(problem, result, g, s * tau, rho, settings);
    return lagrangianGradient(problem, z.x, z.y);
  };
  if (variant === 'average') return diffScaled(grad(1), grad(-1), 2 * tau);
  // z* is re-solved with the same settings so that the solver's own error cancels in the difference.
  const base = grad(0);
  return variant === 'lower' ? diffScaled(grad(1), base, tau) : diffScaled(base, grad(-1), tau);
}
