/**
 * BPQP (Pan et al., Theorem 1, Eq. 10–13): the backward pass is itself a QP. With the binding rows
 * 𝒜 of the forward solution turned into equalities, the adjoint [x̃; ỹ] is the primal–dual solution of
 *
 *   minimize ½x̃ᵀPx̃ + gᵀx̃   s.t.  A_𝒜 x̃ = 0                                      (Eq. 13)
 *
 * which we solve with the same ADMM engine (rows with l = u = 0; inactive rows dropped), with the
 * δ-regularization of Eq. 10 (P + δI keeps the backward QP strictly convex even when P is
 * singular), then recover the exact adjoint by iterative refinement against the unregularized KKT
 * matrix (Eq. 11). OSQP's dual has the sign of ν̃: (P + δI)x̃ + g + A_𝒜ᵀỹ = 0. Eq. 12 then gives
 * the gradients (gradientsFromAdjoint).
 */
import type { QpProblem, QpResult, QpSettings } from '../qp/types';
import { solveQp } from '../qp';
import type { GradOptions, QpGradients } from './types';
import {
  activeRowsOf,
  activeSetOf,
  buildKktSystem,
  checkBackwardInput,
  DEFAULT_DELTA,
  gradientsFromAdjoint,
  solveKkt,
  type ActiveSet,
} from './kkt';
import { TIGHT_SETTINGS } from './fd';

/** Refinement steps of Eq. 11 for BPQP; 0 returns the ADMM adjoint as is. */
export const DEFAULT_BPQP_REFINE = 3;

/** The backward QP of Eq. 13 (with P + δI as in Eq. 10). */
export function backwardQp(
  problem: QpProblem,
  active: ActiveSet,
  g: ArrayLike<number>,
  delta: number,
): QpProblem {
  const { n } = problem;
  const P = { rows: n, cols: n, data: Float64Array.from(problem.P.data) };
  for (let i = 0; i < n; i++) P.data[i * n + i] += delta;
  const k = active.rows.length;
  return {
    n,
    m: k,
    P,
    q: Float64Array.from(g),
    r: 0,
    A: activeRowsOf(problem.A, active.rows),
    l: new Float64Array(k),
    u: new Float64Array(k),
  };
}

export interface BpqpDiagnostics {
  /** Status and ADMM iterations of the backward solve. */
  status: QpResult['status'];
  iter: number;
}

export function bpqpBackward(
  problem: QpProblem,
  result: QpResult,
  g: ArrayLike<number>,
  options: GradOptions & { onSolved?: (d: BpqpDiagnostics) => void } = {},
): QpGradients {
  checkBackwardInput(problem, result, g);
  const { n } = problem;
  const active = activeSetOf(problem, result, options.active);
  const delta = options.delta ?? DEFAULT_DELTA;
  if (!(delta > 0)) throw new Error(`delta must be > 0, got ${delta}`);
  const settings: Partial<QpSettings> = { ...TIGHT_SETTINGS, ...options.settings };
  const back = solveQp(backwardQp(problem, active, g, delta), settings);
  options.onSolved?.({ status: back.status, iter: back.iter });
  if (back.status !== 'solved' && back.status !== 'solved_inaccurate') {
    throw new Error(
      `BPQP: the backward QP ended with status '${back.status}'${back.message ? `: ${back.message}` : ''}`,
    );
  }
  let xt = back.x;
  let yt = back.y;
  const refineIter = options.refineIter ?? DEFAULT_BPQP_REFINE;
  if (refineIter > 0) {
    const sys = buildKktSystem(problem, active, { ...options, refineIter });
    const rhs = new Float64Array(n + active.rows.length);
    for (let j = 0; j < n; j++) rhs[j] = -g[j];
    const start = new Float64Array(rhs.length);
    start.set(back.x);
    start.set(back.y, n);
    const t = solveKkt(sys, rhs, start);
    xt = t.slice(0, n);
    yt = t.slice(n);
  }
  return gradientsFromAdjoint(problem, result.x, result.y, active, xt, yt);
}
