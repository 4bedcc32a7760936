import type { QpProblem, QpResult, QpSettings, QpStatus, WarmStart } from './types';
import { DEFAULT_SETTINGS } from './types';
import { validateProblem, validateSettings } from './validate';
import { FactorCache } from './factorCache';
import { CpuBackend, createWorkspace } from './backend-cpu';
import { runAdmmAsync, runAdmmSync, type AdmmOutcome, type DriverRequest } from './driver';
import {
  assembleResult,
  failedResult,
  prepareProblem,
  scaleStructure,
  type PreparedProblem,
} from './prepared';
import { FactorizationError } from '../linalg/linsys';
import { errorMessage } from '../errors';

export { activeSet, failedResult } from './prepared';

export function resolveSettings(settings?: Partial<QpSettings>): QpSettings {
  const s = { ...DEFAULT_SETTINGS };
  if (settings)
    for (const [k, v] of Object.entries(settings))
      if (v !== undefined) (s as Record<string, unknown>)[k] = v;
  return s;
}

/** A factorization failure after validation means P is (numerically) not PSD. */
export function errorStatus(e: unknown): QpStatus {
  return e instanceof FactorizationError ? 'non_convex' : 'invalid_input';
}

/** The driver's input for one prepared problem on the CPU backend, and that backend. */
export function cpuRun(
  pp: PreparedProblem,
  s: QpSettings,
  factors: FactorCache,
  rho: number,
  t0: number,
): { backend: CpuBackend; request: DriverRequest } {
  const backend = new CpuBackend([createWorkspace(pp, s, factors, rho)]);
  const request: DriverRequest = {
    problems: [pp],
    settings: s,
    rho: Float64Array.of(backend.workspaces[0].rho),
    t0,
    setupMs: performance.now() - t0,
  };
  return { backend, request };
}

/** One problem ready to run on the CPU backend, or the result of its refusal. */
export type CpuJob = {
  problem: QpProblem;
  t0: number;
  s: QpSettings;
  pp: PreparedProblem;
  backend: CpuBackend;
  request: DriverRequest;
};

/** Validation, preparation and the backend of one problem (the part before ADMM). */
export function cpuJob(
  problem: QpProblem,
  settings: Partial<QpSettings> | undefined,
  warm: WarmStart | undefined,
): CpuJob | QpResult {
  const t0 = performance.now();
  const s = resolveSettings(settings);
  const bad = validateSettings(s);
  if (bad) return failedResult(problem, 'invalid_input', bad, t0);
  const v = validateProblem(problem);
  if (v) return failedResult(problem, v.status, v.message, t0);
  try {
    const st = scaleStructure(problem, s);
    const factors = new FactorCache(st.P, st.A, s.sigma);
    const pp = prepareProblem(st, problem, s, warm);
    return { problem, t0, s, pp, ...cpuRun(pp, s, factors, s.rho, t0) };
  } catch (e) {
    return failedResult(problem, errorStatus(e), errorMessage(e), t0);
  }
}

/** The result of a job from its driver outcomes (a thrown factorization failure becomes one). */
function finish(job: CpuJob, outcomes: () => AdmmOutcome[]): QpResult {
  try {
    return assembleResult(job.pp, outcomes()[0], job.s, job.t0);
  } catch (e) {
    return failedResult(job.problem, errorStatus(e), errorMessage(e), job.t0);
  }
}

/** Validates, scales, factors and solves one QP (OSQP's ADMM, dense Float64). */
export function solveQp(
  problem: QpProblem,
  settings?: Partial<QpSettings>,
  warm?: WarmStart,
): QpResult {
  const job = cpuJob(problem, settings, warm);
  return 'backend' in job ? finish(job, () => runAdmmSync(job.backend, job.request)) : job;
}

/** As solveQp, giving the event loop a turn every few tens of ms (for workers). */
export async function solveQpAsync(
  problem: QpProblem,
  settings?: Partial<QpSettings>,
  warm?: WarmStart,
): Promise<QpResult> {
  const job = cpuJob(problem, settings, warm);
  if (!('backend' in job)) return job;
  let out: AdmmOutcome[];
  try {
    out = await runAdmmAsync(job.backend, job.request);
  } catch (e) {
    return finish(job, () => {
      throw e;
    });
  }
  return finish(job, () => out);
}
