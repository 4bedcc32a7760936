/**
 * Setup once, update often (OSQP's `osqp_setup` / `osqp_update_data_vec` / `osqp_solve`) on the CPU
 * engine: a structure (P, A) is validated and scaled once, its factorizations are cached by ρ and
 * kept across solves, each problem keeps its last ρ and may start from its last solution. Only the
 * parameter vectors q, l, u change between solves. The scaling (D, E, c) is fixed at setup, as in
 * OSQP: later q are scaled with the setup's c.
 */
import type {
  AnyQpProblem,
  DenseMatrix,
  QpProblem,
  QpResult,
  QpSettings,
  QpStatus,
  WarmStart,
} from './types';
import { validateMatrices, validateSettings, validateVectors } from './validate';
import type { FactorCache } from './factorCache';
import { runAdmmAsync, runAdmmSync } from './driver';
import { Turns } from '../turns';
import {
  failedResult,
  prepareProblem,
  scaleStructure,
  withParams,
  type QpParams,
  type ScaledStructure,
} from './prepared';
import {
  cpuRun,
  factorCacheFor,
  finishJob,
  resolveSettings,
  scaleForCpu,
  setupFailure,
  type CpuJob,
} from './solve';
import { errorMessage } from '../errors';
import { isCsc } from './matrix';
import type { AdjointStructure } from '../grad/kkt-sparse';

/** A structure that cannot be set up (invalid input, or a P that is not PSD). */
export class QpSetupError extends Error {
  override name = 'QpSetupError';
  constructor(
    readonly status: Extract<QpStatus, 'invalid_input' | 'non_convex'>,
    message: string,
  ) {
    super(message);
  }
}

/** How a handle's solve starts each problem: from its last solution, from given points, or cold. */
export type WarmOption = 'previous' | (WarmStart | undefined)[] | undefined;

/** Factorizations kept per structure (distinct ρ vectors met by its problems), at least. */
export const HANDLE_CACHE_SIZE = 8;
/** Memory the kept factorizations of one handle may take. */
const CACHE_BYTES = 256 * 2 ** 20;

/**
 * How many factorizations a handle keeps: one per problem when they fit in CACHE_BYTES (each
 * problem keeps its own ρ across solves, so a smaller cache would refactor on every solve of a
 * batch), at least HANDLE_CACHE_SIZE.
 */
export function cacheCapacity(n: number, problems: number): number {
  const fit = Math.floor(CACHE_BYTES / (8 * n * n));
  return Math.max(HANDLE_CACHE_SIZE, Math.min(problems, fit));
}

/** Validates a structure and settings; throws QpSetupError. */
export function checkSetup(structure: AnyQpProblem, settings?: Partial<QpSettings>): QpSettings {
  const s = resolveSettings(settings);
  const bad = validateSettings(s);
  if (bad) throw new QpSetupError('invalid_input', bad);
  const issue = validateMatrices(structure);
  if (issue) throw new QpSetupError(issue.status, issue.message);
  return s;
}

/** The well-formed q of a structure's parameter sets (a malformed one is reported at its solve). */
export function costVectors(structure: AnyQpProblem, params: QpParams[]): Float64Array[] {
  const qs = params
    .map((v) => v.q ?? structure.q)
    .filter(
      (q) => q instanceof Float64Array && q.length === structure.n && q.every(Number.isFinite),
    );
  return qs.length > 0 ? qs : [structure.q];
}

/**
 * Validates a dense structure and scales it once, densely (the WebGPU engine's handles), with the
 * cost scaling taken over the well-formed q of its parameter sets. Throws QpSetupError.
 */
export function setupStructure(
  structure: QpProblem,
  settings: Partial<QpSettings> | undefined,
  params: QpParams[],
): { settings: QpSettings; st: ScaledStructure<DenseMatrix> } {
  const s = checkSetup(structure, settings);
  return { settings: s, st: scaleStructure(structure, s, costVectors(structure, params)) };
}

/**
 * As setupStructure on the CPU engine: the structure may be dense or sparse, and its linear system
 * is chosen (by size and density, or as settings.linsys says) before it is scaled in that storage.
 */
export function setupCpuStructure(
  structure: AnyQpProblem,
  settings: Partial<QpSettings> | undefined,
  params: QpParams[],
): { settings: QpSettings; st: ScaledStructure } {
  const s = checkSetup(structure, settings);
  try {
    return { settings: s, st: scaleForCpu(structure, s, costVectors(structure, params)) };
  } catch (e) {
    throw new QpSetupError('invalid_input', errorMessage(e));
  }
}

/** The warm start problem i gets under `warm` (its last solution for 'previous'). */
/**
 * Statuses whose point is a good start for the next solve. An infeasible result's x and y are the
 * last, diverging iterate: starting from them cost 4× the iterations of a cold start (OSQP starts
 * cold after an infeasible solve too).
 */
const WARM_FROM = new Set<QpResult['status']>([
  'solved',
  'solved_inaccurate',
  'max_iter_reached',
  'time_limit_reached',
]);

/** Whether a result's final ρ is worth starting the next solve from (not an infeasible one's). */
export const keepsRho = (r: QpResult): boolean => WARM_FROM.has(r.status) && Number.isFinite(r.rho);

export function warmFor(
  warm: WarmOption,
  i: number,
  last: readonly (QpResult | undefined)[],
): WarmStart | undefined {
  if (warm === 'previous') {
    const r = last[i];
    return r && WARM_FROM.has(r.status) && r.x.every(Number.isFinite) && r.y.every(Number.isFinite)
      ? { x: r.x, y: r.y }
      : undefined;
  }
  return warm?.[i];
}

/** The CPU engine's handle on one structure with any number of parameter sets. */
export class CpuSolver {
  readonly n: number;
  readonly m: number;
  readonly settings: QpSettings;
  private readonly st: ScaledStructure;
  private readonly factors: FactorCache;
  private params: QpParams[];
  /** ρ each problem ends with, where the next solve starts (OSQP keeps ρ across solves). */
  private rho: number[] = [];
  /** The last solve's results, by problem. */
  results: QpResult[] = [];
  private readonly setupMs: number;
  private pendingSetupT0: number | null;

  constructor(
    readonly structure: AnyQpProblem,
    settings?: Partial<QpSettings>,
    params: QpParams[] = [{}],
    cacheSize = cacheCapacity(structure.n, params.length),
  ) {
    const t0 = performance.now();
    ({ settings: this.settings, st: this.st } = setupCpuStructure(structure, settings, params));
    this.n = structure.n;
    this.m = structure.m;
    this.params = params;
    this.factors = factorCacheFor(this.st, this.settings, cacheSize);
    this.setupMs = performance.now() - t0;
    this.pendingSetupT0 = t0;
  }

  get size(): number {
    return this.params.length;
  }

  /** The linear system the structure's solves use ('dense' or 'sparse'). */
  get linsys(): 'dense' | 'sparse' {
    return this.factors.storage;
  }

  /**
   * The forward's sparse KKT structure for a backward pass (its scaled P̄, Ā, the scaling, and
   * siblings of its factorization: no new ordering), once a sparse-path solve has factored it.
   */
  adjointStructure(): AdjointStructure | undefined {
    const kkt = this.factors.sparseSystem;
    if (!kkt || !isCsc(this.st.P) || !isCsc(this.st.A)) return undefined;
    return {
      factor: (sigma, rhoVec) => kkt.sibling(sigma, rhoVec),
      scaling: this.st.scaling,
      P: this.st.P,
      A: this.st.A,
    };
  }

  /** The problems as given (structure with each parameter set). */
  problems(): AnyQpProblem[] {
    return this.params.map((v) => withParams(this.structure, v));
  }

  /** Factorizations computed so far (cache misses). */
  get factorizations(): number {
    return this.factors.factorizations;
  }

  /** Replaces the parameter sets (their count may change). */
  update(params: QpParams[]): void {
    this.params = params;
    this.factors.capacity = Math.max(this.factors.capacity, cacheCapacity(this.n, params.length));
  }

  /** Solves every problem in turn (synchronously). */
  solveSync(warm?: WarmOption): QpResult[] {
    const problems = this.problems();
    this.results = problems.map((p, i) => {
      const t0 = this.startTime(i);
      const job = this.job(p, i, warm, t0);
      if ('status' in job) return job;
      return this.finish(
        i,
        finishJob(job, () => runAdmmSync(job.backend, job.request)),
      );
    });
    return this.results;
  }

  /** As solveSync, giving the event loop a turn every few tens of ms (within and between problems). */
  async solve(warm?: WarmOption, turns: Turns = new Turns()): Promise<QpResult[]> {
    const problems = this.problems();
    const out: QpResult[] = [];
    for (let i = 0; i < problems.length; i++) {
      await turns.maybe();
      const p = problems[i];
      const t0 = this.startTime(i);
      const job = this.job(p, i, warm, t0);
      if ('status' in job) {
        out.push(job);
        continue;
      }
      let outcomes: ReturnType<typeof runAdmmSync> | undefined;
      let error: unknown;
      try {
        outcomes = await runAdmmAsync(job.backend, job.request, turns);
      } catch (e) {
        error = e;
      }
      out.push(
        this.finish(
          i,
          finishJob(job, () => {
            if (!outcomes) throw error;
            return outcomes;
          }),
        ),
      );
    }
    this.results = out;
    return out;
  }

  /** The first problem of the first solve counts the setup in its time (and its time limit). */
  private startTime(i: number): number {
    const t = i === 0 && this.pendingSetupT0 !== null ? this.pendingSetupT0 : performance.now();
    if (i === 0) this.pendingSetupT0 = null;
    return t;
  }

  private job(p: AnyQpProblem, i: number, warm: WarmOption, t0: number): CpuJob | QpResult {
    const issue = validateVectors(p);
    if (issue) return failedResult(p, issue.status, issue.message, t0);
    try {
      const s = this.settings;
      const pp = prepareProblem(this.st, p, s, warmFor(warm, i, this.results));
      const rho = this.rho[i] ?? this.rho[0] ?? s.rho;
      const run = cpuRun(pp, s, this.factors, rho, t0);
      run.request.setupMs = this.setupMs;
      return { problem: p, t0, s, pp, factors: this.factors, ...run };
    } catch (e) {
      return setupFailure(p, e, t0);
    }
  }

  private finish(i: number, r: QpResult): QpResult {
    // After an infeasible solve the next one starts from the settings' ρ, as from a cold start.
    this.rho[i] = keepsRho(r) ? r.rho : this.settings.rho;
    return r;
  }
}
