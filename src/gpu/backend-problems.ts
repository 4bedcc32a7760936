/**
 * Per-problem regime (QpBatch 'problems'), as a driver backend: one workgroup per problem, each
 * with its own K = P̄ + σI + Āᵀdiag(ρ)Ā, solved directly (LDLᵀ and K⁻¹ in storage, n ≤ 1024) or
 * indirectly (PCG warm-started from the last x̃), see admm-linsys.ts. Only the problems whose own ρ
 * changed are refactored / get a new preconditioner; `iterate` runs many ADMM iterations per
 * dispatch.
 */
import type { QpSettings } from '../solvers/qp/types';
import type { PreparedProblem } from '../solvers/qp/prepared';
import type { DenseMatrix } from '../solvers/qp/types';
import { rhoVector } from '../solvers/qp/admm';
import type { GpuContext } from './device';
import {
  dataStride,
  destroyAll,
  INFO,
  INFO_STRIDE,
  packData,
  packStart,
  PARAMS_BYTES,
  stateStride,
  type AdmmBuffers,
} from './admm-layout';
import {
  CG_MAX_ITER,
  CG_TOL_FRACTION,
  initSolver,
  linsysPasses,
  PER_PROBLEM_NMAX,
  solverFloats,
  startResiduals,
  type GpuEngineOptions,
  type Linsys,
  type LinsysPasses,
} from './admm-linsys';
import { GpuAdmmBackend } from './backend';

/** Bytes one problem of this regime needs in its largest buffer (for chunking). */
export function perProblemBytes(n: number, m: number, linsys: Linsys): number {
  const f = solverFloats(linsys, n, m);
  return 4 * Math.max(n * n + m * n, f.solver, stateStride(n, m), dataStride(n, m));
}

export class ProblemsBackend extends GpuAdmmBackend {
  readonly rhoScope = 'problem' as const;
  private readonly passes: LinsysPasses;
  private readonly rho: Float64Array;
  private refactorPending: number;
  /** Mean PCG iterations per x̃ solve so far (for the declared flop counts only). */
  private cgPerSolve = 1;

  constructor(
    ctx: GpuContext,
    private readonly probs: PreparedProblem<DenseMatrix>[],
    s: QpSettings,
    rho: Float64Array,
    readonly linsys: Linsys,
    opts: GpuEngineOptions = {},
  ) {
    const B = probs.length;
    const { n, m } = probs[0];
    if (linsys === 'direct' && n > PER_PROBLEM_NMAX)
      throw new Error(
        `GPU per-problem direct solver supports n ≤ ${PER_PROBLEM_NMAX}, got n = ${n} (use linsys 'indirect' or 'auto')`,
      );
    const sizes = solverFloats(linsys, n, m);
    const matStride = n * n + m * n;
    const ss = stateStride(n, m);
    const mats = new Float32Array(B * matStride);
    const data = new Float32Array(B * dataStride(n, m));
    const state = new Float32Array(B * ss);
    const info = new Float32Array(B * INFO_STRIDE);
    const solver = new Float32Array(B * sizes.solver);
    probs.forEach((p, b) => {
      mats.set(p.P.data, b * matStride);
      mats.set(p.A.data, b * matStride + n * n);
      packData(data, b, n, m, {
        q: p.q,
        l: p.l,
        u: p.u,
        rhoVec: rhoVector(p.rowType, rho[b]),
        D: p.scaling.D,
        E: p.scaling.E,
      });
      packStart(state, b, n, m, p);
      const o = b * INFO_STRIDE;
      info[o + INFO.cost] = p.scaling.c;
      info[o + INFO.refactor] = 1;
      const r0 = linsys === 'indirect' ? startResiduals(p) : null;
      info[o + INFO.primScaled] = r0 ? r0[0] : -1;
      info[o + INFO.dualScaled] = r0 ? r0[1] : 0;
      info[o + INFO.cgEps] = -1;
      info[o + INFO.cgFraction] = opts.cgTolFraction ?? CG_TOL_FRACTION;
      initSolver(linsys, solver, b, n, m, p.x0);
    });
    const buffers: AdmmBuffers = {
      params: ctx.uniform('admm.params', new ArrayBuffer(PARAMS_BYTES)),
      mats: ctx.storage('admm.mats', mats),
      data: ctx.storage('admm.data', data),
      state: ctx.storage('admm.state', state),
      solver: ctx.storage(linsys === 'direct' ? 'admm.factor' : 'admm.pcg', solver),
      info: ctx.storage('admm.info', info),
      work: ctx.storage('admm.row_work', Math.max(1, B * sizes.work)),
      work2: ctx.storage('admm.unused', 1),
    };
    super(ctx, B, n, m, buffers, {
      sigma: s.sigma,
      alpha: s.alpha,
      matStride,
      scaledTermination: s.scaled_termination,
      cgMaxIter: opts.cgMaxIter ?? CG_MAX_ITER,
      cgColdStart: opts.cgColdStart ?? false,
    });
    this.rho = Float64Array.from(rho);
    this.refactorPending = B;
    this.passes = linsysPasses(ctx, linsys, this.layout, this.bind, B, n, m);
  }

  protected encodeSteps(enc: GPUCommandEncoder, steps: number): void {
    if (this.refactorPending > 0) {
      this.passes.encodeRhoUpdate(enc, this.refactorPending);
      this.refactorPending = 0;
    }
    this.passes.encodeIterate(enc, steps, this.cgPerSolve);
  }

  protected override observe(info: Float32Array): void {
    let cg = 0;
    let solves = 0;
    for (let b = 0; b < this.size; b++) {
      cg += info[b * INFO_STRIDE + INFO.cgIter];
      solves += info[b * INFO_STRIDE + INFO.iter];
    }
    if (solves > 0) this.cgPerSolve = cg / solves;
  }

  setRho(rho: Float64Array): void {
    const { n, m } = this;
    const queue = this.ctx.device.queue;
    rho.forEach((r, b) => {
      if (r === this.rho[b]) return;
      this.rho[b] = r;
      const rv = new Float32Array(rhoVector(this.probs[b].rowType, r));
      queue.writeBuffer(this.buffers.data, (b * dataStride(n, m) + n + 2 * m) * 4, rv);
      queue.writeBuffer(
        this.buffers.info,
        (b * INFO_STRIDE + INFO.refactor) * 4,
        Float32Array.of(1),
      );
      this.refactorPending++;
    });
  }

  dispose(): void {
    destroyAll(this.buffers);
  }
}
