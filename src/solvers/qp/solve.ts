import type { AnyQpProblem, QpResult, QpSettings, QpStatus, WarmStart } from './types';
import { DEFAULT_SETTINGS } from './types';
import { validateProblem, validateSettings } from './validate';
import { FactorCache } from './factorCache';
import { CpuBackend, createWorkspace } from './backend-cpu';
import { runAdmmAsync, runAdmmSync, type AdmmOutcome, type DriverRequest } from './driver';
import { Turns } from '../turns';
import {
  assembleResult,
  failedResult,
  prepareProblem,
  scaleStructure,
  type PreparedProblem,
  type ScaledStructure,
} from './prepared';
import { chooseLinSys } from './linsys-path';
import { FactorizationError } from '../linalg/linsys';
import { FactorTooLargeError } from '../linalg/sparse/ldl';
import { errorMessage } from '../errors';
import { Deadline, DeadlineError } from '../deadline';

export { activeSet, failedResult } from './prepared';

export function resolveSettings(settings?: Partial<QpSettings>): QpSettings {
  const s = { ...DEFAULT_SETTINGS };
  if (settings)
    for (const [k, v] of Object.entries(settings))
      if (v !== undefined) (s as Record<string, unknown>)[k] = v;
  return s;
}

/**
 * The status of a setup that threw: a factorization failure after validation means P is
 * (numerically) not PSD; the deadline is the time limit; anything else (a factor over the memory
 * limit included) is invalid input.
 */
export function errorStatus(e: unknown): QpStatus {
  if (e instanceof FactorizationError) return 'non_convex';
  if (e instanceof DeadlineError) return 'time_limit_reached';
  return 'invalid_input';
}

/** The message of a setup that threw (a stop at the deadline says there is no iterate). */
function setupMessage(e: unknown): string {
  if (e instanceof DeadlineError) return `${e.message} (setup), before any iterate`;
  if (e instanceof FactorTooLargeError) return `the problem is too large: ${e.message}`;
  return errorMessage(e);
}

/** The result of a setup that threw. */
export function setupFailure(p: AnyQpProblem, e: unknown, t0: number): QpResult {
  return failedResult(p, errorStatus(e), setupMessage(e), t0);
}

/**
 * Chooses the structure's linear system (by size and density unless settings.linsys forces one)
 * and scales it once, in that system's storage; the cost scaling takes the largest of qList.
 */
export function scaleForCpu(
  structure: AnyQpProblem,
  s: QpSettings,
  qList: Float64Array[],
  deadline?: Deadline,
): ScaledStructure {
  const choice = chooseLinSys(structure, s, deadline);
  return scaleStructure(structure, s, qList, choice, deadline);
}

/** The factorizations of a scaled structure (sparse: on its analysis, under the memory limit). */
export function factorCacheFor(st: ScaledStructure, s: QpSettings, capacity = 1): FactorCache {
  return new FactorCache(st.P, st.A, s.sigma, {
    capacity,
    analysis: st.analysis,
    maxFactorBytes: s.max_factor_bytes > 0 ? s.max_factor_bytes : undefined,
  });
}

/** The driver's input for one prepared problem on the CPU backend, and that backend. */
export function cpuRun(
  pp: PreparedProblem,
  s: QpSettings,
  factors: FactorCache,
  rho: number,
  t0: number,
): { backend: CpuBackend; request: DriverRequest; deadline: Deadline; setupMs: number } {
  const deadline = Deadline.of(t0, s.time_limit);
  const backend = new CpuBackend([createWorkspace(pp, s, factors, rho, deadline)], deadline);
  const setupMs = performance.now() - t0;
  const request: DriverRequest = {
    problems: [pp],
    settings: s,
    rho: Float64Array.of(backend.workspaces[0].rho),
    t0,
    setupMs,
  };
  return { backend, request, deadline, setupMs };
}

/** One problem ready to run on the CPU backend, or the result of its refusal. */
export type CpuJob = {
  problem: AnyQpProblem;
  t0: number;
  s: QpSettings;
  pp: PreparedProblem;
  factors: FactorCache;
  backend: CpuBackend;
  request: DriverRequest;
  deadline: Deadline;
  /** This solve's setup (validation, scaling, first factorization), ms. */
  setupMs: number;
};

/**
 * Validation, the choice of linear system, scaling, the first factorization and the backend of one
 * problem (the part before ADMM), all within the time limit.
 */
export function cpuJob(
  problem: AnyQpProblem,
  settings: Partial<QpSettings> | undefined,
  warm: WarmStart | undefined,
): CpuJob | QpResult {
  const t0 = performance.now();
  const s = resolveSettings(settings);
  const bad = validateSettings(s);
  if (bad) return failedResult(problem, 'invalid_input', bad, t0);
  const deadline = Deadline.of(t0, s.time_limit);
  try {
    const v = validateProblem(problem, deadline);
    if (v) return failedResult(problem, v.status, v.message, t0);
    const st = scaleForCpu(problem, s, [problem.q], deadline);
    const factors = factorCacheFor(st, s);
    const pp = prepareProblem(st, problem, s, warm);
    return { problem, t0, s, pp, factors, ...cpuRun(pp, s, factors, s.rho, t0) };
  } catch (e) {
    return setupFailure(problem, e, t0);
  }
}

/** The result of a job from its driver outcomes (a thrown factorization failure becomes one). */
export function finishJob(job: CpuJob, outcomes: () => AdmmOutcome[]): QpResult {
  try {
    return assembleResult(job.pp, outcomes()[0], job.s, job.t0, {
      factors: job.factors,
      setupMs: job.setupMs,
      deadline: job.deadline,
    });
  } catch (e) {
    return setupFailure(job.problem, e, job.t0);
  }
}

/**
 * Validates, chooses the linear system (dense or sparse), scales, factors and solves one QP
 * (OSQP's ADMM in Float64). Takes dense (QpProblem) or sparse (SparseQpProblem) data.
 */
export function solveQp(
  problem: AnyQpProblem,
  settings?: Partial<QpSettings>,
  warm?: WarmStart,
): QpResult {
  const job = cpuJob(problem, settings, warm);
  return 'backend' in job ? finishJob(job, () => runAdmmSync(job.backend, job.request)) : job;
}

/** As solveQp, giving the event loop a turn every few tens of ms (for workers). */
export async function solveQpAsync(
  problem: AnyQpProblem,
  settings?: Partial<QpSettings>,
  warm?: WarmStart,
  turns: Turns = new Turns(),
): Promise<QpResult> {
  await turns.maybe();
  const job = cpuJob(problem, settings, warm);
  if (!('backend' in job)) return job;
  let out: AdmmOutcome[];
  try {
    out = await runAdmmAsync(job.backend, job.request, turns);
  } catch (e) {
    return finishJob(job, () => {
      throw e;
    });
  }
  return finishJob(job, () => out);
}
