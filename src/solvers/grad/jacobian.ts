/**
 * Forward mode through the argmin: the JVP dx* = (∂x* / ∂θ) dθ and the full Jacobians ∂x* / ∂q, ∂x* / ∂l,
 * ∂x* / ∂u, ∂x* / ∂P and ∂x* / ∂A for small problems (Sobolev training uses them as targets). Same active-set KKT system as
 * the backward pass (kkt.ts): differentiating K [x; y_𝒜] = [−q; b_𝒜] gives
 *
 *   K [dx; dy_𝒜] = [−dq − dP x − dA_𝒜ᵀ y_𝒜 ; db_𝒜 − dA_𝒜 x].
 */
import type { DenseMatrix, QpProblem, QpResult } from '../qp/types';
import { zeros } from '../linalg/dense';
import type { GradOptions } from './types';
import {
  activeSetOf,
  boundPerturbation,
  buildKktSystem,
  checkBackwardInput,
  solveKkt,
} from './kkt';

/** A perturbation of the problem data; missing parts are zero. dP should be symmetric. */
export interface DataDirection {
  dq?: Float64Array;
  dl?: Float64Array;
  du?: Float64Array;
  dP?: DenseMatrix;
  dA?: DenseMatrix;
}

/** dx* along `dir`, and dy for the binding rows (zero elsewhere). */
export function jvp(
  problem: QpProblem,
  result: QpResult,
  dir: DataDirection,
  options: GradOptions = {},
): { dx: Float64Array; dy: Float64Array } {
  return forwardMode(problem, result, options)(dir);
}

/**
 * The JVP as a function of the direction, with the active-set KKT system factored once: the full
 * Jacobians below apply it to every coordinate direction.
 */
function forwardMode(
  problem: QpProblem,
  result: QpResult,
  options: GradOptions,
): (dir: DataDirection) => { dx: Float64Array; dy: Float64Array } {
  const { n, m } = problem;
  checkBackwardInput(problem, result, new Float64Array(n));
  const active = activeSetOf(problem, result, options.active);
  const sys = buildKktSystem(problem, active, options);
  const { x, y } = result;
  return (dir) => {
    const rhs = new Float64Array(n + active.rows.length);
    for (let j = 0; j < n; j++) {
      let s = -(dir.dq?.[j] ?? 0);
      if (dir.dP) for (let k = 0; k < n; k++) s -= dir.dP.data[j * n + k] * x[k];
      rhs[j] = s;
    }
    active.rows.forEach((i, k) => {
      let b = boundPerturbation(active.kinds[k], y[i], dir.dl?.[i] ?? 0, dir.du?.[i] ?? 0);
      if (dir.dA) {
        for (let j = 0; j < n; j++) {
          const a = dir.dA.data[i * n + j];
          rhs[j] -= a * y[i];
          b -= a * x[j];
        }
      }
      rhs[n + k] = b;
    });
    const t = solveKkt(sys, rhs);
    const dy = new Float64Array(m);
    active.rows.forEach((i, k) => (dy[i] = t[n + k]));
    return { dx: t.slice(0, n), dy };
  };
}

/**
 * Jacobians of x* with respect to the matrices, for small problems:
 *  - dP is n × n(n+1)/2, one column per entry (i ≤ j) of the upper triangle, the symmetric
 *    direction E_ij + E_ji (E_ii on the diagonal), in row-major order of (i, j);
 *  - dA is n × mn, column i·n + j for the entry A_ij.
 */
export interface MatrixJacobian {
  dP: DenseMatrix;
  dA: DenseMatrix;
}

export function matrixJacobian(
  problem: QpProblem,
  result: QpResult,
  options: GradOptions = {},
): MatrixJacobian {
  const { n, m } = problem;
  const along = forwardMode(problem, result, options);
  const dP = zeros(n, (n * (n + 1)) / 2);
  const E = zeros(n, n);
  let col = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++, col++) {
      E.data[i * n + j] = 1;
      E.data[j * n + i] = 1;
      const { dx } = along({ dP: E });
      for (let r = 0; r < n; r++) dP.data[r * dP.cols + col] = dx[r];
      E.data[i * n + j] = 0;
      E.data[j * n + i] = 0;
    }
  }
  const dA = zeros(n, m * n);
  const F = zeros(m, n);
  for (let k = 0; k < m * n; k++) {
    F.data[k] = 1;
    const { dx } = along({ dA: F });
    for (let r = 0; r < n; r++) dA.data[r * dA.cols + k] = dx[r];
    F.data[k] = 0;
  }
  return { dP, dA };
}

/** Full Jacobians of x* with respect to q (n×n), l (n×m) and u (n×m). */
export interface SolutionJacobian {
  dq: DenseMatrix;
  dl: DenseMatrix;
  du: DenseMatrix;
}

export function solutionJacobian(
  problem: QpProblem,
  result: QpResult,
  options: GradOptions = {},
): SolutionJacobian {
  const { n, m } = problem;
  checkBackwardInput(problem, result, new Float64Array(n));
  const active = activeSetOf(problem, result, options.active);
  const sys = buildKktSystem(problem, active, options);
  const N = n + active.rows.length;
  /** Column c of the x-block of K⁻¹. */
  const column = (c: number): Float64Array => {
    const e = new Float64Array(N);
    e[c] = 1;
    return solveKkt(sys, e).subarray(0, n);
  };
  const J = { dq: zeros(n, n), dl: zeros(n, m), du: zeros(n, m) };
  for (let j = 0; j < n; j++) {
    const col = column(j);
    for (let r = 0; r < n; r++) J.dq.data[r * n + j] = -col[r];
  }
  active.rows.forEach((i, k) => {
    const col = column(n + k);
    const wl = boundPerturbation(active.kinds[k], result.y[i], 1, 0);
    const wu = boundPerturbation(active.kinds[k], result.y[i], 0, 1);
    for (let r = 0; r < n; r++) {
      J.dl.data[r * m + i] = wl * col[r];
      J.du.data[r * m + i] = wu * col[r];
    }
  });
  return J;
}
