/**
 * Differentiating the SQP solution map x*(θ) = argmin { φ(x; θ) : l ≤ Ax ≤ u } by the implicit
 * function theorem on its KKT conditions, with the Hessian at the solution.
 *
 * With binding rows 𝒜 and H = ∇²ₓφ(x*; θ), a perturbation dθ moves the stationarity condition
 * ∇ₓφ(x; θ) + A_𝒜ᵀy_𝒜 = 0 by M dθ, M = ∂(∇ₓφ)/∂θ, exactly as a perturbation dq = M dθ of the linear
 * cost of the QP at the solution (sqp.ts: P = H, q = ∇φ(x*) − Hx*), whose KKT matrix
 * [[H, A_𝒜ᵀ], [A_𝒜, 0]] is the nonlinear problem's. Hence
 *
 *   dx* = jvp(QP*, dq = M dθ),    ∂ℓ/∂θ = Mᵀ x̃  with  x̃ = ∂ℓ/∂q of QP* = kktBackward(QP*, g).dq,
 *
 * and the constraint data get kktBackward's dl, du, dA unchanged (the same terms appear). The
 * objective family supplies M's products (`mixedJvp`, `mixedVjp`).
 */
import type { DenseMatrix } from '../qp/types';
import type { GradOptions } from '../grad/types';
import { kktBackward } from '../grad/kkt';
import { jvp } from '../grad/jacobian';
import type { SmoothObjective, SqpResult } from './sqp';

/** φ(x; θ), a smooth convex objective for every parameter θ ∈ ℝ^paramSize. */
export interface ParametricObjective {
  readonly n: number;
  readonly paramSize: number;
  /** φ(·; θ). */
  at(theta: Float64Array): SmoothObjective;
  /** M dθ = (∂∇ₓφ/∂θ)(x; θ)·dθ, length n. */
  mixedJvp(x: Float64Array, theta: Float64Array, dtheta: Float64Array): Float64Array;
  /** Mᵀv, length paramSize. */
  mixedVjp(x: Float64Array, theta: Float64Array, v: Float64Array): Float64Array;
}

export interface SqpGradients {
  /** ∂ℓ/∂θ. */
  dtheta: Float64Array;
  /** x̃ = ∂ℓ/∂q of the QP at the solution (the adjoint; ∂ℓ/∂θ = Mᵀx̃). */
  adjoint: Float64Array;
  dl: Float64Array;
  du: Float64Array;
  dA: DenseMatrix;
}

function checkSolved(sol: SqpResult): void {
  if (sol.status !== 'solved')
    throw new Error(`cannot differentiate: the SQP solve ended with status '${sol.status}'`);
}

/** ∂ℓ/∂θ (and ∂ℓ/∂l, ∂ℓ/∂u, ∂ℓ/∂A) for a loss with ∂ℓ/∂x* = g, at θ's SQP solution `sol`. */
export function sqpBackward(
  family: ParametricObjective,
  theta: Float64Array,
  sol: SqpResult,
  g: ArrayLike<number>,
  options: GradOptions = {},
): SqpGradients {
  checkSolved(sol);
  const grads = kktBackward(sol.qp.problem, sol.qp.result, g, options);
  return {
    dtheta: family.mixedVjp(sol.x, theta, grads.dq),
    adjoint: grads.dq,
    dl: grads.dl,
    du: grads.du,
    dA: grads.dA,
  };
}

/** dx* = (∂x* / ∂θ)·dθ by forward mode. */
export function sqpJvp(
  family: ParametricObjective,
  theta: Float64Array,
  sol: SqpResult,
  dtheta: Float64Array,
  options: GradOptions = {},
): Float64Array {
  checkSolved(sol);
  const dq = family.mixedJvp(sol.x, theta, dtheta);
  return jvp(sol.qp.problem, sol.qp.result, { dq }, options).dx;
}
