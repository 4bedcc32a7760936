/**
 * The zero-gradient problem (Veviurko et al., "You Shall Pass", Sec. 3.1).
 *
 * N(x̂) = span{n_i : i ∈ I(x̂)} is spanned by the normals of the binding rows (a_i for row i). Under
 * strict complementarity N(x̂) lies in the left null space of ∂x* / ∂ŵ for any parameter ŵ of the
 * objective (Lemma 3.7), so the part of the loss gradient ∇ₓ inside N(x̂) never reaches ŵ, and a
 * gradient inside N(x̂) is lost entirely (Theorem 3.8).
 */
import type { QpProblem, QpResult } from '../qp/types';
import type { GradOptions } from './types';
import { activeSetOf } from './kkt';
import { orthonormalBasis, projectOntoSpan } from './subspace';
import { norm2, sub } from './vec';

/** Orthonormal basis of N(x̂), the span of the binding rows' normals a_i (equality rows included). */
export function activeNormalSpan(
  problem: QpProblem,
  result: QpResult,
  options: GradOptions = {},
): Float64Array[] {
  const { n } = problem;
  const active = activeSetOf(problem, result, options.active);
  return orthonormalBasis(active.rows.map((i) => problem.A.data.subarray(i * n, (i + 1) * n)));
}

export interface ZeroGradientReport {
  /** ‖∇ₓ‖₂ of the loss gradient given. */
  gradNorm: number;
  /** ‖Π_N ∇ₓ‖₂: the part inside N(x̂), which implicit differentiation cannot pass back. */
  lostNorm: number;
  /** lostNorm / gradNorm ∈ [0, 1] (0 for a zero gradient). */
  lostFraction: number;
  /** ‖(I − Π_N)∇ₓ‖₂: the part that can still move x̂. */
  passedNorm: number;
  /** dim N(x̂). */
  dimN: number;
  /** True when passedNorm ≤ tol·gradNorm: the total gradient vanishes away from the optimum (Theorem 3.8). */
  zeroGradient: boolean;
}

/** How much of the loss gradient g = ∇ₓℓ (or the true gradient ∇ₓf) lies in N(x̂) and is lost. */
export function zeroGradientReport(
  problem: QpProblem,
  result: QpResult,
  g: ArrayLike<number>,
  options: GradOptions & { tol?: number } = {},
): ZeroGradientReport {
  if (g.length !== problem.n)
    throw new Error(`gradient has length ${g.length}, expected n = ${problem.n}`);
  const basis = activeNormalSpan(problem, result, options);
  const lost = projectOntoSpan(basis, g);
  const gradNorm = norm2(g);
  const lostNorm = norm2(lost);
  const passedNorm = norm2(sub(g, lost));
  const tol = options.tol ?? 1e-9;
  return {
    gradNorm,
    lostNorm,
    lostFraction: gradNorm > 0 ? lostNorm / gradNorm : 0,
    passedNorm,
    dimN: basis.length,
    zeroGradient: gradNorm > 0 && passedNorm <= tol * gradNorm,
  };
}
