/**
 * `--time-limit` as a bound on the whole command. The solver sees its deadline everywhere that
 * takes time (validation, the ordering, scaling, factorizations, ρ updates, iterations, polishing;
 * src/solvers/deadline.ts), so each problem is solved in this thread with the time left until the
 * command's deadline: a problem stopped in setup reports `time_limit_reached` without an iterate,
 * one stopped while iterating keeps its last iterate, and problems not started before the deadline
 * report `time_limit_reached` too.
 */
import { solveQp } from '../solvers/qp';
import type { ActiveKind, AnyQpProblem, QpResult, QpSettings } from '../solvers/qp';

export const NOT_STARTED = 'the time limit ran out before this problem was started';

/** Result of a problem that ran out of time without an iterate. */
export function timeLimitResult(
  p: Pick<AnyQpProblem, 'n' | 'm'>,
  message: string,
  timeMs: number,
): QpResult {
  return {
    status: 'time_limit_reached',
    message,
    x: new Float64Array(p.n).fill(NaN),
    y: new Float64Array(p.m).fill(NaN),
    z: new Float64Array(p.m).fill(NaN),
    obj: NaN,
    iter: 0,
    prim_res: NaN,
    dual_res: NaN,
    time_ms: timeMs,
    active: new Array<ActiveKind>(p.m).fill('inactive'),
    rho: NaN,
    rho_updates: 0,
    polish: 'not_run',
  };
}

/**
 * Solves `problems` one after another on the CPU engine, each with the time left until `deadline`
 * (a Date.now() time) as its time_limit.
 */
export function solveWithinDeadline(
  problems: AnyQpProblem[],
  settings: Partial<QpSettings>,
  deadline: number,
): QpResult[] {
  return problems.map((p) => {
    const left = (deadline - Date.now()) / 1000;
    if (left <= 0) return timeLimitResult(p, NOT_STARTED, 0);
    return solveQp(p, { ...settings, time_limit: left });
  });
}
