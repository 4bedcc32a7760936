/**
 * Central finite differences of the linearized loss φ(θ) = gᵀx*(θ), a checker for every other
 * method: dθ_j ≈ [φ(θ + h e_j) − φ(θ − h e_j)] / 2h with tight forward solves warm-started at x*.
 * x* is piecewise affine in (q, l, u), so away from active-set changes the only error there is
 * the forward solver's; in P and A the truncation error is O(h²).
 */
import type { QpProblem, QpResult, QpSettings } from '../qp/types';
import { solveQp } from '../qp';
import type { GradOptions, QpGradients } from './types';
import { activeSetOf, checkBackwardInput, splitBoundGradient } from './kkt';
import { zeroGradients } from './vec';

export const DEFAULT_FD_STEP = 1e-6;

/** Forward settings tight enough for differences at h ≈ 1e-6: eps 1e-9 and polishing. */
export const TIGHT_SETTINGS: Partial<QpSettings> = Object.freeze({
  eps_abs: 1e-9,
  eps_rel: 1e-9,
  polish: true,
  max_iter: 50_000,
});

/** A forward solver for a perturbed problem, warm-started at the unperturbed solution. */
export type ForwardSolve = (
  problem: QpProblem,
  warm: { x: Float64Array; y: Float64Array },
) => Float64Array;

/** The engine's solveQp with tight settings; throws if a perturbed problem does not solve. */
export function engineForwardSolve(settings: Partial<QpSettings> = {}): ForwardSolve {
  return (problem, warm) => {
    const res = solveQp(problem, { ...TIGHT_SETTINGS, ...settings }, warm);
    if (res.status !== 'solved') {
      throw new Error(
        `finite differences: a perturbed forward solve ended with status '${res.status}'`,
      );
    }
    return res.x;
  };
}

/** Shallow copy with fresh copies of the data arrays, so perturbations stay local. */
function cloneProblem(p: QpProblem): QpProblem {
  return {
    ...p,
    P: { ...p.P, data: Float64Array.from(p.P.data) },
    q: Float64Array.from(p.q),
    A: { ...p.A, data: Float64Array.from(p.A.data) },
    l: Float64Array.from(p.l),
    u: Float64Array.from(p.u),
  };
}

export function fdBackward(
  problem: QpProblem,
  result: QpResult,
  g: ArrayLike<number>,
  options: GradOptions & { solve?: ForwardSolve } = {},
): QpGradients {
  checkBackwardInput(problem, result, g);
  const { n, m } = problem;
  const h = options.fdStep ?? DEFAULT_FD_STEP;
  if (!(h > 0)) throw new Error(`fdStep must be > 0, got ${h}`);
  const solve = options.solve ?? engineForwardSolve(options.settings);
  const warm = { x: result.x, y: result.y };
  const work = cloneProblem(problem);
  const phi = (): number => {
    const x = solve(work, warm);
    let s = 0;
    for (let j = 0; j < n; j++) s += g[j] * x[j];
    return s;
  };
  /** Central difference of φ along the perturbation applied by `bump(±h)` (which must undo itself with 0). */
  const central = (bump: (t: number) => void): number => {
    bump(h);
    const plus = phi();
    bump(-h);
    const minus = phi();
    bump(0);
    return (plus - minus) / (2 * h);
  };
  const grads = zeroGradients(n, m);
  for (let j = 0; j < n; j++) {
    const q0 = problem.q[j];
    grads.dq[j] = central((t) => (work.q[j] = q0 + t));
  }
  const kinds = activeSetOf(problem, result, options.active);
  for (let i = 0; i < m; i++) {
    const l0 = problem.l[i];
    const u0 = problem.u[i];
    if (l0 === u0) {
      // Only dl + du exists; split it like the analytic methods (docs/gradients.md).
      const db = central((t) => ((work.l[i] = l0 + t), (work.u[i] = u0 + t)));
      const k = kinds.rows.indexOf(i);
      [grads.dl[i], grads.du[i]] =
        k >= 0 ? splitBoundGradient('equality', result.y[i], db) : [db / 2, db / 2];
      continue;
    }
    if (Number.isFinite(l0)) grads.dl[i] = central((t) => (work.l[i] = l0 + t));
    if (Number.isFinite(u0)) grads.du[i] = central((t) => (work.u[i] = u0 + t));
  }
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const pij = problem.P.data[i * n + j];
      const pji = problem.P.data[j * n + i];
      // Symmetric perturbation E_ij + E_ji: its derivative is 2·dP_ij off the diagonal.
      const d = central(
        (t) => ((work.P.data[i * n + j] = pij + t), (work.P.data[j * n + i] = pji + t)),
      );
      const v = i === j ? d : d / 2;
      grads.dP.data[i * n + j] = v;
      grads.dP.data[j * n + i] = v;
    }
  }
  for (let k = 0; k < m * n; k++) {
    const a0 = problem.A.data[k];
    grads.dA.data[k] = central((t) => (work.A.data[k] = a0 + t));
  }
  return grads;
}
