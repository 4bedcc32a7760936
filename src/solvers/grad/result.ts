import type { ActiveKind, QpProblem, QpResult } from '../qp/types';
import { matVec } from '../linalg/dense';

/** A QpResult for an exactly known primal–dual pair (surrogate problems, fixtures, CLI input). */
export function exactResultOf(
  problem: QpProblem,
  x: Float64Array,
  y: Float64Array,
  active: ActiveKind[],
  obj = NaN,
): QpResult {
  return {
    status: 'solved',
    x,
    y,
    z: matVec(problem.A, x),
    obj,
    iter: 0,
    prim_res: 0,
    dual_res: 0,
    time_ms: 0,
    active,
    rho: 0,
    rho_updates: 0,
    polish: 'not_run',
  };
}
