/**
 * Worker side of "Step through ADMM" (Geometry panel): the solver's own walk of one small problem,
 * served k iterations at a time from an AdmmTrace (src/solvers/qp/trace.ts) that the worker keeps
 * between requests. Each request carries the whole problem and its settings, so a restarted worker
 * (or another walk in between) simply rebuilds the trace and replays it: the walk is deterministic.
 *
 * The walk always runs on the CPU engine (Float64): recording every single iteration is what the
 * CPU backend can do at no cost, and a GPU submit per iteration would only be slower.
 */
import { AdmmTrace, type AdmmStep, type RhoChange } from '../solvers/qp/trace';
import type { QpProblem, QpResult, QpSettings } from '../solvers/qp/types';
import type { BatchRun } from './protocol';

/** The walk is for small, picture-sized problems. */
export const WALK_MAX_N = 50;
export const WALK_MAX_M = 100;
/** Iterations per reply at most (the page asks again for more). */
export const WALK_MAX_COUNT = 2000;

/** The settings a student may change, over the Geometry solve's own. */
export type WalkSettings = Partial<Pick<QpSettings, 'rho' | 'sigma' | 'adaptive_rho'>>;

export interface AdmmWalkRequest {
  problem: QpProblem;
  /** The Geometry solve's settings (tolerances, polish) with the student's ρ, σ, adaptive ρ. */
  settings: Partial<QpSettings>;
  /** First iteration wanted (0 = the starting point). */
  from: number;
  /** How many iterations from there (the reply may hold fewer once the solver has stopped). */
  count: number;
}

/** One iterate as it crosses to the page. */
export interface WalkStep {
  k: number;
  x: number[];
  z: number[];
  prim: number;
  dual: number;
  epsPrim: number;
  epsDual: number;
  rho: number;
}

export interface AdmmWalkReply {
  steps: WalkStep[];
  /** Iterates the solver made in all, once it has stopped (iterations + 1); null while running. */
  total: number | null;
  rhoChanges: RhoChange[];
  /** The solver's result once it has stopped (polished x* when the settings ask for polish). */
  result: QpResult | null;
  run: BatchRun;
}

const RUN: BatchRun = {
  engine: 'cpu',
  method: 'Float64 ADMM, every iterate recorded',
  reason: 'the step-through runs on the CPU engine, which records each iteration',
  problems: 1,
  resolved: 0,
};

function checkRequest(req: AdmmWalkRequest): void {
  const { problem, from, count } = req;
  if (!(problem.n >= 1 && problem.n <= WALK_MAX_N && problem.m <= WALK_MAX_M))
    throw new Error(
      `the step-through is for small problems (n ≤ ${WALK_MAX_N}, m ≤ ${WALK_MAX_M}); got n = ${problem.n}, m = ${problem.m}`,
    );
  if (!Number.isInteger(from) || from < 0)
    throw new Error(`from must be an integer ≥ 0, got ${from}`);
  if (!Number.isInteger(count) || count < 1 || count > WALK_MAX_COUNT)
    throw new Error(`count must be an integer in [1, ${WALK_MAX_COUNT}], got ${count}`);
}

/** What identifies a walk: the problem's data and the settings. */
function walkKey(req: AdmmWalkRequest): string {
  const p = req.problem;
  const v = (a: ArrayLike<number>) => Array.from(a).join(',');
  return [p.n, p.m, v(p.P.data), v(p.q), v(p.A.data), v(p.l), v(p.u), JSON.stringify(req.settings)]
    .join('|')
    .replace(/Infinity/g, 'inf');
}

const toWire = (s: AdmmStep): WalkStep => ({
  k: s.k,
  x: Array.from(s.x),
  z: Array.from(s.z),
  prim: s.prim,
  dual: s.dual,
  epsPrim: s.epsPrim,
  epsDual: s.epsDual,
  rho: s.rho,
});

/** The worker's current walk (one at a time: the page shows one). */
export class AdmmWalks {
  private key = '';
  private trace: AdmmTrace | null = null;

  /** Iterates [from, from + count) of the request's walk, advancing the solver only as needed. */
  serve(req: AdmmWalkRequest): AdmmWalkReply {
    checkRequest(req);
    const key = walkKey(req);
    if (key !== this.key || !this.trace) {
      this.key = key;
      this.trace = new AdmmTrace(req.problem, req.settings);
    }
    const trace = this.trace;
    const end = req.from + req.count;
    // Stops early only when the solver has (then `total` and `result` say so).
    if (trace.steps.length < end) trace.advance(end - trace.steps.length);
    return {
      steps: trace.steps.slice(req.from, end).map(toWire),
      total: trace.done ? trace.steps.length : null,
      rhoChanges: [...trace.rhoChanges],
      result: trace.result,
      run: RUN,
    };
  }
}
