/**
 * GpuEngine: the WebGPU (f32) implementation of QpEngine. Validation, scaling and result
 * assembly run on the CPU in Float64 (prepare.ts); the ADMM iterations, termination and
 * infeasibility checks of the whole batch run on the GPU, in one of two regimes:
 *  - 'shared' batches: one K⁻¹ for all problems, each iteration one GEMM (run-shared.ts);
 *  - 'problems' batches: one workgroup per problem with its own K, solved by LDLᵀ or by PCG
 *    (run-problems.ts, admm-linsys.ts; `GpuEngineOptions.linsys`).
 * Batches are cut into chunks whose buffers fit maxStorageBufferBindingSize.
 */
import type { QpBatch, QpEngine, QpResult, QpSettings, WarmStart } from '../solvers/qp/types';
import { failedResult, resolveSettings } from '../solvers/qp/solve';
import { validateSettings } from '../solvers/qp/validate';
import type { GpuContext } from './device';
import { collectResults, prepareBatch, type PreparedProblem } from './prepare';
import { perProblemFloats, runProblems, type RegimeOutcome } from './run-problems';
import { engineOptionsIssue, resolveLinsys, type GpuEngineOptions } from './admm-linsys';
import { runShared } from './run-shared';

const MAX_WORKGROUPS = 65535;

export class GpuEngine implements QpEngine {
  readonly name = 'gpu' as const;

  constructor(
    readonly ctx: GpuContext,
    readonly options: GpuEngineOptions = {},
  ) {
    const bad = engineOptionsIssue(options);
    if (bad) throw new Error(`GpuEngine: ${bad}`);
  }

  get adapter(): string {
    return `${this.ctx.adapterInfo} (WebGPU, f32)`;
  }

  async solveBatch(
    batch: QpBatch,
    settings?: Partial<QpSettings>,
    warm?: (WarmStart | undefined)[],
  ): Promise<QpResult[]> {
    const t0 = performance.now();
    const s = resolveSettings(settings);
    const bad = validateSettings(s);
    if (bad) {
      const problems =
        batch.kind === 'problems' ? batch.problems : batch.params.map(() => batch.structure);
      return problems.map((p) => failedResult(p, 'invalid_input', bad, t0));
    }
    const prep = prepareBatch(batch, s, warm, t0);
    const results = new Array<QpResult>(prep.total);
    for (const [i, r] of prep.failed) results[i] = r;
    for (const group of prep.groups) {
      for (const chunk of this.chunks(group, batch.kind === 'shared')) {
        const out = await this.runWithRecovery(chunk, batch.kind === 'shared', s, t0);
        collectResults(chunk, out, s, t0).forEach((r, k) => (results[chunk[k].index] = r));
      }
    }
    return results;
  }

  /** Runs a chunk; if the device is lost meanwhile, re-uploads and runs it once more. */
  private async runWithRecovery(
    chunk: PreparedProblem[],
    shared: boolean,
    s: QpSettings,
    t0: number,
  ): Promise<RegimeOutcome> {
    const gen = this.ctx.generation;
    const linsys = resolveLinsys(chunk[0].n, this.options.linsys);
    const run = () =>
      shared
        ? runShared(this.ctx, chunk, s, t0)
        : runProblems(this.ctx, chunk, s, t0, linsys, this.options);
    this.ctx.device.pushErrorScope('validation');
    this.ctx.device.pushErrorScope('out-of-memory');
    try {
      const out = await run();
      const oom = await this.ctx.device.popErrorScope();
      const invalid = await this.ctx.device.popErrorScope();
      if (oom || invalid)
        throw new Error(`WebGPU error during the solve: ${(oom ?? invalid)?.message}`);
      return out;
    } catch (e) {
      if (this.ctx.generation === gen) throw e;
      await this.ctx.waitReady();
      return run();
    }
  }

  /** Splits a group so that every buffer stays under the device's binding limit. */
  private *chunks(group: PreparedProblem[], shared: boolean): Generator<PreparedProblem[]> {
    const { n, m } = group[0];
    const limit = Math.min(
      this.ctx.limits.maxStorageBufferBindingSize,
      this.ctx.limits.maxBufferSize,
    );
    const f = perProblemFloats(n, m, resolveLinsys(n, this.options.linsys));
    const perProblem = 4 * (shared ? 2 * n + m : Math.max(f.mats, f.fac, f.state));
    if (shared && 4 * (n + m) * (2 * n + m) > limit)
      throw new Error(
        `shared regime: the (n+m)×(2n+m) operator for n=${n}, m=${m} exceeds the ${limit}-byte binding limit`,
      );
    const size = Math.max(1, Math.min(MAX_WORKGROUPS, Math.floor(limit / perProblem)));
    if (perProblem > limit)
      throw new Error(
        `one problem with n=${n}, m=${m} needs ${perProblem} bytes, over the ${limit}-byte binding limit`,
      );
    for (let i = 0; i < group.length; i += size) yield group.slice(i, i + size);
  }
}
