/**
 * GpuEngine: the WebGPU (f32) engine. Validation, scaling, the ADMM driver (statuses, ρ, Float64
 * confirmations) and result assembly are the CPU engine's own code (src/solvers/qp); the ADMM
 * iterations and the check pass of a whole batch run on the GPU, in one of two regimes:
 *  - 'shared' batches and handles: one K⁻¹ for all problems, each iteration one GEMM
 *    (backend-shared.ts, handle.ts);
 *  - 'problems' batches: one workgroup per problem with its own K, solved by LDLᵀ or by PCG
 *    (backend-problems.ts, admm-linsys.ts; `GpuEngineOptions.linsys`).
 * Batches are cut into chunks whose buffers fit maxStorageBufferBindingSize.
 */
import type {
  AnyQpProblem,
  QpBatch,
  QpProblem,
  QpResult,
  QpSettings,
  WarmStart,
  DenseMatrix,
} from '../solvers/qp/types';
import { toDenseProblem } from '../solvers/qp/matrix';
import { errorStatus, resolveSettings } from '../solvers/qp/solve';
import { validateProblem, validateSettings } from '../solvers/qp/validate';
import { clampRho } from '../solvers/qp/admm';
import {
  assembleResult,
  failedResult,
  prepareProblem,
  scaleStructure,
  withParams,
  type PreparedProblem,
  type QpParams,
} from '../solvers/qp/prepared';
import { QpSetupError } from '../solvers/qp/handle';
import { runAdmmAsync } from '../solvers/qp/driver';
import type { BackwardItem, GradMethod, GradOptions, QpGradients } from '../solvers/grad/types';
import type { Engine } from '../solvers/engine';
import { GpuBackwardEngine } from './backward';
import { errorMessage } from '../solvers/errors';
import { FactorizationError } from '../solvers/linalg/linsys';
import type { GpuContext } from './device';
import { INFO, INFO_STRIDE } from './admm-layout';
import { engineOptionsIssue, resolveLinsys, type GpuEngineOptions } from './admm-linsys';
import { perProblemBytes, ProblemsBackend } from './backend-problems';
import { GpuHandle, gpuSettings } from './handle';

const MAX_WORKGROUPS = 65535;

/** A GPU engine result: a QpResult, plus the PCG iteration count when x̃ was solved indirectly. */
export interface GpuQpResult extends QpResult {
  /** PCG iterations summed over every x̃ solve (per-problem batches on the indirect path only). */
  cg_iter?: number;
}

/** Largest dense P and A (bytes, Float64) the engine makes from sparse input. */
const GPU_DENSE_BYTES = 2 ** 31;

export class GpuEngine implements Engine {
  readonly name = 'gpu' as const;
  /** The WGSL backward passes (kkt.wgsl; BPQP and LPGD through this engine's solves). */
  readonly backward: GpuBackwardEngine;

  constructor(
    readonly ctx: GpuContext,
    readonly options: GpuEngineOptions = {},
  ) {
    const bad = engineOptionsIssue(options);
    if (bad) throw new Error(`GpuEngine: ${bad}`);
    this.backward = new GpuBackwardEngine(ctx, this);
  }

  backwardBatch(
    items: BackwardItem[],
    method: GradMethod,
    options?: GradOptions,
  ): Promise<QpGradients[]> {
    return this.backward.backwardBatch(items, method, options);
  }

  get adapter(): string {
    return `${this.ctx.adapterInfo} (WebGPU, f32)`;
  }

  /**
   * A handle on one structure (shared regime); throws QpSetupError for invalid input, or for a
   * sparse structure too large to store densely.
   */
  async setup(
    structure: AnyQpProblem,
    settings?: Partial<QpSettings>,
    params?: QpParams[],
  ): Promise<GpuHandle> {
    let dense: QpProblem;
    try {
      dense = toDenseProblem(structure, GPU_DENSE_BYTES);
    } catch (e) {
      throw new QpSetupError(
        'invalid_input',
        `the WebGPU engine stores P and A densely: ${errorMessage(e)}`,
      );
    }
    return new GpuHandle(this.ctx, this.backward, dense, settings, params);
  }

  async solveBatch(
    batch: QpBatch,
    settings?: Partial<QpSettings>,
    warm?: (WarmStart | undefined)[],
  ): Promise<GpuQpResult[]> {
    const t0 = performance.now();
    const s = resolveSettings(gpuSettings(settings));
    const problems =
      batch.kind === 'problems'
        ? batch.problems
        : batch.params.map((v) => withParams(batch.structure, v));
    const bad = validateSettings(s);
    if (bad) return problems.map((p) => failedResult(p, 'invalid_input', bad, t0));
    if (batch.kind === 'shared') return this.solveShared(batch, s, warm, problems, t0);
    const results = new Array<GpuQpResult>(problems.length);
    const groups = new Map<string, { i: number; pp: PreparedProblem<DenseMatrix> }[]>();
    problems.forEach((given, i) => {
      let p: QpProblem;
      try {
        p = toDenseProblem(given, GPU_DENSE_BYTES);
      } catch (e) {
        const message = `the WebGPU engine stores P and A densely: ${errorMessage(e)}`;
        return (results[i] = failedResult(given, 'invalid_input', message, t0));
      }
      const issue = validateProblem(p);
      if (issue) return (results[i] = failedResult(p, issue.status, issue.message, t0));
      try {
        const pp = prepareProblem(scaleStructure(p, s), p, s, warm?.[i]);
        const key = `${p.n}x${p.m}`;
        groups.set(key, [...(groups.get(key) ?? []), { i, pp }]);
      } catch (e) {
        results[i] = failedResult(p, errorStatus(e), errorMessage(e), t0);
      }
    });
    for (const group of groups.values()) {
      for (const chunk of this.chunks(group)) {
        const out = await this.runProblems(
          chunk.map((c) => c.pp),
          s,
          t0,
        );
        chunk.forEach(({ i }, k) => (results[i] = out[k]));
      }
    }
    return results;
  }

  /** A shared batch: a handle for the structure, solved once and released. */
  private async solveShared(
    batch: Extract<QpBatch, { kind: 'shared' }>,
    s: QpSettings,
    warm: (WarmStart | undefined)[] | undefined,
    problems: AnyQpProblem[],
    t0: number,
  ): Promise<QpResult[]> {
    let handle: GpuHandle;
    try {
      handle = await this.setup(batch.structure, s, batch.params);
    } catch (e) {
      if (!(e instanceof QpSetupError)) throw e;
      return problems.map((p) => failedResult(p, e.status, e.message, t0));
    }
    try {
      return await handle.solve(warm);
    } finally {
      handle.dispose();
    }
  }

  /** One chunk of same-size problems on the per-problem regime; re-run once after a device loss. */
  private async runProblems(
    probs: PreparedProblem<DenseMatrix>[],
    s: QpSettings,
    t0: number,
  ): Promise<GpuQpResult[]> {
    const linsys = resolveLinsys(probs[0].n, this.options.linsys);
    try {
      return await this.ctx.runRecovering(async () => {
        const rho = new Float64Array(probs.length).fill(clampRho(s.rho));
        const backend = new ProblemsBackend(this.ctx, probs, s, rho, linsys, this.options);
        try {
          const out = await runAdmmAsync(backend, {
            problems: probs,
            settings: s,
            rho,
            t0,
            setupMs: performance.now() - t0,
          });
          const info = linsys === 'indirect' ? await backend.finalInfo() : null;
          return probs.map((pp, b): GpuQpResult => {
            const r = assembleResult(pp, out[b], s, t0);
            return info ? { ...r, cg_iter: info[b * INFO_STRIDE + INFO.cgIter] } : r;
          });
        } finally {
          backend.dispose();
        }
      });
    } catch (e) {
      // K not positive definite means P is (numerically) not PSD: a result, not an engine failure.
      if (!(e instanceof FactorizationError)) throw e;
      return probs.map((pp) => failedResult(pp.problem, 'non_convex', e.message, t0));
    }
  }

  /** Splits a group so that every buffer stays under the device's binding limit. */
  private *chunks<T extends { pp: PreparedProblem<DenseMatrix> }>(group: T[]): Generator<T[]> {
    const { n, m } = group[0].pp;
    const limit = Math.min(
      this.ctx.limits.maxStorageBufferBindingSize,
      this.ctx.limits.maxBufferSize,
    );
    const perProblem = perProblemBytes(n, m, resolveLinsys(n, this.options.linsys));
    if (perProblem > limit)
      throw new Error(
        `one problem with n=${n}, m=${m} needs ${perProblem} bytes, over the ${limit}-byte binding limit`,
      );
    const size = Math.max(1, Math.min(MAX_WORKGROUPS, Math.floor(limit / perProblem)));
    for (let i = 0; i < group.length; i += size) yield group.slice(i, i + size);
  }
}
