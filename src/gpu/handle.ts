/**
 * The WebGPU engine's handle (OSQP's setup / update / solve on one structure): P̄ and Ā are scaled
 * once and uploaded once; the GEMM operator M (from K⁻¹, computed in Float64 on the CPU) is kept
 * per (row types, ρ) and recomputed only when ρ or the row types change; the batch ρ carries over
 * from one solve to the next. Only the parameter vectors travel on each solve.
 */
import type { DenseMatrix, QpProblem, QpResult, QpSettings } from '../solvers/qp/types';
import {
  assembleResult,
  failedResult,
  prepareProblem,
  withParams,
  type PreparedProblem,
  type QpParams,
  type ScaledStructure,
} from '../solvers/qp/prepared';
import { setupStructure, warmFor, type WarmOption } from '../solvers/qp/handle';
import { validateVectors } from '../solvers/qp/validate';
import { rhoVector, clampRho } from '../solvers/qp/admm';
import { runAdmmAsync } from '../solvers/qp/driver';
import { errorStatus } from '../solvers/qp/solve';
import type { GradMethod, GradOptions, BackwardEngine } from '../solvers/grad/types';
import { backwardThrough, type BackwardOutcome, type QpHandle } from '../solvers/engine';
import { errorMessage } from '../solvers/errors';
import { FactorizationError } from '../solvers/linalg/linsys';
import type { GpuContext } from './device';
import { SharedBackend, sharedOperator, type SharedStructureOnDevice } from './backend-shared';
import { dataStride, stateStride } from './admm-layout';

/**
 * The engine's defaults over the caller's settings. No duality-gap test unless asked: OSQP turns it
 * off in its single-precision builds, since an f32 iterate's gap is rounding-limited (residuals are
 * still confirmed in Float64). ρ re-estimated every 4 checks (OSQP's automatic interval) rather
 * than every 50 iterations: each change refactors on the device (or rebuilds the shared GEMM
 * operator on the CPU), and the f32 cases of the spec table were written against that cadence.
 */
export function gpuSettings(settings?: Partial<QpSettings>): Partial<QpSettings> {
  return { check_dualgap: false, adaptive_rho_iterations: 0, ...settings };
}

/** GEMM operators kept per handle (distinct row types × ρ met so far). */
const OPERATOR_CACHE = 4;
const MAX_WORKGROUPS = 65535;

export class GpuHandle implements QpHandle {
  readonly engine = 'gpu' as const;
  readonly n: number;
  readonly m: number;
  readonly settings: QpSettings;
  results: QpResult[] = [];
  private params: QpParams[];
  private readonly st: ScaledStructure<DenseMatrix>;
  private rho: number;
  private onDevice: (SharedStructureOnDevice & { generation: number }) | null = null;
  private readonly operators = new Map<string, Float32Array>();
  private operatorKey = '';
  /** Operators computed on the CPU so far (cache misses; a solve at a kept ρ computes none). */
  operatorBuilds = 0;
  private disposed = false;
  private pendingSetupT0: number | null;
  private readonly setupMs: number;

  constructor(
    private readonly ctx: GpuContext,
    private readonly backwardEngine: BackwardEngine,
    readonly structure: QpProblem,
    settings?: Partial<QpSettings>,
    params: QpParams[] = [{}],
  ) {
    const t0 = performance.now();
    ({ settings: this.settings, st: this.st } = setupStructure(
      structure,
      gpuSettings(settings),
      params,
    ));
    this.n = structure.n;
    this.m = structure.m;
    this.params = params;
    this.rho = clampRho(this.settings.rho);
    const limit = Math.min(ctx.limits.maxStorageBufferBindingSize, ctx.limits.maxBufferSize);
    const opBytes = 4 * (this.n + this.m) * (2 * this.n + this.m);
    if (opBytes > limit)
      throw new Error(
        `shared regime: the (n+m)×(2n+m) operator for n=${this.n}, m=${this.m} needs ${opBytes} bytes, over the ${limit}-byte binding limit`,
      );
    this.setupMs = performance.now() - t0;
    this.pendingSetupT0 = t0;
  }

  get size(): number {
    return this.params.length;
  }

  problems(): QpProblem[] {
    return this.params.map((v) => withParams(this.structure, v));
  }

  update(params: QpParams[]): void {
    this.params = params;
  }

  /** The structure's buffers on the current device (re-uploaded after a device loss). */
  private structureOnDevice(): SharedStructureOnDevice {
    if (this.onDevice && this.onDevice.generation === this.ctx.generation) return this.onDevice;
    const { n, m } = this;
    const mats = new Float32Array(n * n + m * n);
    mats.set(this.st.P.data);
    mats.set(this.st.A.data, n * n);
    const operator = this.ctx.storage('admm.gemm_op', (n + m) * (2 * n + m));
    this.operatorKey = '';
    this.onDevice = {
      generation: this.ctx.generation,
      mats: this.ctx.storage('admm.mats', mats),
      operator,
      useOperator: (rowType, rho) => this.useOperator(operator, rowType, rho),
    };
    return this.onDevice;
  }

  /** Puts the operator for (row types, ρ) in the device buffer, from the cache or computed anew. */
  private useOperator(operator: GPUBuffer, rowType: Int8Array, rho: number): void {
    const key = `${rho}|${rowType.join('')}`;
    if (key === this.operatorKey) return;
    let M = this.operators.get(key);
    if (M) {
      // Least recently used goes first: move a hit to the end.
      this.operators.delete(key);
      this.operators.set(key, M);
    } else {
      M = sharedOperator(this.st.P, this.st.A, this.settings.sigma, rhoVector(rowType, rho));
      this.operatorBuilds++;
      if (this.operators.size >= OPERATOR_CACHE)
        this.operators.delete(this.operators.keys().next().value as string);
      this.operators.set(key, M);
    }
    this.ctx.device.queue.writeBuffer(operator, 0, M);
    this.operatorKey = key;
  }

  async solve(warm?: WarmOption): Promise<QpResult[]> {
    if (this.disposed) throw new Error('this GPU handle was disposed');
    const s = this.settings;
    const problems = this.problems();
    const t0 = this.pendingSetupT0 ?? performance.now();
    this.pendingSetupT0 = null;
    const results = new Array<QpResult>(problems.length);
    const ok: { i: number; pp: PreparedProblem<DenseMatrix> }[] = [];
    problems.forEach((p, i) => {
      const issue = validateVectors(p);
      if (issue) return (results[i] = failedResult(p, issue.status, issue.message, t0));
      try {
        ok.push({ i, pp: prepareProblem(this.st, p, s, warmFor(warm, i, this.results)) });
      } catch (e) {
        results[i] = failedResult(p, 'invalid_input', errorMessage(e), t0);
      }
    });
    for (const chunk of this.chunks(ok)) {
      try {
        const { outcomes, rho } = await this.runChunk(
          chunk.map((c) => c.pp),
          t0,
        );
        chunk.forEach(({ i, pp }, k) => (results[i] = assembleResult(pp, outcomes[k], s, t0)));
        // The batch's ρ at the end (a problem's own outcome holds ρ when it stopped).
        this.rho = rho;
      } catch (e) {
        // K not positive definite means P is (numerically) not PSD: a result, not an engine failure.
        if (!(e instanceof FactorizationError)) throw e;
        chunk.forEach(({ i }) => {
          results[i] = failedResult(problems[i], errorStatus(e), errorMessage(e), t0);
        });
      }
    }
    this.results = results;
    return results;
  }

  /** Runs one chunk; if the device is lost meanwhile, re-uploads and runs it once more. */
  private runChunk(probs: PreparedProblem<DenseMatrix>[], t0: number) {
    return this.ctx.runRecovering(async () => {
      const backend = new SharedBackend(
        this.ctx,
        this.structureOnDevice(),
        probs,
        this.settings,
        this.rho,
      );
      try {
        const outcomes = await runAdmmAsync(backend, {
          problems: probs,
          settings: this.settings,
          rho: new Float64Array(probs.length).fill(this.rho),
          t0,
          setupMs: this.setupMs,
        });
        return { outcomes, rho: backend.rho };
      } finally {
        backend.dispose();
      }
    });
  }

  /** Chunks of problems whose per-problem buffers fit the device's binding limit. */
  private *chunks<T>(items: T[]): Generator<T[]> {
    const { n, m } = this;
    const limit = Math.min(
      this.ctx.limits.maxStorageBufferBindingSize,
      this.ctx.limits.maxBufferSize,
    );
    const perProblem = 4 * Math.max(2 * n + m, dataStride(n, m), stateStride(n, m));
    const size = Math.max(1, Math.min(MAX_WORKGROUPS, Math.floor(limit / perProblem)));
    for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
  }

  backward(
    dl_dx: ArrayLike<number>[],
    method: GradMethod,
    options?: GradOptions,
  ): Promise<BackwardOutcome[]> {
    return backwardThrough(
      this.backwardEngine,
      this.problems(),
      this.results,
      dl_dx,
      method,
      options,
    );
  }

  dispose(): void {
    this.disposed = true;
    if (this.onDevice && this.onDevice.generation === this.ctx.generation) {
      this.onDevice.mats.destroy();
      this.onDevice.operator.destroy();
    }
    this.onDevice = null;
  }
}
