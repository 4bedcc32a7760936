/**
 * The ADMM driver, written once for every engine (OSQP's `osqp_solve` loop): it asks a backend to
 * iterate, evaluates at every check, decides statuses (evaluation.ts), confirms every claim in
 * Float64 on the original data, adapts ρ, honours max_iter and time_limit, and returns each
 * problem's outcome. The backend only runs kernels: the CPU engine's workspaces (Float64), the
 * WebGPU engine's per-problem or shared-structure batches (f32). One backend call is one GPU submit.
 *
 * The loop is a generator of backend calls, so that the same code runs synchronously on the CPU
 * (`runAdmmSync`, for solveQp and the gradient methods' inner solves) and asynchronously on the
 * GPU or in a worker that must stay responsive (`runAdmmAsync`).
 */
import type { AnyQpProblem, QpSettings, QpStatus } from './types';
import { unscaleSolution, type Scaling } from './scaling';
import {
  decideCandidate,
  estimateRho,
  meetsTolerance,
  originalResiduals,
  rhoChanged,
  type AdmmEvaluation,
  type Residuals,
} from './evaluation';
import { clampRho } from './admm';
import { Turns } from '../turns';
import {
  candidateScales,
  confirmDualInfeasible,
  confirmPrimalInfeasible,
  type CandidateScales,
} from './certificates';

/** One problem's iterate in the backend's scaled space, read back in Float64. */
export interface ScaledIterate {
  x: Float64Array;
  z: Float64Array;
  y: Float64Array;
  /** δx and δy: the mean change per iteration over the last check interval (certificate candidates). */
  dx: Float64Array;
  dy: Float64Array;
}

type MaybeAsync<T> = T | Promise<T>;

/**
 * What an engine implements for the driver: a batch of `size` problems held on its device.
 * Methods may return promises (GPU) or values (CPU).
 */
export interface AdmmBackend {
  readonly size: number;
  /** 'batch': one ρ for every problem (one shared factorization); 'problem': one ρ each. */
  readonly rhoScope: 'problem' | 'batch';
  /** Wall time one call of `iterate` should take (GPU: a submit; CPU: between event-loop turns). */
  readonly chunkMs: number;
  /** Runs `steps` ADMM iterations of every running problem, keeping δx, δy of the last one. */
  iterate(steps: number): MaybeAsync<void>;
  /** The numbers of a check at the current iterate, per problem (stopped ones: anything). */
  evaluate(): MaybeAsync<AdmmEvaluation[]>;
  /** Which problems keep iterating (1) and which are finished (0). */
  setRunning(running: Uint8Array): MaybeAsync<void>;
  /** New scalar ρ per problem: the backend forms the per-row ρ and refactors. */
  setRho(rho: Float64Array): MaybeAsync<void>;
  /** The scaled iterates of the given problems. */
  read(indices: number[]): MaybeAsync<ScaledIterate[]>;
  /** Waits until queued work is done (used to time chunks without a check). */
  flush(): MaybeAsync<void>;
}

/** What the driver knows of each problem: its original data and scaling, for the confirmations. */
export interface DriverProblem {
  problem: AnyQpProblem;
  scaling: Scaling;
}

export interface DriverInput {
  problems: DriverProblem[];
  settings: QpSettings;
  /** The scalar ρ each problem starts from (the backend holds the same). */
  rho: Float64Array;
  /** performance.now() when the solve started (time_limit counts from here, setup included). */
  t0: number;
  /** Setup time in ms (OSQP 0.6's time-based ρ interval). */
  setupMs: number;
  /** The backend's chunk duration and ρ scope (AdmmBackend), filled in by the runners. */
  chunkMs: number;
  rhoScope: AdmmBackend['rhoScope'];
}

/** What a caller gives the runners; the rest comes from the backend. */
export type DriverRequest = Omit<DriverInput, 'chunkMs' | 'rhoScope'>;

/** How ADMM ended for one problem. */
export interface AdmmOutcome {
  status: Exclude<QpStatus, 'non_convex' | 'invalid_input'>;
  iter: number;
  /** The final iterate, scaled. */
  iterate: ScaledIterate;
  /** Residuals of the final iterate on the original data (Float64). */
  residuals: Residuals;
  rho: number;
  rhoUpdates: number;
  /** Unscaled certificate (‖·‖∞ = 1) for a confirmed infeasibility. */
  certificate?: Float64Array;
}

/**
 * OSQP 1.x's automatic iteration interval (adaptive_rho_iterations = 0): ρ is re-estimated every 4
 * termination checks, or every 100 iterations without checks. Its default is a fixed 50 iterations.
 */
const ADAPTIVE_RHO_MULTIPLE_TERMINATION = 4;
const ADAPTIVE_RHO_FIXED = 100;
const MAX_STEPS_PER_CALL = 500;

/** A backend call the driver yields. */
export type Op =
  | { op: 'iterate'; steps: number }
  | { op: 'evaluate' }
  | { op: 'running'; running: Uint8Array }
  | { op: 'rho'; rho: Float64Array }
  | { op: 'read'; indices: number[] }
  | { op: 'flush' };

type Driver<T> = Generator<Op, T, unknown>;

function* evaluate(): Driver<AdmmEvaluation[]> {
  return (yield { op: 'evaluate' }) as AdmmEvaluation[];
}

function* read(indices: number[]): Driver<ScaledIterate[]> {
  return indices.length === 0 ? [] : ((yield { op: 'read', indices }) as ScaledIterate[]);
}

type Claim = { status: AdmmOutcome['status']; residuals: Residuals; certificate?: Float64Array };

/**
 * The Float64 check of a backend's candidate on the original data: 'solved' only if the unscaled
 * residuals of the iterate meet the tolerance; an infeasibility only with a certificate that holds
 * (evaluation.ts). `scaled_termination` (an OSQP option) judges 'solved' in the scaled problem, as
 * the backend did.
 */
function confirm(
  dp: DriverProblem,
  it: ScaledIterate,
  candidate: 'solved' | 'primal_infeasible' | 'dual_infeasible',
  s: QpSettings,
): Claim | null {
  const p = dp.problem;
  const u = unscaleSolution(dp.scaling, it.x, it.y, it.z);
  const residuals = originalResiduals(p, u.x, u.z, u.y);
  if (candidate === 'solved') {
    // scaled_termination (an OSQP option) judges in the scaled problem, still in Float64.
    const judged = s.scaled_termination
      ? originalResiduals(p, u.x, u.z, u.y, dp.scaling)
      : residuals;
    const ok = meetsTolerance(judged, p.m, s);
    return ok ? { status: 'solved', residuals } : null;
  }
  if (candidate === 'primal_infeasible') {
    const dy = it.dy.map((v, i) => dp.scaling.E[i] * v);
    const cert = confirmPrimalInfeasible(p, dy, s.eps_prim_inf);
    return cert ? { status: candidate, residuals, certificate: cert } : null;
  }
  const dx = it.dx.map((v, j) => dp.scaling.D[j] * v);
  const cert = confirmDualInfeasible(p, dx, s.eps_dual_inf);
  return cert ? { status: candidate, residuals, certificate: cert } : null;
}

/** The ADMM loop (see the file comment); yields backend calls, returns one outcome per problem. */
export function* admmDriver(input: DriverInput): Driver<AdmmOutcome[]> {
  const { problems, settings: s } = input;
  const B = problems.length;
  const check = s.check_termination;
  let rhoEvery =
    s.adaptive_rho_iterations > 0
      ? s.adaptive_rho_iterations
      : check > 0
        ? ADAPTIVE_RHO_MULTIPLE_TERMINATION * check
        : ADAPTIVE_RHO_FIXED;
  const timeBased = s.adaptive_rho && s.adaptive_rho_interval > 0;
  const deadline = s.time_limit > 0 ? input.t0 + s.time_limit * 1000 : Infinity;
  const rho = Float64Array.from(input.rho, clampRho);
  const rhoUpdates = new Int32Array(B);
  const running = new Uint8Array(B).fill(1);
  const iters = new Int32Array(B);
  const outcomes = new Array<AdmmOutcome | undefined>(B);
  const scales: (CandidateScales | undefined)[] = new Array(B);
  let left = B;
  let iter = 0;
  let budget = Math.min(check > 0 ? check : 25, 10);
  let timeLimitHit = false;
  while (iter < s.max_iter && left > 0) {
    const next = (every: number) => (Math.floor(iter / every) + 1) * every;
    const nextCheck = check > 0 ? next(check) : Infinity;
    const nextAdapt = s.adaptive_rho ? next(rhoEvery) : Infinity;
    const event = Math.min(nextCheck, nextAdapt, s.max_iter);
    // OSQP's time-based ρ interval is fixed from the first iteration's duration.
    const first = timeBased && iter === 0;
    const steps = first ? 1 : Math.min(event - iter, budget);
    const t = performance.now();
    yield { op: 'iterate', steps };
    iter += steps;
    for (let b = 0; b < B; b++) if (running[b]) iters[b] = iter;
    const atCheck = iter === nextCheck;
    const atAdapt = iter === nextAdapt;
    if (atCheck || atAdapt) {
      const evs = yield* evaluate();
      if (atCheck) left -= yield* decide(evs);
      if (atAdapt && left > 0) yield* adapt(evs);
    } else {
      yield { op: 'flush' };
    }
    const perIter = Math.max(performance.now() - t, 0.01) / steps;
    if (first) {
      const k = Math.max(1, Math.round((s.adaptive_rho_interval * input.setupMs) / perIter));
      rhoEvery = check > 0 ? Math.max(check, Math.round(k / check) * check) : k;
    }
    budget = Math.max(1, Math.min(MAX_STEPS_PER_CALL, Math.floor(input.chunkMs / perIter)));
    if (performance.now() > deadline) {
      timeLimitHit = iter < s.max_iter;
      break;
    }
  }
  // Problems still running: judged on their last iterate, in Float64 on the original data.
  const rest = [...running.keys()].filter((b) => running[b]);
  const last = yield* read(rest);
  rest.forEach((b, k) => {
    const dp = problems[b];
    const u = unscaleSolution(dp.scaling, last[k].x, last[k].y, last[k].z);
    const residuals = originalResiduals(dp.problem, u.x, u.z, u.y);
    const judged = s.scaled_termination
      ? originalResiduals(dp.problem, u.x, u.z, u.y, dp.scaling)
      : residuals;
    const m = dp.problem.m;
    const status = meetsTolerance(judged, m, s)
      ? 'solved'
      : meetsTolerance(judged, m, s, 10)
        ? 'solved_inaccurate'
        : timeLimitHit
          ? 'time_limit_reached'
          : 'max_iter_reached';
    outcomes[b] = outcome(b, status, last[k], residuals);
  });
  return outcomes as AdmmOutcome[];

  function outcome(
    b: number,
    status: AdmmOutcome['status'],
    iterate: ScaledIterate,
    residuals: Residuals,
    certificate?: Float64Array,
  ): AdmmOutcome {
    return {
      status,
      iter: iters[b],
      iterate,
      residuals,
      rho: rho[b],
      rhoUpdates: rhoUpdates[b],
      ...(certificate ? { certificate } : {}),
    };
  }

  /** Checks the running problems; confirmed ones stop. Returns how many stopped. */
  function* decide(evs: AdmmEvaluation[]): Driver<number> {
    const cands: { b: number; c: 'solved' | 'primal_infeasible' | 'dual_infeasible' }[] = [];
    for (let b = 0; b < B; b++) {
      if (!running[b]) continue;
      scales[b] ??= candidateScales(problems[b].problem);
      const c = decideCandidate(evs[b], problems[b].problem.m, s, scales[b]);
      if (c) cands.push({ b, c });
    }
    const its = yield* read(cands.map(({ b }) => b));
    let stopped = 0;
    cands.forEach(({ b, c }, k) => {
      const claim = confirm(problems[b], its[k], c, s);
      if (!claim) return;
      outcomes[b] = outcome(b, claim.status, its[k], claim.residuals, claim.certificate);
      running[b] = 0;
      stopped++;
    });
    if (stopped > 0) yield { op: 'running', running: Uint8Array.from(running) };
    return stopped;
  }

  /** OSQP's ρ update: per problem, or the geometric mean of the estimates for a shared batch. */
  function* adapt(evs: AdmmEvaluation[]): Driver<void> {
    const est = new Float64Array(B);
    for (let b = 0; b < B; b++) est[b] = running[b] ? estimateRho(rho[b], evs[b]) : rho[b];
    let changed = false;
    if (input.rhoScope === 'batch') {
      let logSum = 0;
      let k = 0;
      for (let b = 0; b < B; b++) {
        if (!running[b]) continue;
        logSum += Math.log(est[b]);
        k++;
      }
      const mean = clampRho(Math.exp(logSum / k));
      if (rhoChanged(rho[0], mean, s)) {
        rho.fill(mean);
        rhoUpdates.forEach((_, b) => running[b] && rhoUpdates[b]++);
        changed = true;
      }
    } else {
      for (let b = 0; b < B; b++) {
        if (!running[b] || !rhoChanged(rho[b], est[b], s)) continue;
        rho[b] = est[b];
        rhoUpdates[b]++;
        changed = true;
      }
    }
    if (changed) yield { op: 'rho', rho: Float64Array.from(rho) };
  }
}

/** Runs one of the driver's yielded operations on a backend (the runners' dispatch). */
export function callBackend(b: AdmmBackend, op: Op): MaybeAsync<unknown> {
  switch (op.op) {
    case 'iterate':
      return b.iterate(op.steps);
    case 'evaluate':
      return b.evaluate();
    case 'running':
      return b.setRunning(op.running);
    case 'rho':
      return b.setRho(op.rho);
    case 'read':
      return b.read(op.indices);
    case 'flush':
      return b.flush();
  }
}

function driverInput(backend: AdmmBackend, input: DriverRequest): DriverInput {
  return { ...input, chunkMs: backend.chunkMs, rhoScope: backend.rhoScope };
}

/** Runs the driver on a backend whose methods return values (the CPU engine). */
export function runAdmmSync(backend: AdmmBackend, input: DriverRequest): AdmmOutcome[] {
  const g = admmDriver(driverInput(backend, input));
  let r = g.next();
  while (!r.done) {
    const v = callBackend(backend, r.value);
    if (v instanceof Promise) throw new Error('runAdmmSync: this backend is asynchronous');
    r = g.next(v);
  }
  return r.value;
}

/**
 * Runs the driver on any backend, awaiting its calls. Between calls it gives the event loop a turn
 * at least every 50 ms (`turns`, which a caller running many problems shares between them), so
 * that a worker running a long CPU solve still answers messages.
 */
export async function runAdmmAsync(
  backend: AdmmBackend,
  input: DriverRequest,
  turns: Turns = new Turns(),
): Promise<AdmmOutcome[]> {
  const g = admmDriver(driverInput(backend, input));
  let r = g.next();
  while (!r.done) {
    const v = await callBackend(backend, r.value);
    await turns.maybe();
    r = g.next(v);
  }
  return r.value;
}
