/**
 * The ADMM walk of one problem, iteration by iteration, for a student to watch (the Geometry
 * panel's "Step through ADMM"). It is the real solver's walk, not a second ADMM: the same
 * `admmDriver` over the same CPU backend as `solveQp`, with the backend decorated so that
 * `iterate(steps)` runs one step at a time and records the iterate after each. The driver is a
 * generator of backend calls, so the walk advances lazily: `advance(k)` runs driver calls only
 * until k more iterations are recorded. Its statuses, checks, ρ updates and polish are the
 * driver's and `assembleResult`'s, so the final point is bit for bit `solveQp`'s answer.
 */
import type { QpProblem, QpResult, QpSettings } from './types';
import { admmDriver, callBackend, type AdmmBackend, type AdmmOutcome, type Op } from './driver';
import { CpuBackend } from './backend-cpu';
import { assembleResult, failedResult, type PreparedProblem } from './prepared';
import { cpuJob, errorStatus } from './solve';
import { unscaleSolution } from './scaling';
import { originalResiduals } from './evaluation';
import { errorMessage } from '../errors';

/** One recorded iterate, in the original (unscaled) problem. */
export interface AdmmStep {
  /** Iterations done: 0 is the starting point, k the iterate after the k-th ADMM step. */
  k: number;
  /** xᵏ. */
  x: Float64Array;
  /** zᵏ ∈ [l, u] (the projected copy of Axᵏ that ADMM carries). */
  z: Float64Array;
  /** yᵏ, OSQP's sign (> 0 at an upper bound). */
  y: Float64Array;
  /** Primal residual ‖Axᵏ − zᵏ‖∞. */
  prim: number;
  /** Dual residual ‖Pxᵏ + q + Aᵀyᵏ‖∞. */
  dual: number;
  /** The tolerances the residuals are held to: ε_abs + ε_rel·max(‖Axᵏ‖∞, ‖zᵏ‖∞), and the dual's. */
  epsPrim: number;
  epsDual: number;
  /** The scalar ρ this step was taken with. */
  rho: number;
}

/** A change of ρ by the driver's adaptive rule, taking effect after iteration `k`. */
export interface RhoChange {
  k: number;
  from: number;
  to: number;
}

/**
 * The decorating backend: every `iterate(steps)` of the driver becomes `steps` single steps of the
 * CPU backend, each followed by a record. Everything else passes through unchanged.
 */
class RecordingBackend implements AdmmBackend {
  readonly size = 1;
  readonly rhoScope = 'problem' as const;
  readonly chunkMs: number;

  constructor(
    private readonly inner: CpuBackend,
    private readonly onStep: () => void,
    private readonly onRho: (rho: number) => void,
  ) {
    this.chunkMs = inner.chunkMs;
  }

  iterate(steps: number): void {
    for (let k = 0; k < steps; k++) {
      this.inner.iterate(1);
      this.onStep();
    }
  }
  evaluate() {
    return this.inner.evaluate();
  }
  setRunning(running: Uint8Array): void {
    this.inner.setRunning(running);
  }
  setRho(rho: Float64Array): void {
    this.inner.setRho(rho);
    this.onRho(this.inner.workspaces[0].rho);
  }
  read(indices: number[]) {
    return this.inner.read(indices);
  }
  flush(): void {}
}

/** Settings of a walk: `time_limit` is off, since the walk pauses whenever the viewer does. */
export function traceSettings(settings?: Partial<QpSettings>): Partial<QpSettings> {
  return { ...settings, time_limit: 0 };
}

/** The ADMM walk of one problem; see the file comment. */
export class AdmmTrace {
  /** Every iterate recorded so far, the starting point first. */
  readonly steps: AdmmStep[] = [];
  readonly rhoChanges: RhoChange[] = [];
  /** The solver's result once the driver has finished (polished when the settings ask). */
  result: QpResult | null = null;
  /** The driver's outcome (status, final scaled iterate) once finished. */
  outcome: AdmmOutcome | null = null;

  private readonly pp: PreparedProblem | null = null;
  private readonly settings: QpSettings | null = null;
  private readonly backend: AdmmBackend | null = null;
  private readonly driver: Generator<Op, AdmmOutcome[], unknown> | null = null;
  private pending: IteratorResult<Op, AdmmOutcome[]> | null = null;
  private readonly t0: number;

  constructor(problem: QpProblem, settings?: Partial<QpSettings>) {
    const job = cpuJob(problem, traceSettings(settings), undefined);
    this.t0 = 'backend' in job ? job.t0 : performance.now();
    if (!('backend' in job)) {
      this.result = job;
      return;
    }
    const { s, pp, backend: cpu, request } = job;
    try {
      this.pp = pp;
      this.settings = s;
      const ws = cpu.workspaces[0];
      this.backend = new RecordingBackend(
        cpu,
        () => this.record(ws.x, ws.z, ws.y, ws.rho),
        (rho) => {
          const from = this.steps[this.steps.length - 1].rho;
          if (rho !== from) this.rhoChanges.push({ k: this.steps.length - 1, from, to: rho });
        },
      );
      this.record(ws.x, ws.z, ws.y, ws.rho);
      this.driver = admmDriver({ ...request, chunkMs: cpu.chunkMs, rhoScope: cpu.rhoScope });
      this.pending = this.driver.next();
    } catch (e) {
      this.result = failedResult(problem, errorStatus(e), errorMessage(e), this.t0);
    }
  }

  /** True once the driver has returned (or the problem was refused before ADMM). */
  get done(): boolean {
    return this.result !== null;
  }

  /**
   * Runs the driver until at least `k` more iterates are recorded than now, or it finishes.
   * A driver call may iterate several steps at once; they are all kept.
   */
  advance(k: number): void {
    const target = this.steps.length + k;
    while (!this.done && this.steps.length < target) this.pump();
  }

  /** Runs the driver to its end. */
  finish(): void {
    while (!this.done) this.pump();
  }

  /** One driver call: the backend's answer goes back into the generator. */
  private pump(): void {
    const { driver, backend, pp, settings } = this;
    if (!driver || !backend || !pp || !settings || !this.pending) return;
    try {
      if (this.pending.done) {
        this.outcome = this.pending.value[0];
        this.result = assembleResult(pp, this.outcome, settings, this.t0);
        return;
      }
      const v = callBackend(backend, this.pending.value);
      this.pending = driver.next(v);
    } catch (e) {
      this.result = failedResult(pp.problem, errorStatus(e), errorMessage(e), this.t0);
    }
  }

  private record(xs: Float64Array, zs: Float64Array, ys: Float64Array, rho: number): void {
    const pp = this.pp!;
    const s = this.settings!;
    const { x, y, z } = unscaleSolution(pp.scaling, xs, ys, zs);
    const r = originalResiduals(pp.problem, x, z, y);
    this.steps.push({
      k: this.steps.length,
      x,
      z,
      y,
      prim: r.prim,
      dual: r.dual,
      epsPrim: s.eps_abs + s.eps_rel * r.primScale,
      epsDual: s.eps_abs + s.eps_rel * r.dualScale,
      rho,
    });
  }
}
